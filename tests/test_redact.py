"""Secrets are not echoed: credential shapes are redacted in everything quoted from an input,
every quoted value and every message is capped, and no output format shows a planted secret."""

from __future__ import annotations

import contextlib
import gzip
import random
import string
import zlib
from pathlib import Path

import orjson
import pytest

from ctxlint.config import OUTPUT_FORMATS, Settings
from ctxlint.diagnostics import Diagnostic, Location, RelatedLocation
from ctxlint.engine import check_paths
from ctxlint.redact import (
    EVIDENCE_LIMIT,
    IDENTIFIER_LIMIT,
    MESSAGE_LIMIT,
    REDACTED,
    bounded,
    evidence,
    identifier,
    redact,
    span_evidence,
    value_evidence,
    visible,
)
from ctxlint.reporters import render
from ctxlint.trace.volatile import volatile_change

from conftest import REPO, SHARED

_RANDOM = random.Random(13)
_ALNUM = string.ascii_letters + string.digits


def _random(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(length))


def _pem() -> tuple[str, str]:
    body = "\n".join(_random(64, _ALNUM + "+/") for _ in range(6))
    return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----", body


def _jwt() -> tuple[str, str]:
    payload = _random(60, _ALNUM + "_-")
    signature = _random(43, _ALNUM + "_-")
    return f"eyJhbGciOiJIUzI1NiJ9.eyJ{payload}.{signature}", payload + signature


# (the credential as it would appear, the part of it that must never be shown, the prefix
# the redaction keeps).
_ANTHROPIC = _random(93, _ALNUM + "_-")
_PROJECT = _random(120, _ALNUM + "_-")
_LEGACY = _random(48)
_AWS = _random(16, string.ascii_uppercase + string.digits)
_GITHUB = _random(36)
_FINE_GRAINED = _random(82, _ALNUM + "_")
_GOOGLE = _random(35, _ALNUM + "_-")
_SLACK = _random(40, _ALNUM + "-")
_BEARER = _random(40, _ALNUM + "._-")
_PASSWORD = _random(18, _ALNUM + "!@#%^&*")
_PEM, _PEM_BODY = _pem()
_JWT, _JWT_BODY = _jwt()
_HUGGING_FACE = _random(34)
_GITLAB = _random(20, _ALNUM + "_-")
_STRIPE = _random(24)
_NPM = _random(36)
_SENDGRID = f"{_random(22, _ALNUM + '_-')}.{_random(43, _ALNUM + '_-')}"
_URL_PASSWORD = _random(16, _ALNUM + "!#%&*")
CREDENTIALS = [
    (f"sk-ant-api03-{_ANTHROPIC}AA", _ANTHROPIC, "sk-ant-"),
    (f"sk-proj-{_PROJECT}", _PROJECT, "sk-proj-"),
    (f"sk-{_LEGACY}", _LEGACY, "sk-"),
    (f"AKIA{_AWS}", _AWS, "AKIA"),
    (f"ghp_{_GITHUB}", _GITHUB, "ghp_"),
    (f"github_pat_{_FINE_GRAINED}", _FINE_GRAINED, "github_pat_"),
    (f"AIza{_GOOGLE}", _GOOGLE, "AIza"),
    (f"xoxb-{_SLACK}", _SLACK, "xoxb-"),
    (f"Authorization: Bearer {_BEARER}", _BEARER, "Authorization: "),
    (f"password={_PASSWORD}", _PASSWORD, "password="),
    (_PEM, _PEM_BODY, "-----BEGIN RSA PRIVATE KEY-----"),
    (_JWT, _JWT_BODY, "eyJ"),
    (f"hf_{_HUGGING_FACE}Ab", _HUGGING_FACE, "hf_"),
    (f"glpat-{_GITLAB}", _GITLAB, "glpat-"),
    (f"sk_live_{_STRIPE}1a", _STRIPE, "sk_live_"),
    (f"rk_live_{_STRIPE}1a", _STRIPE, "rk_live_"),
    (f"sk_test_{_STRIPE}1a", _STRIPE, "sk_test_"),
    (f"npm_{_NPM}", _NPM, "npm_"),
    (f"SG.{_SENDGRID}", _SENDGRID, "SG."),
    (f"postgres://deploy:{_URL_PASSWORD}@db.internal:5432/app", _URL_PASSWORD, "deploy:"),
]
_IDS = [prefix.strip(" :=-_.") or "pem" for _, _, prefix in CREDENTIALS]
# A shown run this long of a credential's secret part counts as a leak.
_LEAK = 8


