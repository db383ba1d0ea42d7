"""CTX001's cut of a strftime format down to the date: the date text stays as it was, the time
of day goes with exactly its own separators, no two fields end up glued, and where the cut is
not clearly right no fix is offered."""

from __future__ import annotations

import ast
import itertools
import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.engine import FixMode, check_source
from ctxlint.python.timeformat import date_only, shows_time_of_day, sliced

from conftest import make_settings

# The reproducers, and what a reader would write by hand.
CUTS = [
    ("%a %b %d %H:%M:%S %Y", "%a %b %d %Y"),
    ("%Y-%m-%d %H:%M (%A)", "%Y-%m-%d (%A)"),
    ("%Y-%m-%d (%A) %H:%M", "%Y-%m-%d (%A)"),
    ("Today is %A %H:%M, %B %d", "Today is %A, %B %d"),
    ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d"),
    ("%d %b, %l:%M %P", "%d %b"),
    ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
    ("%A, %B %d, %Y at %I:%M %p", "%A, %B %d, %Y"),
    ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"),
    ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"),
    ("%d (%H:%M) %Y", "%d %Y"),
    ("(%A %H:%M)", "(%A)"),
    ("%H:%M, %A %d %B", "%A %d %B"),
    ("%x %X", "%x"),
    ("%Y-%m-%d %H:%M.", "%Y-%m-%d."),
    ("%Y-%m-%d_%H-%M-%S", "%Y-%m-%d"),
    ("%Y-%m-%d @ %H:%M", "%Y-%m-%d"),
    ("%Y-%m-%d %r", "%Y-%m-%d"),
    ("%-d %B %Y, %-I:%M%p", "%-d %B %Y"),
    ("100%% on %Y-%m-%d %H:%M", "100%% on %Y-%m-%d"),
]
# Nothing to cut, nothing of a date left, or no cut that is clearly right.
DECLINED = [
    "%Y-%m-%d",  # no time of day: a "fix" would change nothing
    "%H:%M:%S",
    "%c",  # date and time in one directive
    "%Y-%m-%d %c",
    "%Y %% %H",  # a literal % next to the time: whose is it?
    "%Y-%m-%d %H:%M %%",
    "%Y-%m-%d %H:%M Uhr",
    "Time: %H:%M %d/%m",
    "%d/%m Time: %H:%M",
    "%H:%M (%S)",
    "%d%H%m",  # the day and the month would be glued
    "%Y-%m-%d, %H:%M; %A",  # two different separators: which one stays?
    "%Y-%m-%d %H:%M %Q",  # not a directive Python and the C library agree on
    "%Y-%m-%d %H:%M %",
    "%Y-%m-%d %H:%M %E",
]


@pytest.mark.parametrize(("before", "after"), CUTS)
def test_cut_to_the_date(before, after):
    assert date_only(before) == after


@pytest.mark.parametrize("format_string", DECLINED)
def test_no_cut_where_it_is_not_clearly_right(format_string):
    assert date_only(format_string) is None


@pytest.mark.parametrize(
    ("format_string", "shows"),
    [("%r", True), ("%l:%M %P", True), ("%OH", True), ("%c", True), ("%Y %%H", False)],
)
def test_shows_time_of_day(format_string, shows):
    assert shows_time_of_day(format_string) is shows


# The property ---------------------------------------------------------------------------------

# Every date and time field renders a token of its own at this moment, and the zone too.
MOMENT = datetime(2031, 7, 19, 14, 47, 58, 123456, timezone(timedelta(hours=5, minutes=30), "IST"))
# The same day at another time of day.
SAME_DAY = MOMENT.replace(hour=9, minute=3, second=12, microsecond=654321)
_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_ZONE_GAP = re.compile(r"\s*[+-]?")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


