"""The prompt-file detectors of CTX001, CTX002, CTX003 and CTX011 on files read in memory, with
the renders the Python side would find given by hand: what they flag, where, what the message
says about the position, and the fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.diagnostics import Location
from ctxlint.prompt_files import read_prompt_file
from ctxlint.prompt_files.checked import PromptCheck
from ctxlint.prompt_files.renders import PassedValue, Render
from ctxlint.registry import rule_by_code

RULES = "Follow the store's return policy and answer in the customer's language.\n" * 10
HISTORY = "{% for item in history %}\n{{item.role}}:\n{{item.content}}\n{% endfor %}\n"
AT = Location(7, 5)


def render(**values: dict) -> Render:
    passed = tuple(
        PassedValue(name, fields.pop("expression", name), "agent.py", AT, AT, **fields)
        for name, fields in values.items()
    )
    return Render("agent.py", AT, AT, "template.render", passed)


def findings(code: str, name: str, text: str, *renders: Render, daily: bool = False):
    prompt = PromptCheck(name, text, read_prompt_file(Path(name), text), renders, daily)
    return list(rule_by_code(code)().check_prompt(prompt))


def apply(text: str, fix) -> str:
    for edit in sorted(fix.edits, key=lambda edit: -edit.start_offset):
        text = text[: edit.start_offset] + edit.content + text[edit.end_offset :]
    return text


def test_a_clock_at_the_top_of_a_system_template_costs_the_whole_prefix():
    (found,) = findings("CTX001", "prompts/system.j2", "{{ now() }} is the time.\n" + RULES)
    assert (found.start.line, found.start.column) == (1, 4)
    assert "`now()` reads the clock in the system part, after 0% of the prefix" in found.message
    assert "messages after it lose the cache" in found.help


def test_the_share_before_grows_with_the_static_text_above():
    (found,) = findings("CTX001", "prompts/system.j2", RULES + "Now: {{ now() }}\n" + RULES)
    assert "after 50% of the prefix" in found.message


def test_a_history_the_template_lays_out_is_named_in_the_help():
    text = "---\nname: chat\n---\nsystem:\n{{ range(10) | random }}\n" + RULES + HISTORY
    (found,) = findings("CTX001", "chat.prompty", text)
    assert "picks a random item" in found.message
    assert "the history after it loses the cache too" in found.help


def test_the_value_rendered_decides_over_the_name():
    text = "You are the store's agent. Now: {{ now }}\n" + RULES
    clock = render(now={"expression": "datetime.now().isoformat()", "volatile": "reads the clock"})
    (found,) = findings("CTX001", "prompts/system.j2", text, clock)
    assert "by its name" not in found.help
    assert found.related[0].path == "agent.py"
    assert "`datetime.now().isoformat()` passed by template.render()" in found.related[0].message
    day = render(now={"expression": "date.today()"})
    assert findings("CTX001", "prompts/system.j2", text, day) == []


def test_by_name_only_where_the_file_states_the_role():
    text = "Now: {{current_time}}\n" + RULES
    (found,) = findings("CTX001", "chat.prompty", "---\nname: x\n---\nsystem:\n" + text)
    assert found.help.startswith("Judged by its name")
    assert findings("CTX001", "prompts/reminder.md", text) == []
    # A file name is no placement: agent-zero appends `agent.system.datetime.md` after the
    # history.
    assert findings("CTX001", "prompts/agent.system.datetime.md", text) == []


def test_a_date_is_flagged_only_with_flag_daily_values():
    text = '<message role="system">Today is {{time.date}}.\n' + RULES + "</message>\n"
    assert findings("CTX001", "Chat/skprompt.txt", text) == []
    (found,) = findings("CTX001", "Chat/skprompt.txt", text, daily=True)
    assert "reads the date" in found.message


def test_the_tail_of_a_template_of_no_known_role_costs_little():
    text = RULES + "Current datetime: {{ now() }}\n"
    assert findings("CTX001", "prompts/extract-action.j2", text) == []
    text = "Current datetime: {{ now() }}\n" + RULES
    assert len(findings("CTX001", "prompts/extract-action.j2", text)) == 1


def test_the_newest_user_message_is_never_flagged():
    text = "---\nname: chat\n---\nsystem:\n" + RULES + "user:\nAt {{ now() }}: {{question}}\n"
    assert findings("CTX001", "chat.prompty", text) == []
    assert findings("CTX011", "chat.prompty", text) == []


def test_one_finding_per_part_with_the_later_ones_as_notes():
    text = "system:\nA {{ now() }}\n" + RULES + "B {{ range(3) | random }}\n" + RULES
    (found,) = findings("CTX001", "chat.prompty", "---\nname: x\n---\n" + text)
    assert found.start.line == 5
    assert [note.start.line for note in found.related] == [16]
    assert "`range(3) | random` picks a random item too" in found.related[0].message


def test_the_move_fix_puts_the_line_before_the_history_and_keeps_the_template():
    text = "---\nname: chat\n---\nsystem:\nThe time is {{ now() }}.\n" + RULES + HISTORY
    (found,) = findings("CTX001", "chat.prompty", text)
    assert found.fix is not None and found.fix.applicability.value == "unsafe"
    fixed = apply(text, found.fix)
    assert fixed.index("The time is {{ now() }}.") < fixed.index("{% for item in history %}")
    assert fixed.index(RULES) < fixed.index("The time is")
    assert read_prompt_file(Path("chat.prompty"), fixed).errors == ()
    # Once moved, the fix has nowhere further to go.
    (again,) = findings("CTX001", "chat.prompty", fixed)
    assert again.fix is None


def test_no_move_for_a_line_inside_a_block_or_a_template_that_sets_variables():
    inside = "{% if on %}\nNow: {{ now() }}\n{% endif %}\n" + RULES
    (found,) = findings("CTX001", "prompts/system.j2", inside)
    assert found.fix is None
    sets = "{% set tz = 'UTC' %}\nNow: {{ now() }} {{ tz }}\n" + RULES
    (found,) = findings("CTX001", "prompts/system.j2", sets)
    assert found.fix is None


def test_per_turn_content_above_the_history():
    text = "---\nname: chat\n---\nsystem:\n" + RULES + "{{ search_results }}\n" + HISTORY
    (found,) = findings("CTX011", "chat.prompty", text)
    assert "`search_results` is named like retrieved documents in the system part" in found.message
    rendered = render(
        context={"expression": "retriever.invoke(q)", "per_turn": "retrieved documents"}
    )
    text = "system:\n" + RULES + "{{ context }}\n" + HISTORY
    (found,) = findings("CTX011", "chat.prompty", "---\nname: x\n---\n" + text, rendered)
    assert "gets retrieved documents" in found.message


def test_per_turn_names_in_a_completion_prompt_are_where_they_belong():
    text = "Use the context.\n{context}\n{documents}\nQuestion: {question}\n"
    assert findings("CTX011", "prompts/qa.txt", text) == []


@pytest.mark.parametrize(
    ("written", "flagged"),
    [
        ("{{ profile }}", True),
        ("{{ profile | tojson }}", False),
        ("{{ profile | dictsort }}", False),
    ],
)
def test_unstable_key_order_printed_unless_a_filter_sorts_it(written, flagged):
    keys = render(profile={"expression": "profile", "unsorted_keys": "a dict filled from a set"})
    found = findings("CTX002", "prompts/system.j2", f"Profile: {written}\n" + RULES, keys)
    assert bool(found) is flagged


def test_a_set_looped_over_gets_a_sort_fix():
    text = "Tools:\n{% for name in names %}- {{ name }}\n{% endfor %}\n" + RULES
    names = render(names={"expression": "{t.name for t in tools}", "unordered": "a set"})
    (found,) = findings("CTX003", "prompts/system.j2", text, names)
    assert "`names` iterates a set in the system part" in found.message
    fixed = apply(text, found.fix)
    assert "{% for name in names | sort %}" in fixed
    assert findings("CTX003", "prompts/system.j2", fixed, names) == []


def test_a_value_only_tested_is_not_judged():
    # Skyvern: `{{'"new ids"' if new_ids else '"all ids"'}}` prints a literal; the set passed
    # for `new_ids` only decides which.
    names = render(new_ids={"expression": "set(ids)", "unordered": "a set"})
    text = "Pick from {{ '\"new ids\"' if new_ids else '\"all ids\"' }}.\n" + RULES
    assert findings("CTX003", "prompts/select.j2", text, names) == []
    text = "{% if new_ids %}There are new ids.{% endif %}\n" + RULES
    assert findings("CTX003", "prompts/select.j2", text, names) == []
    text = "New ids: {{ new_ids | join(', ') }}\n" + RULES
    assert len(findings("CTX003", "prompts/select.j2", text, names)) == 1


def test_a_search_the_template_runs_is_flagged_above_fixed_text_in_any_part():
    # Semantic Kernel's ContextQuery: `{{recall $input}}` above the rules, in one message.
    text = "[CONTEXT]\n{{recall $input}}\n[RULES]\n" + RULES + "Question: {{$input}}\n"
    (found,) = findings("CTX011", "QA/ContextQuery/skprompt.txt", text)
    assert "searches memory for this turn in the template" in found.message
    # At the very end it costs nothing.
    assert findings("CTX011", "QA/ContextQuery/skprompt.txt", RULES + "{{recall $input}}\n") == []