def leaks(output: str, secret: str) -> list[str]:
    """The runs of `secret` (at least _LEAK characters, whitespace ignored) found in `output`."""
    flat = "".join(secret.split())
    return sorted(
        {flat[i : i + _LEAK] for i in range(len(flat) - _LEAK + 1) if flat[i : i + _LEAK] in output}
    )


@pytest.mark.parametrize(("credential", "secret", "prefix"), CREDENTIALS, ids=_IDS)
def test_each_credential_shape_is_redacted_to_its_prefix(credential, secret, prefix):
    text = f"Before it: {credential} and after it."
    redacted = redact(text)
    assert leaks(redacted, secret) == []
    assert f"{prefix}{REDACTED}" in redacted
    assert redacted.startswith("Before it: ") and redacted.endswith(" and after it.")
    assert redact(redacted) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "client.messages.create(model='claude-sonnet-4-5', max_tokens=1024, temperature=0.2)",
        "pip install scikit-learn; sk-learn is not its name",
        "a risk-assessment-framework-document2026 and a task-0123456789abcdefghijkl id",
        "commit 3eb7913c0ffee4d2a1b9e8f7a6b5c4d3e2f1a0b9",
        "session 258c7280-ae70-4798-800f-63464d01a85d",
        "password = getpass.getpass(); secret = keys[0]; api_key = settings.api_key",
        "if not password:\n    raise ValueError('no password given')",
        "password = None; api_key: str | None = None; token=${API_TOKEN}",
        "She was the bearer of bad news. The key is ASIAN in origin.",
        "The ISO date is 2026-02-11T21:18:41Z and the request id is req_01AbCdEf23",
        "def mask_test_0123456789abcdefghij(): return disk_live_0123456789abcdefgh",
        "hf_hub_download_from_the_model_repository and hf_abcdefghijklmnopqrstuvwxyzabcdef",
        "EURASIAQWERTYUIOP1234567 is not a key; neither is MAKIAQWERTYUIOP123456",
        "_Z12highs_addColP5HighsdddiN8pybind117array_tIiLi17EEE",
        "laughs_0123456789abcdefghij0123456789 and sighs",
        "https://user:password@example.com and postgres://app:${DB_PASSWORD}@db/app",
        "curl http://localhost:8080/path@v2 and git@github.com:owner/repo.git",
        "pnpm_0123456789abcdefghijklmnopqrstuvwxyz and SG.short.string",
        "a \\n new line and a \\task-0123456789abcdefghij0123 escaped",
    ],
)
def test_ordinary_prose_and_code_is_left_alone(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "before", ["\\n", "\\t", "\\u00a0", "t_", "claude-", "sess-", "x", "7", "key="]
)
@pytest.mark.parametrize(("credential", "secret", "prefix"), CREDENTIALS[:8], ids=_IDS[:8])
def test_a_distinctive_credential_is_redacted_wherever_it_starts(
    before, credential, secret, prefix
):
    """A key at the start of a line of JSON text follows the two characters `\\n`; a tool or
    model name can be built around one (`t_sk-ant-…`). Only a generic shape asks for the start
    of a word, or an escape, before it: `sk-` and 20 characters (which `task-…` holds), and
    `AKIA` in a longer run of capitals and digits."""
    text = f"{before}{credential} rest"
    generic_inside_a_word = (
        prefix == "sk-" and before in ("t_", "claude-", "sess-", "x", "7")
    ) or (prefix == "AKIA" and before == "7")
    redacted = redact(text)
    if generic_inside_a_word:
        assert redacted == text
    else:
        assert leaks(redacted, secret) == [], before
        assert redacted.endswith(" rest")


