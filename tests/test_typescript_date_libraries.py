"""CTX001 on the clock reads of moment, dayjs and date-fns: a time of day is flagged, a date
alone is not (unless flag-daily-values), and a clock read that only times work is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.engine import check_paths

from conftest import make_settings

HEADER = (
    'import moment from "moment";\n'
    'import dayjs from "dayjs";\n'
    'import { format } from "date-fns";\n'
    'import { formatInTimeZone } from "date-fns-tz";\n'
    'import { generateText } from "ai";\n'
    'const DAY = "YYYY-MM-DD";\n'
)


def _findings(tmp_path: Path, text: str, **table) -> list[tuple]:
    path = tmp_path / "agent.ts"
    path.write_text(text, encoding="utf-8")
    settings = make_settings({"select": ["CTX001", "CTX900"], **table}, tmp_path)
    return [(d.start.line, d.message) for d in check_paths([str(path)], settings).diagnostics]


def _asking(expression: str) -> str:
    return HEADER + (
        "export async function ask(model, q) {\n"
        f"  const stamp = {expression};\n"
        "  return generateText({ model, system: `Context: ${stamp}`, prompt: q });\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("expression", "flagged"),
    [
        ("moment()", True),
        ("moment().format()", True),
        ("moment().format('YYYY-MM-DD HH:mm')", True),
        ("moment().format('h:mm A')", True),
        ("moment().format('LLLL')", True),
        ("moment().toISOString()", True),
        ("moment().unix()", True),
        ("moment().valueOf()", True),
        ("moment.utc().format('YYYY-MM-DDTHH:mm:ss')", True),
        ("dayjs().format('YYYY-MM-DD hh:mm a')", True),
        ("dayjs().add(1, 'day').toISOString()", True),
        ("moment().format('YYYY-MM-DD')", False),
        ("moment().format('dddd, MMMM Do YYYY')", False),
        ("moment().format('[Today at noon is] LL')", False),
        ("dayjs().format(DAY)", False),
        ("dayjs().format(q.pattern)", False),
        ("dayjs().year()", False),
        ("dayjs().format('L')", False),
        ("moment().startOf('day').toISOString()", False),
        ("moment().toISOString().slice(0, 10)", False),
        # Not now: the time it is given.
        ("moment(q.sentAt).format('HH:mm')", False),
        ("dayjs(0).format()", False),
        ("format(new Date(), 'yyyy-MM-dd HH:mm')", True),
        ("format(Date.now(), 'PPpp')", True),
        ('format(new Date(), "h:mm aaa")', True),
        ("formatInTimeZone(new Date(), 'UTC', 'yyyy-MM-dd HH:mm')", True),
        ("format(new Date(), 'yyyy-MM-dd')", False),
        ("format(new Date(), \"EEEE, MMMM do 'of' yyyy\")", False),
        ("format(new Date(), 'PPP')", False),
        ("formatInTimeZone(new Date(), 'UTC', 'yyyy-MM-dd')", False),
    ],
)
def test_what_a_date_library_shows(tmp_path, expression, flagged):
    assert bool(_findings(tmp_path, _asking(expression))) is flagged


def test_a_date_is_flagged_with_flag_daily_values(tmp_path):
    text = _asking("dayjs().format('YYYY-MM-DD')")
    [(line, message)] = _findings(tmp_path, text, **{"flag-daily-values": True})
    assert line == 8
    assert "changes every day" in message


def test_a_function_named_moment_of_another_module_is_not_a_clock_read(tmp_path):
    text = (
        'import { moment } from "./moments";\n'
        'import { format } from "./format";\n'
        'import { generateText } from "ai";\n'
        "export function ask(model, q) {\n"
        "  const system = `${moment().format()} ${format(new Date(), 'yyyy-MM-dd')}`;\n"
        "  return generateText({ model, system, prompt: q });\n"
        "}\n"
    )
    # `format` of another module is not date-fns: the clock read in it is judged as a Date.
    assert [line for line, _ in _findings(tmp_path, text)] == [5]
    assert "`new Date()`" in _findings(tmp_path, text)[0][1]


def test_timing_a_request_is_not_the_prompt(tmp_path):
    text = HEADER + (
        "export async function ask(model, q) {\n"
        "  const started = Date.now();\n"
        "  const t0 = performance.now();\n"
        '  const result = await generateText({ model, system: "You help.", prompt: q });\n'
        "  console.log(`took ${Date.now() - started} ms (${performance.now() - t0})`);\n"
        "  return { ...result, ms: Date.now() - started, at: moment().format() };\n"
        "}\n"
    )
    assert _findings(tmp_path, text) == []