TIME_TOKENS = frozenset(_tokens(MOMENT.strftime("%H %I %k %l %M %S %f %p %P %s %X %r %T %R")))
DATE_TOKENS = frozenset(
    _tokens(MOMENT.strftime("%a %A %b %B %C %d %D %e %F %g %G %j %m %u %U %V %w %W %x %y %Y"))
)
ZONE_TOKENS = frozenset({"IST", "0530", "UTC", "GMT", "Z"})
# The words of the literal text the generated formats hold.
WORDS = frozenset({"Today", "is", "Now", "Uhr", "at", "T", "W", "UTC", "GMT", "Z"})

DATE_BLOCKS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%a %b %d",
    "%A",
    "%B %-d",
    "%Y",
    "%x",
    "%F",
    "%e %b",
    "%j",
    "%G-W%V-%u",
    "%D",
)
TIME_BLOCKS = (
    "%H:%M",
    "%H:%M:%S",
    "%I:%M %p",
    "%l:%M %P",
    "%H:%M:%S.%f",
    "%X",
    "%T",
    "%R",
    "%r",
    "%k:%M",
    "%s",
    "%H",
    "%I%p",
    "%H:%M:%S%z",
    "%H:%M:%S %Z",
    "%H:%M UTC",
    "%H:%M:%SZ",
    "%OH:%OM",
    "%-I:%M%p",
    "%H%M",
)
OTHER_BLOCKS = ("%Z", "%z", "%%", "%c")
SEPARATORS = ("", " ", ", ", " - ", "T", "_", " | ", "/", "; ", " at ", ": ", "%n", " %% ")
WRAPS = ("{}", "({})", "[{}]")
PREFIXES = ("", "Today is ", "Now: ", "(", "- ", "%% ")
SUFFIXES = ("", ".", ")", " Uhr", " %%", "!", " (%A)")
# Separators a time may take with it on either side without any doubt.
PLAIN_SEPARATORS = ("", " ", ", ", " - ", "_", " | ", "/", "; ", ": ", "%n")


def _generated_formats() -> list[str]:
    formats = []
    for date, time, separator in itertools.product(DATE_BLOCKS, TIME_BLOCKS, SEPARATORS):
        formats += [date + separator + time, time + separator + date]
    chooser = random.Random(13)
    blocks = DATE_BLOCKS + TIME_BLOCKS + OTHER_BLOCKS
    for _ in range(3000):
        parts = [
            chooser.choice(WRAPS).format(chooser.choice(blocks))
            for _ in range(chooser.randint(2, 4))
        ]
        joined = parts[0]
        for part in parts[1:]:
            joined += chooser.choice(SEPARATORS) + part
        formats.append(chooser.choice(PREFIXES) + joined + chooser.choice(SUFFIXES))
    return formats


FORMATS = _generated_formats()


def _removed(text: str) -> list[tuple[re.Match, bool]]:
    """The rendered text's tokens, each with whether "the time of day removed" removes it: the
    time's own tokens, a zone written right after it, ISO's T before it, an `at` leading it.
    Worked out on the rendered text, independently of how the rewriter reads the format."""
    tokens = list(_TOKEN.finditer(text))
    removed = [token.group() in TIME_TOKENS for token in tokens]

    def gap(first: int, second: int) -> str:
        return text[tokens[first].end() : tokens[second].start()]

    for index, token in enumerate(tokens):
        word = token.group()
        follows_time = index > 0 and removed[index - 1]
        precedes_time = index + 1 < len(tokens) and tokens[index + 1].group() in TIME_TOKENS
        # A zone right after the time: blanks or the sign of %z between.
        if word in ZONE_TOKENS and follows_time and _ZONE_GAP.fullmatch(gap(index - 1, index)):
            removed[index] = True
        elif word == "T" and precedes_time and index > 0 and not gap(index - 1, index):
            removed[index] = not gap(index, index + 1).strip()  # %l pads with a blank
        elif word == "at" and precedes_time and gap(index, index + 1).isspace():
            removed[index] = True
    return list(zip(tokens, removed, strict=True))