def test_a_span_is_redacted_by_the_text_around_it():
    """A changed value cut out of `Bearer <token>` or `api_key=<hex>` has no shape of its own."""
    token = "3f2a9c1d7e8b4a6f0c1d2e3f4a5b6c7d"
    for template in ("Authorization: Bearer {} end", "api_key={} end", "x\\nsk-ant-api03-{}"):
        text = "You are helpful. " + template.format(token)
        start = text.index(token)
        assert token[:8] not in span_evidence(text, start, start + len(token)), template
        assert span_evidence(text, start, start + len(token)) == REDACTED
        # The part of the span before the credential is still quoted.
        assert span_evidence(text, 4, start + 4).startswith("are helpful.")
    # A span of megabytes is quoted from a window of it, as evidence quotes a text.
    long = "key " + "7" * 10_000_000
    assert span_evidence(long, 4, len(long)) == "7" * (EVIDENCE_LIMIT - 1) + "…"
    ordinary = "Today is 2026-02-11 and the build is 3f2a9c1d7e8b4a6f"
    start = ordinary.index("3f2a")
    assert span_evidence(ordinary, start, len(ordinary)) == "3f2a9c1d7e8b4a6f"


def test_a_volatile_change_is_quoted_redacted_by_its_context():
    before = "System. Authorization: Bearer 3f2a9c1d7e8b4a6f0c1d2e3f4a5b6c7d end"
    after = "System. Authorization: Bearer 9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e end"
    change = volatile_change(before, after)
    assert change is not None
    assert (change.before, change.after) == (REDACTED, REDACTED)
    dated = volatile_change("Date: 2026-02-11. Go", "Date: 2026-02-12. Go")
    assert dated is not None
    assert (dated.before, dated.after) == ("2026-02-11", "2026-02-12")


def test_terminal_control_characters_are_shown_as_escapes():
    osc = "\x1b]52;c;cHduZWQ=\x07"
    assert evidence(f"s{osc}") == "s\\x1b]52;c;cHduZWQ=\\x07"
    assert "\x1b" not in identifier("m\x1b[2J\x9b1m\u202eevil")
    assert identifier("a\x7fb\u2066c") == "a\\x7fb\\u2066c"
    # A message keeps its lines and tabs; nothing else that steers a terminal.
    assert bounded("line\n\tnext\r\x1b[2J") == "line\n\tnext\\x0d\\x1b[2J"
    assert visible("plain text, é and 日本") == "plain text, é and 日本"
    assert bounded(bounded("a\x1bb")) == bounded("a\x1bb")


def test_an_identifier_is_capped_and_redacted():
    assert len(identifier("m" * 100_000)) == IDENTIFIER_LIMIT
    credential, secret, _ = CREDENTIALS[0]
    assert leaks(identifier(credential), secret) == []


@pytest.mark.parametrize("start", range(30, 64))
def test_a_secret_cut_by_the_quote_is_redacted_before_the_cut(start):
    credential, secret, _ = CREDENTIALS[0]
    text = "x" * start + " " + credential + " and the rest of the message"
    quoted = evidence(text, 60)
    assert len(quoted) <= 60
    assert leaks(quoted, secret) == []


def test_a_credential_someone_else_cut_short_is_still_redacted():
    credential = CREDENTIALS[0][0]
    for length in range(len("sk-ant-api03-") + 1, 60):
        cut = f"quoted: {credential[:length]}… and more"
        redacted = redact(cut)
        assert redacted.startswith("quoted: sk-") and REDACTED in redacted, cut
        assert redacted.endswith(" and more"), cut
        assert credential[13:length] not in redacted, cut


