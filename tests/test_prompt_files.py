"""Prompt files read into parts by role, with placeholders at their file line and column: the
fixtures under fixtures/prompt_files/ (one per format, shaped after each format's docs), and
the faults a reader must turn into a PromptFileError rather than raise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ctxlint.prompt_files import PromptFile, read_prompt_file, share_before
from ctxlint.prompt_files.placeholders import format_fields, handlebars_blocks

from conftest import REPO

FIXTURES = REPO / "fixtures" / "prompt_files"
ALL_FIXTURES = sorted(path for path in FIXTURES.rglob("*") if path.is_file())


def _read(relative: str) -> tuple[PromptFile, str]:
    path = FIXTURES / relative
    return read_prompt_file(path), path.read_text(encoding="utf-8")


def _find(prompt: PromptFile, expression: str):
    placed = prompt.placeholders()
    matches = [(part, held) for part, held in placed if held.expression == expression]
    assert matches, [held.expression for _, held in prompt.placeholders()]
    return matches[0]


def _line_col(source: str, offset: int) -> tuple[int, int]:
    before = source[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_every_placeholder_points_at_its_own_text_in_the_file(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    prompt = read_prompt_file(path)
    for part in prompt.parts:
        if path.suffix not in (".yaml", ".json"):
            assert source[part.start : part.end] == part.text
        assert part.line == _line_col(source, part.start)[0]
        for held in part.placeholders:
            assert source[held.offset :].startswith(held.expression), held
            assert (held.line, held.column) == _line_col(source, held.offset)
            assert part.start <= held.offset < part.end


def test_a_jinja_system_template_with_now_at_the_top() -> None:
    prompt, _ = _read("jinja/system.j2")
    assert (prompt.kind, prompt.errors) == ("jinja", ())
    [part] = prompt.parts
    # The file's name says it is the system prompt: the cached prefix.
    assert (part.role, part.in_prefix, part.syntax) == ("system", True, "jinja")
    _, now = _find(prompt, "now()")
    assert (now.construct, now.calls, now.names, now.line, now.column) == (
        "output",
        ("now",),
        (),
        1,
        27,
    )
    # At the top, it leaves almost none of the system prompt cacheable.
    assert share_before(part, now.offset).fraction < 0.1
    _, loop = _find(prompt, "policies")
    assert (loop.construct, loop.line) == ("loop", 6)
    _, dumped = _find(prompt, "customer | tojson")
    assert (dumped.filters, dumped.names) == (("tojson",), ("customer",))
    assert share_before(part, dumped.offset).fraction > 0.9


def test_prompty_splits_messages_at_role_lines_and_keeps_the_front_matter() -> None:
    prompt, _ = _read("prompty/support.prompty")
    assert (prompt.kind, prompt.errors) == ("prompty", ())
    assert [(part.role, part.in_prefix) for part in prompt.parts] == [
        ("system", True),
        ("user", False),
    ]
    assert prompt.metadata["name"] == "Support Chat"
    system, date = _find(prompt, "date")
    assert (system.role, date.line) == ("system", 19)
    # `{{item.role}}:` inside the history loop is no role line: it stays in the system part.
    item_role, _ = _find(prompt, "item.role")
    assert item_role.role == "system"
    user, question = _find(prompt, "question")
    assert user.role == "user" and question.line == 30


def test_prompty_text_before_any_role_line_is_system(tmp_path: Path) -> None:
    path = tmp_path / "bare.prompty"
    path.write_text("---\nname: bare\n---\nYou help. It is {{now}}.\nuser:\n{{q}}\n")
    prompt = read_prompt_file(path)
    assert [part.role for part in prompt.parts] == ["system", "user"]
    assert _find(prompt, "now")[0].role == "system"


def test_prompty_with_bad_front_matter_still_reads_its_body(tmp_path: Path) -> None:
    path = tmp_path / "bad.prompty"
    path.write_text("---\nname: [unclosed\n---\nsystem:\nToday is {{date}}.\n")
    prompt = read_prompt_file(path)
    [error] = prompt.errors
    assert error.line == 2 and "YAML" in error.reason
    assert _find(prompt, "date")[0].role == "system"


def test_promptfoo_config_reads_inline_prompts_and_names_prompt_files() -> None:
    prompt, _ = _read("promptfoo/promptfooconfig.yaml")
    assert prompt.kind == "promptfoo"
    assert [(ref.target, ref.role, ref.line) for ref in prompt.references] == [
        ("prompts/chat.yaml", "unknown", 4),
        ("prompts/plain.txt", "unknown", 5),
    ]
    [part] = prompt.parts
    assert (part.role, part.label, part.line) == ("unknown", "prompts[2]", 7)
    _, stamped = _find(prompt, '"now" | date')
    assert stamped.filters == ("date",)


def test_a_promptfoo_chat_prompt_in_yaml() -> None:
    prompt, _ = _read("promptfoo/prompts/chat.yaml")
    assert prompt.kind == "chat"
    assert [(part.role, part.in_prefix) for part in prompt.parts] == [
        ("system", True),
        ("user", False),
    ]
    system, current = _find(prompt, "current_time")
    assert system.role == "system" and (current.line, current.column) == (4, 28)


def test_semantic_kernel_chat_prompt_and_its_config() -> None:
    prompt, _ = _read("semantic_kernel/Summarize/skprompt.txt")
    assert prompt.kind == "semantic-kernel"
    assert [part.role for part in prompt.parts] == ["system", "user"]
    system, today = _find(prompt, "time.today")
    assert system.role == "system" and today.calls == ("time.today",) and today.names == ()
    user, variable = _find(prompt, "$input")
    assert user.role == "user" and variable.names == ("input",)
    config = read_prompt_file(FIXTURES / "semantic_kernel/Summarize/config.json")
    assert (config.kind, config.parts, config.errors) == ("semantic-kernel", (), ())
    assert config.metadata["description"].startswith("Summarize")


def test_semantic_kernel_handlebars_prompt_named_by_its_config(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"template_format": "handlebars"}))
    (tmp_path / "skprompt.txt").write_text("Hello {{name}}, it is {{clock}}.")
    prompt = read_prompt_file(tmp_path / "skprompt.txt")
    assert prompt.parts[0].syntax == "handlebars"
    assert [held.names for _, held in prompt.placeholders()] == [("name",), ("clock",)]


def test_semantic_kernel_yaml_template(tmp_path: Path) -> None:
    path = tmp_path / "summarize.yaml"
    path.write_text(
        "name: Summarize\n"
        "template_format: semantic-kernel\n"
        "template: |\n"
        '  <message role="system">Now: {{time.now}}</message>\n'
        "  {{$input}}\n"
        "input_variables:\n"
        "  - name: input\n"
    )
    prompt = read_prompt_file(path)
    assert prompt.kind == "semantic-kernel"
    _, call = _find(prompt, "time.now")
    assert (call.line, call.column) == (4, 33)


def test_a_langchain_prompt_export() -> None:
    prompt, source = _read("langchain/prompt.yaml")
    assert (prompt.kind, prompt.errors) == ("langchain", ())
    [part] = prompt.parts
    # The block scalar's text is read without its indent, and mapped back to the file.
    assert part.text.startswith("You are a research assistant.")
    assert part.syntax == "format"
    _, date = _find(prompt, "current_date")
    assert (date.line, date.column) == (6, 46)
    assert source[date.offset :].startswith("current_date}")


def test_a_langchain_chat_export_is_one_user_message(tmp_path: Path) -> None:
    path = tmp_path / "chat.yaml"
    path.write_text(
        "_type: chat\ninput_variables: [topic]\nmessages:\n"
        "  - prompt:\n      template: 'Tell me about {topic}'\n"
    )
    prompt = read_prompt_file(path)
    assert [(part.role, part.label) for part in prompt.parts] == [
        ("user", "messages[0].prompt.template")
    ]


def test_a_dotprompt_file_splits_at_role_helpers() -> None:
    prompt, _ = _read("dotprompt/greeting.prompt")
    assert prompt.kind == "dotprompt"
    assert [(part.role, part.in_prefix) for part in prompt.parts] == [
        ("system", True),
        ("user", False),
    ]
    assert prompt.metadata["model"] == "googleai/gemini-2.0-flash"
    system, local_time = _find(prompt, "localTime")
    assert system.role == "system" and local_time.line == 12
    assert all(held.calls != ("role",) for _, held in prompt.placeholders())


def test_a_broken_jinja_template_is_an_error_at_its_line_and_the_rest_is_read() -> None:
    prompt, _ = _read("broken/broken.j2")
    [error] = prompt.errors
    assert error.line == 6 and "Jinja syntax error" in error.reason
    assert error.path == FIXTURES / "broken/broken.j2"
    # Each `{{ }}` that parses alone is still found.
    _, name = _find(prompt, "tool.name")
    assert name.line == 5


def test_a_markdown_prompt_with_format_fields() -> None:
    prompt, _ = _read("markdown/prompts/assistant.md")
    assert prompt.kind == "format-string"
    [part] = prompt.parts
    assert (part.role, part.in_prefix) == ("unknown", True)
    names = [held.names[0] for _, held in prompt.placeholders()]
    # `{{"slots": …}}` is an escaped JSON example, no field.
    assert names == ["current_time", "opening_hours", "patient_name", "message"]
    _, current = _find(prompt, "current_time")
    assert (current.line, current.construct) == (3, "field")


def test_format_fields_skip_positional_and_json_braces_and_survive_a_stray_brace() -> None:
    assert [held.names for held in format_fields("{} {0} {x!r:>{width}} {{y}}")] == [("x",)]
    # string.Formatter refuses a lone `}`; the single-brace fields are still found.
    loose = format_fields('Example: {"a": 1}} then {when}')
    assert [(held.names, held.offset) for held in loose] == [(("when",), 25)]


def test_handlebars_blocks_skip_comments_escapes_and_closers() -> None:
    found = handlebars_blocks("{{! note}} \\{{raw}} {{#each docs}}{{{this}}}{{/each}} {{x.y}}")
    assert [(held.construct, held.names) for held in found] == [
        ("loop", ("docs",)),
        ("output", ()),
        ("output", ("x.y",)),
    ]


def test_role_keyed_yaml_and_chat_json(tmp_path: Path) -> None:
    keyed = tmp_path / "prompts.yaml"
    keyed.write_text("system: |\n  It is {now}.\nuser: '{question}'\n")
    prompt = read_prompt_file(keyed)
    assert (prompt.kind, [part.role for part in prompt.parts]) == ("role-keyed", ["system", "user"])
    chat = tmp_path / "chat.json"
    chat.write_text(
        json.dumps(
            [
                {"role": "system", "content": [{"type": "text", "text": "Date {{ today }}"}]},
                {"role": "user", "content": "{{ q }}"},
            ],
            indent=1,
        )
    )
    read = read_prompt_file(chat)
    assert read.kind == "chat"
    system, today = _find(read, "today")
    assert system.role == "system" and chat.read_text()[today.offset :].startswith("today")


def test_share_before_is_what_precedes_the_point_in_the_part() -> None:
    prompt, _ = _read("jinja/system.j2")
    [part] = prompt.parts
    assert share_before(part, part.start).fraction == 0.0
    assert share_before(part, part.end).fraction == 1.0
    assert share_before(part, part.start - 5).before == 0
    middle = share_before(part, part.start + len(part.text) // 2)
    assert (middle.before, middle.total) == (len(part.text) // 2, len(part.text))


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("bad.yaml", "system: [unclosed\nuser: x\n", 2),
        ("two.yaml", "a: 1\n---\nb: 2\n", 2),
        ("deep.yaml", "[" * 5000, 1),
        ("deep.j2", "{% if x %}" * 3000, 1),
        ("tabs.json", '{"messages": [\n\t{"role": "system", "content": 1}]}', None),
        ("empty.prompty", "", None),
        ("only_front.prompt", "---\nmodel: x\n---\n", None),
        ("weird.md", "}{ {{ {% %} {# ", None),
    ],
)
def test_faults_are_values_never_exceptions(
    tmp_path: Path, name: str, content: str, line: int | None
) -> None:
    path = tmp_path / name
    path.write_text(content)
    prompt = read_prompt_file(path)
    if line is None:
        return
    assert [error.line for error in prompt.errors] == [line]


def test_unreadable_files_are_errors(tmp_path: Path) -> None:
    latin = tmp_path / "system.md"
    latin.write_bytes(b"line one\nCaf\xe9 {now}\n")
    [error] = read_prompt_file(latin).errors
    assert (error.line, error.reason) == (2, "not UTF-8 text")
    [missing] = read_prompt_file(tmp_path / "absent.j2").errors
    assert missing.line == 1 and "cannot be read" in missing.reason


def test_importing_the_package_loads_neither_jinja2_nor_yaml() -> None:
    probe = (
        "import sys, json; import ctxlint.prompt_files; "
        "print(json.dumps(sorted(m for m in ('jinja2', 'yaml') if m in sys.modules)))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(completed.stdout) == []


def test_placeholders_in_escaped_or_folded_values_are_placed_on_their_text(tmp_path: Path) -> None:
    tabbed = tmp_path / "chat.json"
    # Tab-indented JSON (which YAML alone refuses), and escapes before the placeholder.
    tabbed.write_text(
        '{\n\t"messages": [\n'
        '\t\t{"role": "system", "content": "One\\nIt is \\"{{ now() }}\\""},\n'
        '\t\t{"role": "user", "content": "{{q}}"}\n\t]\n}\n'
    )
    folded = tmp_path / "prompts.yaml"
    folded.write_text('system: >\n  You help.\n  Time {now}\n  and {place}.\nuser: "{q}"\n')
    for path in (tabbed, folded):
        prompt = read_prompt_file(path)
        source = path.read_text()
        assert prompt.errors == ()
        for _, held in prompt.placeholders():
            assert source[held.offset :].startswith(held.expression), (path.name, held)


def test_semantic_kernel_yaml_with_message_tags_and_a_history_loop(tmp_path: Path) -> None:
    path = tmp_path / "chat.yaml"
    # Shaped after Semantic Kernel's handlebars chat prompt samples; `jinja2` as a format is
    # Semantic Kernel's too when the file has a `name`.
    path.write_text(
        "name: ContosoChat\n"
        "template: |\n"
        '  <message role="system">\n'
        "    Today is {{ today }}. Customer: {{ customer.name }}\n"
        "  </message>\n"
        "  {% for item in history %}\n"
        '  <message role="{{ item.role }}">{{ item.content }}</message>\n'
        "  {% endfor %}\n"
        "template_format: jinja2\n"
    )
    prompt = read_prompt_file(path)
    assert (prompt.kind, prompt.errors) == ("semantic-kernel", ())
    assert [(part.role, part.label) for part in prompt.parts] == [
        ("system", '<message role="system">'),
        ("unknown", "outside <message> tags"),
        ("unknown", '<message role="{{ item.role }}">'),
        ("unknown", "outside <message> tags"),
    ]
    system, today = _find(prompt, "today")
    assert system.role == "system" and (today.line, today.column) == (4, 17)
    loop, history = _find(prompt, "history")
    assert loop.label == "outside <message> tags" and history.construct == "loop"


def test_langchain_chat_messages_under_template_and_few_shot_prefix_suffix(tmp_path: Path) -> None:
    chat = tmp_path / "simple_chat_prompt.yaml"
    # As LangChain's own test examples keep a chat prompt: messages under `template:`.
    chat.write_text(
        "_type: chat\ninput_variables: [adjective]\ntemplate:\n"
        '  - role: system\n    content: "You are a comedian. Today is {today}."\n'
        '  - role: human\n    content: "Tell me a {adjective} joke."\n'
    )
    prompt = read_prompt_file(chat)
    assert [(part.role, part.in_prefix) for part in prompt.parts] == [
        ("system", True),
        ("user", False),
    ]
    assert _find(prompt, "today")[0].role == "system"
    few_shot = tmp_path / "few_shot.yaml"
    few_shot.write_text(
        "_type: few_shot\ninput_variables: [adjective]\nprefix: Antonyms, as of {date}.\n"
        "examples: examples.json\nsuffix: 'Input: {adjective}'\n"
    )
    read = read_prompt_file(few_shot)
    assert [part.label for part in read.parts] == ["prefix", "suffix"]
    assert [held.names for _, held in read.placeholders()] == [("date",), ("adjective",)]


def test_promptfoo_chat_messages_give_their_role_to_the_files_they_name(tmp_path: Path) -> None:
    path = tmp_path / "promptfooconfig.yaml"
    # Shaped after promptfoo's chat-messages-format example.
    path.write_text(
        "prompts:\n"
        "  - label: Chat\n"
        "    messages:\n"
        "      - role: system\n"
        "        content: file://system.j2\n"
        "      - role: user\n"
        "        content: 'Explain {{ topic }} as of {{ now }}.'\n"
    )
    prompt = read_prompt_file(path)
    assert [(ref.target, ref.role, ref.line) for ref in prompt.references] == [
        ("system.j2", "system", 5)
    ]
    assert [(part.role, part.label) for part in prompt.parts] == [("user", "Chat.messages[1]")]


def test_a_guessed_language_that_does_not_parse_is_no_fault(tmp_path: Path) -> None:
    # agent-zero's prompts use their own `{{ include "…" }}`, which is no Jinja; a `.md` is
    # only guessed to be Jinja, so that is silence, while a `.j2` that fails is a fault.
    text = '# Manual\n{{ include "./role.md" }}\nIt is {{ date_time }}.\n'
    markdown = tmp_path / "prompts" / "agent.system.main.md"
    markdown.parent.mkdir()
    markdown.write_text(text)
    read = read_prompt_file(markdown)
    assert (read.kind, read.errors) == ("jinja", ())
    assert [held.expression for _, held in read.placeholders()] == ["date_time"]
    template = tmp_path / "agent.j2"
    template.write_text(text)
    assert [error.line for error in read_prompt_file(template).errors] == [2]


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("system.j2", "system"),
        ("system_prompt.md", "system"),
        ("agent.system.main.md", "system"),
        ("issue_conversation_instructions.j2", "instructions"),
        ("user1.j2", "user"),
        ("summary_user_message.j2", "user"),
        ("ask_user_question.txt", "unknown"),
        ("assistant.md", "unknown"),
        ("prompt.j2", "unknown"),
    ],
)
def test_the_role_a_file_name_gives(tmp_path: Path, name: str, role: str) -> None:
    path = tmp_path / name
    path.write_text("Answer briefly. It is {{ now }}.\n")
    assert [part.role for part in read_prompt_file(path).parts] == [role]


def test_text_or_bytes_given_are_read_instead_of_the_disk(tmp_path: Path) -> None:
    path = tmp_path / "system.j2"  # never written: the text given is what is read
    from_text = read_prompt_file(path, "It is {{ now() }}.")
    from_bytes = read_prompt_file(path, "\ufeffIt is {{ now() }}.".encode())
    for prompt in (from_text, from_bytes):
        assert [(held.calls, held.column) for _, held in prompt.placeholders()] == [(("now",), 10)]


def test_the_share_of_the_whole_prefix_before_a_placeholder() -> None:
    prompt, _ = _read("prompty/support.prompty")
    [system] = prompt.prefix_parts
    _, date = _find(prompt, "date")
    # One prefix part: the file's share is the part's.
    assert prompt.prefix_share_before(date.offset) == share_before(system, date.offset)
    chat = read_prompt_file(FIXTURES / "semantic_kernel/Summarize/skprompt.txt")
    assert [part.in_prefix for part in chat.parts] == [True, False]
    _, user_input = _find(chat, "$input")
    # Past every prefix part: all of the prefix precedes it.
    whole = chat.prefix_share_before(user_input.offset)
    assert whole.before == whole.total == len(chat.parts[0].text)


def test_a_prompt_file_in_jinja_is_read_as_jinja_not_dotprompt():
    # gpt-pilot keeps Jinja templates as `*.prompt`: block tags, no front matter, no role helper.
    jinja = read_prompt_file(Path("prompts/plan.prompt"), "{% if files %}{{ files }}{% endif %}\n")
    assert (jinja.kind, jinja.parts[0].syntax, jinja.errors) == ("jinja", "jinja", ())
    dotprompt = read_prompt_file(
        Path("greet.prompt"), '---\nmodel: x\n---\n{{role "system"}}\nHi\n'
    )
    assert dotprompt.kind == "dotprompt"