def _balanced(text: str) -> bool:
    depth = {"(": 0, "[": 0}
    for character in text:
        if character in "([":
            depth[character] += 1
        elif character in ")]":
            opener = "(" if character == ")" else "["
            depth[opener] -= 1
            if depth[opener] < 0:
                return False
    return not any(depth.values())


def _readable(format_string: str) -> bool:
    """Whether every token the format renders is known: fields the format itself glues
    together ("%d%H" renders "1914") cannot be told apart in the text."""
    known = TIME_TOKENS | DATE_TOKENS | ZONE_TOKENS | WORDS
    return all(token in known for token in _tokens(MOMENT.strftime(format_string)))


def _check_cut(before: str, after: str) -> None:
    old_text, new_text = MOMENT.strftime(before), MOMENT.strftime(after)
    assert SAME_DAY.strftime(after) == new_text, "the cut format still shows a time of day"
    marked = _removed(old_text)
    kept = [token for token, removed in marked if not removed]
    new_tokens = list(_TOKEN.finditer(new_text))
    assert [t.group() for t in new_tokens] == [t.group() for t in kept], (old_text, new_text)
    # Each gap between kept tokens: unchanged where nothing was removed from it, else the
    # start of what stood after the left token and the end of what stood before the right one.
    edges = [None, *kept, None]
    new_edges = [None, *new_tokens, None]
    for position in range(len(edges) - 1):
        left, right = edges[position], edges[position + 1]
        start = left.end() if left else 0
        end = right.start() if right else len(old_text)
        inside = [token for token, _ in marked if start <= token.start() < end]
        pieces = [old_text[start:end]]
        if inside:
            pieces = [old_text[start : inside[0].start()], old_text[inside[-1].end() : end]]
        new_left, new_right = new_edges[position], new_edges[position + 1]
        new_start = new_left.end() if new_left else 0
        new_gap = new_text[new_start : new_right.start() if new_right else len(new_text)]
        if len(pieces) == 1:
            assert new_gap == pieces[0], (old_text, new_text)
        else:
            assert any(
                pieces[0].startswith(new_gap[:cut]) and pieces[1].endswith(new_gap[cut:])
                for cut in range(len(new_gap) + 1)
            ), (old_text, new_text, new_gap)
        if left and right and start < end:
            assert new_gap, f"two fields glued together: {old_text!r} -> {new_text!r}"
    if _balanced(old_text):
        assert _balanced(new_text), (old_text, new_text)


def test_the_moments_tell_every_field_apart():
    assert not TIME_TOKENS & DATE_TOKENS
    assert not ZONE_TOKENS & (DATE_TOKENS | TIME_TOKENS)
    assert MOMENT.date() == SAME_DAY.date()
    assert not {_tokens(SAME_DAY.strftime(f"%{letter}"))[0] for letter in "HMSf"} & TIME_TOKENS


def test_every_cut_keeps_the_date_text_and_drops_only_the_time():
    cut = 0
    for before in FORMATS:
        after = date_only(before)
        if after is None or not _readable(before):
            continue
        cut += 1
        _check_cut(before, after)
    # The property must not hold only because nearly everything is declined.
    assert cut > len(FORMATS) // 3


def test_a_date_and_a_time_with_plain_separators_are_always_cut():
    declined = [
        format_string
        for date, time, separator in itertools.product(DATE_BLOCKS, TIME_BLOCKS, PLAIN_SEPARATORS)
        for format_string in (date + separator + time, time + separator + date)
        if date_only(format_string) is None
    ]
    declined += [
        date + separator + time
        for date, time, separator in itertools.product(DATE_BLOCKS, TIME_BLOCKS, ("T", " at "))
        if date_only(date + separator + time) is None
    ]
    assert declined == []


@pytest.mark.parametrize(("before", "after"), CUTS)
def test_the_handwritten_cuts_pass_the_property(before, after):
    _check_cut(before, after)


# A slice of the printed text ------------------------------------------------------------------