def test_evidence_is_one_capped_line():
    text = "first line\n\n\tsecond   line " + "y" * 5000
    quoted = evidence(text)
    assert quoted.startswith("first line second line y")
    assert len(quoted) == EVIDENCE_LIMIT and quoted.endswith("…")
    assert evidence("short\ntext") == "short text"


def test_a_credential_beyond_the_cap_costs_nothing_and_shows_nothing():
    credential = CREDENTIALS[1][0]
    text = "z" * 10_000_000 + credential
    assert evidence(text) == "z" * (EVIDENCE_LIMIT - 1) + "…"
    assert len(bounded(text)) == MESSAGE_LIMIT


def test_a_value_is_described_not_dumped():
    assert value_evidence({"content": "A" * 1_000_000}) == "an object of 1 key"
    assert value_evidence(["x"] * 3) == "an array of 3 items"
    assert value_evidence("A" * 1_000_000) == "a string of 1,000,000 characters"
    assert value_evidence("usr") == "'usr'"
    assert value_evidence(None) == "None"
    credential, secret, _ = CREDENTIALS[3]
    assert leaks(value_evidence(credential), secret) == []


def test_a_finding_cannot_carry_a_secret_or_a_huge_message():
    """A rule that forgets to quote through `evidence` still cannot leak: every finding's
    message is redacted and capped when it is made."""
    credential, secret, _ = CREDENTIALS[0]
    here = Location(1, 1)
    made = Diagnostic(
        "CTX999", "x", f"quoted `{credential}` " + "y" * 100_000, "t.jsonl", here, here
    )
    assert leaks(made.message, secret) == []
    assert len(made.message) <= MESSAGE_LIMIT
    assert made.message.startswith("quoted `sk-ant-…[redacted]` yyy")


def test_a_related_location_cannot_carry_a_secret_either():
    """What a related place says, and its pointer, reach SARIF, GitHub and the text report as
    the finding's own message does."""
    credential, secret, _ = CREDENTIALS[0]
    here = Location(1, 1)
    related = RelatedLocation(
        "t.jsonl", here, here, f"the key `{credential}` " + "y" * 100_000, f"/{credential}"
    )
    assert leaks(related.message, secret) == [] and len(related.message) <= MESSAGE_LIMIT
    assert leaks(related.pointer, secret) == []


def test_a_deep_pointer_is_kept_whole_so_that_it_still_resolves():
    # Capped at the 120 characters of quoted evidence, a pointer this deep (an OpenInference
    # message part in an OTLP export, say) was cut and named nothing.
    deep = "/resourceSpans/3/scopeSpans/12/spans/117/attributes/llm.input_messages/12/message"
    deep += "/contents/3/message_content/image/image/url"
    here = Location(1, 1)
    made = Diagnostic("CTX001", "x", "m", "t.jsonl", here, here, pointer=deep)
    related = RelatedLocation("t.jsonl", here, here, "the previous request", deep)
    assert len(deep) > 120 and made.pointer == deep and related.pointer == deep


# Reproducers from the issue, end to end.

# Every reporter: none may print what redaction hides.
FORMATS = OUTPUT_FORMATS


def _ctxlint_line(session: str, contents: list[str], **extra) -> bytes:
    roles = ["user", "assistant"]
    messages = [{"role": roles[i % 2], "content": text} for i, text in enumerate(contents)]
    return orjson.dumps({"ctxlint": 1, "session": session, "messages": messages, **extra}) + b"\n"


def _outputs(paths: list[Path], root: Path) -> dict[str, str]:
    report = check_paths([str(path) for path in paths], Settings(root=root))
    return {name: render(name, report) for name in FORMATS}


def test_history_edit_does_not_echo_a_key_from_the_trace(tmp_path, monkeypatch):
    credential, secret, _ = CREDENTIALS[0]
    trace = tmp_path / "edited.jsonl"
    trace.write_bytes(
        _ctxlint_line("s1", [f"Task: deploy with {credential}", "Draft one"])
        + _ctxlint_line("s1", [f"Task: deploy with {credential} now", "Draft one", "Next"])
    )
    monkeypatch.chdir(tmp_path)
    outputs = _outputs([trace], tmp_path)
    for name, output in outputs.items():
        assert "CTX006" in output, name
        assert leaks(output, secret) == [], name
        assert f"sk-ant-{REDACTED}" in output, name


def test_a_key_across_the_quote_boundary_does_not_leak_its_start(tmp_path, monkeypatch):
    """CTX006 quotes 60 characters: a key starting at character 40 was cut after 18."""
    credential, secret, _ = CREDENTIALS[1]
    opening = "Please deploy with the credentials below"
    assert len(opening) == 40
    trace = tmp_path / "cut.jsonl"
    trace.write_bytes(
        _ctxlint_line("s1", [f"{opening} {credential}", "Done"])
        + _ctxlint_line("s1", [f"{opening} {credential}!", "Done", "Next"])
    )
    monkeypatch.chdir(tmp_path)
    for name, output in _outputs([trace], tmp_path).items():
        assert "CTX006" in output, name
        assert leaks(output, secret) == [], name


def test_a_schema_error_does_not_echo_a_megabyte_value(tmp_path, monkeypatch):
    huge = "A" * 1_000_000
    trace = tmp_path / "huge.jsonl"
    trace.write_bytes(
        orjson.dumps({"ctxlint": 1, "session": "s", "messages": [{"role": huge, "content": "hi"}]})
        + b"\n"
        + orjson.dumps(
            {
                "ctxlint": 1,
                "session": "s",
                "messages": [{"role": "user", "content": "hi"}],
                "model": {"x": huge},
            }
        )
        + b"\n"
        + _ctxlint_line("s", ["a readable request after them"])
    )
    monkeypatch.chdir(tmp_path)
    report = check_paths([str(trace)], Settings(root=tmp_path))
    found = [d for d in report.diagnostics if d.code == "CTX900"]
    assert [d.start.line for d in found] == [1, 2]
    for d in found:
        assert len(d.message) <= 300, d.message[:300]
        assert "A" * 100 not in d.message
    assert "/messages/0/role" in found[0].message
    assert "a string of 1,000,000 characters" in found[0].message
    assert "/model" in found[1].message and "an object of 1 key" in found[1].message
    for name, output in _outputs([trace], tmp_path).items():
        assert "A" * (EVIDENCE_LIMIT + 1) not in output, name


# Every output of every trace, with secrets planted in its text.

TRACES = SHARED / "traces"
_TRACE_SUFFIXES = (".jsonl", ".json", ".traj", ".jsonl.gz")
# Bad lines whose schema errors would quote the planted text.
_UNREADABLE = [
    {"ctxlint": 1, "session": "bad", "messages": [{"role": "user", "content": 5, "name": "PLANT"}]},
    {"ctxlint": 1, "session": "bad", "messages": "PLANT"},
    {"ctxlint": 1, "session": "bad", "messages": [{"role": "PLANT", "content": "hi"}]},
    {
        "ctxlint": 1,
        "session": "bad",
        "messages": [],
        "tools": [{"name": 1, "description": "PLANT"}],
    },
]


def _plant_text(text: str) -> str:
    """The credential chosen by the text itself (so equal texts stay equal), at its start or
    straddling the 60-character quote, beside what was there."""
    digest = zlib.crc32(text.encode("utf-8", "surrogatepass"))
    credential = CREDENTIALS[digest % len(CREDENTIALS)][0]
    at = 0 if digest & 0x100 else min(len(text), 45)
    return f"{text[:at]} {credential} {text[at:]}"