ISO = "%Y-%m-%dT%H:%M:%S"


@pytest.mark.parametrize(
    ("start", "stop", "part"),
    [
        (0, 10, "%Y-%m-%d"),
        (0, 7, "%Y-%m"),
        (0, 6, "%Y-%m"),  # a field cut through is kept whole
        (0, 11, "%Y-%m-%dT"),
        (0, 12, "%Y-%m-%dT%H"),
        (11, 19, "%H:%M:%S"),
        (4, 5, "-"),
        (0, 0, ""),
        (0, 20, None),  # beyond what the format prints (isoformat's microseconds)
    ],
)
def test_a_slice_of_the_iso_text(start, stop, part):
    assert sliced(ISO, start, stop) == part


@pytest.mark.parametrize(
    ("format_string", "stop", "part"),
    [
        ("%d %b %H:%M", 6, None),  # a month's name is as long as the locale says
        ("%-d.%m. %H:%M", 5, None),
        ("%Y-%m-%d %H:%M %Z", 17, "%Y-%m-%d %H:%M "),
        ("%Y-%m-%d %H:%M %Z", 18, None),  # a zone's name varies in length
        ("100%% %Y-%m-%d %H", 15, "100%% %Y-%m-%d"),
        ("%F %T", 10, "%F"),
    ],
)
def test_a_slice_is_placed_only_after_fields_of_fixed_width(format_string, stop, part):
    assert sliced(format_string, 0, stop) == part


# The same day at its first and last moments, and the moments above.
DAY_MOMENTS = (
    MOMENT,
    SAME_DAY,
    MOMENT.replace(hour=0, minute=0, second=0, microsecond=0),
    MOMENT.replace(hour=23, minute=59, second=59, microsecond=999999),
)


def test_every_slice_shows_what_its_format_says():
    """The part a slice keeps prints the sliced text (and the rest of the fields it cuts
    through), and a part without a time of day is the same all day long."""
    chooser = random.Random(11)
    placed = date_only_parts = 0
    for format_string in [ISO, "%Y-%m-%d %H:%M:%S", *chooser.sample(FORMATS, 60)]:
        texts = [moment.strftime(format_string) for moment in DAY_MOMENTS]
        for start, stop in itertools.combinations(range(24), 2):
            part = sliced(format_string, start, stop)
            if part is None:
                continue
            placed += 1
            shown = [text[start:stop] for text in texts]
            printed = [moment.strftime(part) for moment in DAY_MOMENTS]
            assert all(s in p for s, p in zip(shown, printed, strict=True)), (format_string, part)
            if not shows_time_of_day(part):
                date_only_parts += 1
                assert len(set(shown)) == 1, (format_string, start, stop, part)
    assert placed > 2000 and date_only_parts > 500


# The fix in code ------------------------------------------------------------------------------

HEADER = (
    "from datetime import date, datetime, timedelta\nimport time\nimport anthropic\n"
    "client = anthropic.Anthropic()\n"
)