def _plant(value):
    """Secrets planted in every string that reads as prose (holds whitespace): ids, roles,
    types, names and timestamps keep the values the readers key on."""
    if isinstance(value, dict):
        return {key: _plant(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plant(item) for item in value]
    if isinstance(value, str):
        if value == "PLANT":
            return _plant_text(value)
        if any(character.isspace() for character in value):
            return _plant_text(value)
    return value


def _plant_file(source: Path, target: Path) -> None:
    data = source.read_bytes()
    if source.name.endswith(".gz"):
        data = gzip.decompress(data)
    if source.suffix in (".json", ".traj"):
        with contextlib.suppress(orjson.JSONDecodeError):
            data = orjson.dumps(_plant(orjson.loads(data)))
    else:
        lines = []
        for line in data.splitlines():
            try:
                lines.append(orjson.dumps(_plant(orjson.loads(line))))
            except orjson.JSONDecodeError:
                lines.append(line)
        data = b"\n".join(lines) + b"\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(data) if source.name.endswith(".gz") else data)


def _sources() -> list[tuple[Path, Path]]:
    found = [(REPO / "fixtures" / "trace", Path("fixtures"))]
    if TRACES.is_dir():
        found.append((TRACES, Path("shared")))
    return [
        (path, prefix / path.relative_to(root))
        for root, prefix in found
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name.endswith(_TRACE_SUFFIXES)
    ]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("planted")
    for source, relative in _sources():
        _plant_file(source, root / relative)
    (root / "unreadable.jsonl").write_bytes(
        b"".join(orjson.dumps(_plant(line)) + b"\n" for line in _UNREADABLE)
    )
    return root


def _simulated(root: Path) -> dict[str, str]:
    from ctxlint.simulate.html_report import render_html
    from ctxlint.simulate.run import simulate_files, trace_files
    from ctxlint.simulate.simulator import Options
    from ctxlint.simulate.text_report import TextOptions
    from ctxlint.simulate.text_report import render_text as render_simulation

    settings = Settings(root=root)
    files, _missing = trace_files([str(root)], settings)
    # Without the savings replays: they add figures and the fixed names of fixes, no trace text.
    simulation = simulate_files(files, Options(), settings)
    assert simulation.requests, "the planted traces are still read"
    return {
        "simulate text": render_simulation(simulation, TextOptions(requests=True)),
        "simulate json": orjson.dumps(simulation.as_json()).decode(),
        "simulate html": render_html(simulation),
        "simulate problems": "\n".join(simulation.problems),
    }


def test_no_output_format_echoes_a_planted_secret(planted, monkeypatch):
    monkeypatch.chdir(planted)
    report = check_paths([str(planted)], Settings(root=planted))
    codes = {d.code for d in report.diagnostics}
    assert {"CTX006", "CTX900"} <= codes, "findings that quote trace text are made"
    for d in report.diagnostics:
        assert len(d.message) <= MESSAGE_LIMIT, d.message[:200]
    outputs = {name: render(name, report) for name in FORMATS}
    outputs.update(_simulated(planted))
    shown = sorted(
        f"{name}: {kind}"
        for name, output in outputs.items()
        for (_, secret, _), kind in zip(CREDENTIALS, _IDS, strict=True)
        if leaks(output, secret)
    )
    assert shown == []
    assert REDACTED in outputs["json"], "the planted secrets were quoted, and redacted"


def test_identifiers_from_a_trace_are_capped_in_text_reports(tmp_path):
    """A session id or model name is echoed in summaries, notes and tables: a 100,000-character
    one is shown cut, as any quoted value."""
    from click.testing import CliRunner

    from ctxlint.cli import main

    session, model = "S" * 100_000, "M" * 100_000
    trace = tmp_path / "names.jsonl"
    trace.write_bytes(
        _ctxlint_line(session, ["hi"], model=model)
        + _ctxlint_line(session, ["hi", "ok", "more"], model=model)
    )
    for arguments in ([str(trace)], ["sessions", str(trace)], ["simulate", str(trace)]):
        result = CliRunner().invoke(main, arguments)
        assert result.exception is None or isinstance(result.exception, SystemExit), arguments
        assert "S" * (EVIDENCE_LIMIT + 1) not in result.output, arguments
        assert "M" * (EVIDENCE_LIMIT + 1) not in result.output, arguments


def test_a_credential_cut_by_the_lookahead_is_not_shown_in_part():
    """Whitespace collapses when a quote is put on one line, so a credential far into the text
    can reach the quote: the part of it beyond what redaction looked at is never shown."""
    credential, secret, _ = CREDENTIALS[3]
    for spaces in range(4200, 4230):
        text = " " * spaces + credential + " rest"
        assert leaks(evidence(text), secret) == [], spaces
        assert leaks(bounded(text), secret) == [], spaces


def test_a_credential_cut_where_quoting_stops_reading_is_left_out():
    credential, secret, _ = CREDENTIALS[3]
    for spaces in range(16_840, 16_870):
        assert leaks(evidence(" " * spaces + credential + " rest"), secret) == [], spaces


def test_an_internal_error_does_not_echo_the_value_it_failed_on(tmp_path, monkeypatch):
    """An exception's text often holds the value that raised it (a KeyError its key)."""
    from ctxlint.rules.ctx006_history_edit import HistoryEdit

    credential, secret, _ = CREDENTIALS[0]

    def failing(self, step):
        raise KeyError(credential + " " + "A" * 100_000)

    monkeypatch.setattr(HistoryEdit, "check_trace", failing)
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(_ctxlint_line("s", ["hi"]))
    report = check_paths([str(trace)], Settings(root=tmp_path))
    [problem] = [p for result in report.results for p in result.problems]
    assert problem.startswith("internal error while checking: KeyError")
    assert leaks(problem, secret) == []
    assert len(problem) <= MESSAGE_LIMIT + 100


def test_the_summary_after_a_check_does_not_echo_the_value_it_failed_on(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ctxlint.cli import main
    from ctxlint.simulate.simulator import Simulator

    credential, secret, _ = CREDENTIALS[0]

    def failing(self, request, recorded=None):
        raise KeyError(credential + " " + "A" * 100_000)

    monkeypatch.setattr(Simulator, "replay", failing)
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(_ctxlint_line("s", ["hi"]))
    result = CliRunner().invoke(main, [str(trace)])
    assert "no simulated summary: internal error: KeyError" in result.output
    assert leaks(result.output, secret) == []
    assert "A" * (MESSAGE_LIMIT + 1) not in result.output


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_a_file_name_or_session_id_cannot_steer_the_terminal(tmp_path, output_format):
    """A file name is not ctxlint's own either: a checkout can hold one with an escape in it."""
    from click.testing import CliRunner

    from ctxlint.cli import main

    osc = "\x1b]52;c;cHduZWQ=\x07"
    trace = tmp_path / f"t{osc}.jsonl"
    trace.write_bytes(
        _ctxlint_line(f"s{osc}", ["hi"], model=f"m{osc}", system="2026-02-11 10:00")
        + _ctxlint_line(f"s{osc}", ["hi", "ok", "more"], model=f"m{osc}", system="2026-02-12")
    )
    runs = [["--output-format", output_format, str(trace)]]
    if output_format == "text":
        runs += [["sessions", str(trace)], ["simulate", str(trace)]]
    for arguments in runs:
        result = CliRunner().invoke(main, arguments)
        assert result.exception is None or isinstance(result.exception, SystemExit), arguments
        assert "cHduZWQ" in result.output, arguments
        assert "\x1b" not in result.output and "\x07" not in result.output, arguments