def _asking(system: str) -> str:
    return HEADER + (
        f"def ask(q):\n    system = {system}\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    )


def _settings(**table):
    return make_settings({"select": ["CTX001"], "unsafe-fixes": True, **table})


def _fixed(source: str, **table) -> str | None:
    """The source after --fix --unsafe-fixes, None when nothing changed; the fix must settle:
    a second run changes nothing."""
    result = check_source(source, _settings(**table), mode=FixMode.FIX)
    assert result.problems == []
    if result.fixed_text is not None:
        ast.parse(result.fixed_text)
        again = check_source(result.fixed_text, _settings(**table), mode=FixMode.FIX)
        assert again.fixed_text is None and again.problems == [], "a second --fix changed it"
    return result.fixed_text


@pytest.mark.parametrize(
    ("system", "fixed"),
    [
        # repr() would write '%Y-%m-%d', which ends this f-string on Python 3.11.
        (
            "f'Now {datetime.now().strftime(\"%Y-%m-%d %H:%M\")}'",
            "f'Now {datetime.now().strftime(\"%Y-%m-%d\")}'",
        ),
        ('datetime.now().strftime(r"%Y-%m-%d %H:%M")', 'datetime.now().strftime(r"%Y-%m-%d")'),
        ("time.strftime('''%d %b %H:%M''')", "time.strftime('''%d %b''')"),
        # Implicitly concatenated pieces become one, in the first piece's quotes.
        (
            "datetime.now().strftime(\n        '%Y-%m-%d '\n        \"%H:%M\")",
            "datetime.now().strftime(\n        '%Y-%m-%d')",
        ),
        ('f"Now: {datetime.now():%a %b %d %H:%M:%S %Y}"', 'f"Now: {datetime.now():%a %b %d %Y}"'),
        ("f'{datetime.now().isoformat()}'", "f'{datetime.now().date().isoformat()}'"),
        # The receiver keeps its parentheses: `a + b.date()` would call date() on b.
        (
            "f'{(datetime.now() + timedelta(hours=1)).isoformat()}'",
            "f'{(datetime.now() + timedelta(hours=1)).date().isoformat()}'",
        ),
    ],
)
def test_the_fix_keeps_the_code_as_written(system, fixed):
    assert _fixed(_asking(system)) == _asking(fixed)


@pytest.mark.parametrize(
    "system",
    [
        # An escape, or a comment between the pieces the fix would join (and so drop).
        'datetime.now().strftime("%Y-%m-%d "  # date\n    "%H:%M")',
        'datetime.now().strftime("%Y-%m-%d\\t%H:%M")',
        "datetime.now().isoformat(timespec='minutes')",
        "f'{datetime.now().strftime(FORMAT)}'",
    ],
)
def test_no_fix_where_the_literal_cannot_be_rewritten_in_place(system):
    source = _asking(system).replace("def ask", "FORMAT = '%H'\ndef ask")
    assert _fixed(source) is None


@pytest.mark.parametrize(
    "system",
    [
        # A date has no time of day to cut: `date.today().date()` would raise AttributeError.
        "f'Today is {date.today().isoformat()}'",
        # Already the date: the old fix rewrote it to itself and never settled.
        "f'Today is {date.today().strftime(\"%Y-%m-%d\")}'",
        "f'Today is {datetime.now().strftime(\"%Y-%m-%d\")}'",
        "f'Today is {datetime.now():%Y-%m-%d}'",
        "f'Today is {datetime.now().date().isoformat()}'",
    ],
)
def test_a_daily_value_is_flagged_and_has_no_fix(system):
    source = _asking(system)
    found = check_source(source, _settings(**{"flag-daily-values": True})).diagnostics
    assert [d.code for d in found] == ["CTX001"]
    assert found[0].fix is None
    assert _fixed(source, **{"flag-daily-values": True}) is None


DATE_SLICES = [
    "datetime.utcnow().isoformat()[:10]",
    "datetime.now().isoformat()[:10]",
    "datetime.now().isoformat()[0:10]",
    "datetime.now().isoformat(sep=' ')[:10]",
    "str(datetime.now())[:10]",
    "datetime.now().strftime('%Y-%m-%d %H:%M')[:10]",
    "time.strftime('%Y-%m-%dT%H:%M:%S')[:10]",
    "datetime.now().isoformat()[:19][:7]",
    "f'Today is {datetime.now().isoformat()[:10]}'",
]


@pytest.mark.parametrize("system", DATE_SLICES)
def test_a_slice_that_keeps_only_the_date_is_a_daily_value(system):
    source = _asking(system)
    assert check_source(source, _settings()).diagnostics == []
    found = check_source(source, _settings(**{"flag-daily-values": True})).diagnostics
    assert [d.code for d in found] == ["CTX001"]
    assert "changes every day" in found[0].message
    assert found[0].fix is None
    assert _fixed(source, **{"flag-daily-values": True}) is None


@pytest.mark.parametrize(
    "system",
    [
        "datetime.now().isoformat()[:13]",
        "datetime.now().isoformat()[11:19]",
        "datetime.now().isoformat()[:-7]",  # isoformat leaves out zero microseconds
        "datetime.now().isoformat()[11:]",
        "datetime.now().isoformat()[:19][11:]",
        "datetime.now().strftime('%d %b %H:%M')[:6]",  # as wide as the locale's month names
        "str(time.time())[:10]",  # the epoch's seconds
        "(datetime.now().isoformat() + ' UTC')[:10]",
        "f'{datetime.now()}'[:10]",
    ],
)
def test_a_slice_that_may_keep_the_time_is_a_clock_read(system):
    found = check_source(_asking(system), _settings()).diagnostics
    assert [d.code for d in found] == ["CTX001"]
    assert "reads the clock" in found[0].message


@pytest.mark.parametrize(
    "system", ["datetime.now().isoformat()[11:19]", "datetime.now().strftime('%H:%M %d')[:5]"]
)
def test_no_fix_changes_the_format_under_a_slice(system):
    # `.date().isoformat()[11:19]` is empty: a slice picks characters the cut would move.
    assert _fixed(_asking(system)) is None


def test_the_rule_offers_exactly_the_cuts_the_rewriter_makes():
    """Declined formats get no fix; the others get the cut, in the literal's own quotes."""
    chooser = random.Random(7)
    sample = [before for before, _ in CUTS] + DECLINED + chooser.sample(FORMATS, 60)
    sample = [f for f in sample if shows_time_of_day(f) and "%c" not in f]
    functions = [
        f"def ask{number}(q):\n"
        f"    system = 'Now ' + datetime.now().strftime({format_string!r})\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
        for number, format_string in enumerate(sample)
    ]
    source = HEADER + "".join(functions)
    found = {d.start.line: d for d in check_source(source, _settings()).diagnostics}
    first_line = HEADER.count("\n") + 2
    for number, format_string in enumerate(sample):
        diagnostic = found[first_line + 3 * number]
        cut = date_only(format_string)
        if cut is None:
            assert diagnostic.fix is None, format_string
        else:
            assert diagnostic.fix is not None, format_string
            assert [edit.content for edit in diagnostic.fix.edits] == [repr(cut)]
    fixed = _fixed(source)
    assert fixed is not None


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_the_ctxlint_command_cuts_the_format_in_place_whatever_the_line_endings(
    newline, tmp_path, monkeypatch
):
    """A file whose lines end in \\r had '%Y-%m-%d' appended at its end on every pass."""
    lines = [
        "import anthropic",
        "from datetime import datetime",
        "client = anthropic.Anthropic()",
        "def ask(q):",
        "    system = f'Now: {datetime.now().strftime(\"%d %b %H:%M\")} ({datetime.now():%H %A})'",
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)",
        "",
    ]
    path = tmp_path / "agent.py"
    path.write_bytes(newline.join(lines).encode())
    monkeypatch.chdir(tmp_path)
    arguments = ["--select", "CTX001", "--fix", "--unsafe-fixes", "agent.py"]
    result = CliRunner().invoke(main, arguments)
    assert "did not settle" not in result.output and "Traceback" not in result.output
    lines[4] = "    system = f'Now: {datetime.now().strftime(\"%d %b\")} ({datetime.now():%A})'"
    assert path.read_bytes() == newline.join(lines).encode()
    CliRunner().invoke(main, arguments)
    assert path.read_bytes() == newline.join(lines).encode()


def test_the_finest_unit_a_format_shows():
    from ctxlint.python.timeformat import finest_unit

    assert finest_unit("%Y-%m-%d") is None
    assert finest_unit("%Y-%m-%d %H:%M") == "minute"
    assert finest_unit("%H:%M:%S.%f") == "microsecond"
    assert finest_unit("%c") == "second"
    assert finest_unit("%-I %p") == "hour"
