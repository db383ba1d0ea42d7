"""What may be echoed from an input: credential shapes redacted, every quoted value capped."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

# How much of one value a finding quotes as evidence.
EVIDENCE_LIMIT = 120
# How long a whole message (a finding's, or why input could not be read) may grow.
MESSAGE_LIMIT = 1000
# Text beyond a value's cap still read for redaction, so a credential that straddles the cap
# is recognised before it is cut.
_LOOKAHEAD = 4096
REDACTED = "…[redacted]"
_ELLIPSIS = "…"

# Each session id and model name a report prints or writes, capped to this many characters.
IDENTIFIER_LIMIT = 200
# Text before a quoted span still read for redaction, so that `Bearer ` or `api_key=` before
# the span decides whether the span is a secret.
_CONTEXT = 512

# A character a generic shape could continue from: `task-…` holds `sk-`, `mask_test_…` holds
# `sk_test_`; such a shape preceded by one is part of a longer word, not a credential.
_CONTINUES = re.compile(r"[A-Za-z0-9_\-]")
# An escape in JSON text (`\n`, `\t`, `\u00a0`) ends a word though its last character is a
# letter or a digit: a key at the start of a line of a tool's JSON output follows `\n`.
_ESCAPE_BEFORE = re.compile(r"(?:\\[nrtbf]|\\u[0-9A-Fa-f]{4})\Z")


def _keep_prefix(match: re.Match[str]) -> str:
    """The credential's fixed, public prefix (`sk-ant-`, `AKIA`): enough to recognise what was
    there, none of the random part that would make it usable. The distinctive prefixes are
    redacted wherever they occur: nothing else is written `sk-ant-` and 16 random characters."""
    return match.group("keep") + REDACTED


def _keep_prefix_at_word_start(match: re.Match[str]) -> str:
    """_keep_prefix for a generic shape (`sk-`, `Bearer`, `sk_test_`): only where it starts a
    word, or follows an escape such as `\\n` in JSON text."""
    return _keep_prefix_unless_after(match, lambda before: _CONTINUES.match(before) is not None)


def _keep_prefix_after_no_letter(match: re.Match[str]) -> str:
    """_keep_prefix for a shape whose prefix ends common words (`highs_…`): not after a letter
    or a digit, unless that ends an escape (`\\n`); after `_` or `-` it is (`t_gho_…`)."""
    return _keep_prefix_unless_after(match, str.isalnum)


def _keep_prefix_after_no_capital(match: re.Match[str]) -> str:
    """_keep_prefix for `AKIA`/`ASIA` + 16 capitals or digits: not inside a longer run of
    capitals (`EURASIA…`), wherever else it occurs (`t_AKIA…`, `\\nAKIA…`)."""
    return _keep_prefix_unless_after(match, _CAPITALS_AND_DIGITS.__contains__)


def _keep_prefix_unless_after(match: re.Match[str], continues: Callable[[str], bool]) -> str:
    """_keep_prefix, unless the character before the match `continues` the word it is part of
    (and does not end an escape such as `\\n` in JSON text): then the match is left as it is."""
    start = match.start()
    inside_a_word = start and continues(match.string[start - 1])
    if inside_a_word and not _ESCAPE_BEFORE.search(match.string, max(0, start - 6), start):
        return match.group(0)
    return match.group("keep") + REDACTED


_CAPITALS_AND_DIGITS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# What documentation writes in a URL where the password goes.
_URL_PLACEHOLDERS = frozenset({"password", "pass", "passwd", "pwd", "secret", "pw"})


def _keep_user(match: re.Match[str]) -> str:
    """`https://user:…[redacted]@host`: the password only; a placeholder is kept."""
    password = match.group("password")
    placeholder = password.lower() in _NOT_SECRETS or password.lower() in _URL_PLACEHOLDERS
    if placeholder or password[0] in "${<%*" or set(password) <= {"*", "x"}:
        return match.group(0)
    return match.group("keep") + REDACTED


def _keep_block(match: re.Match[str]) -> str:
    return match.group("keep") + REDACTED


def _keep_name(match: re.Match[str]) -> str:
    """`password=…[redacted]`: the name says what it was; a placeholder or a null is kept."""
    value = match.group("value")
    bare = _TRAILING_PUNCTUATION.sub("", value.strip("\\\"'"))
    if not bare or bare.lower() in _NOT_SECRETS or bare[0] in "${<%" or _CODE.match(value):
        return match.group(0)
    return match.group("name") + match.group("separator") + REDACTED


# `password = getpass()`, `secret = keys[0]`, `password = self.password`: code that fetches
# the secret, not the secret.
_CODE = re.compile(r"[A-Za-z_][\w.]*[(\[]|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\W*\Z")
_TRAILING_PUNCTUATION = re.compile(r"[^\w]+\Z")
_NOT_SECRETS = frozenset({"none", "null", "nil", "true", "false", "undefined", "redacted"})

# The names a secret goes by in an assignment, header or JSON key. `token` alone is left
# out: `max_tokens=1024` is everywhere in LLM code.
_SECRET_NAME = (
    r"(?:password|passwd|passphrase|secret|api[_\-]?key|apikey|access[_\-]?key"
    r"|private[_\-]?key|(?:access|auth|refresh|api|bearer|session|id)[_\-]?token|authorization"
    r"|credentials?)"
)

# Each credential shape, most specific first; what replaces it; and, for the shapes that do
# not start with a fixed string (which the regular expression engine finds fast), what the
# lowercased text must hold for the shape to be looked for at all.
_Shape = tuple[re.Pattern[str], Callable[[re.Match[str]], str], tuple[str, ...]]
_CUT_PREFIXES = (
    "sk-",
    "akia",
    "asia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "hf_",
    "npm_",
)
# Every name _SECRET_NAME matches holds one of these.
_SECRET_NAME_PARTS = (
    "pass",
    "secret",
    "api_key",
    "api-key",
    "apikey",
    "access_key",
    "access-key",
    "accesskey",
    "private_key",
    "private-key",
    "privatekey",
    "_token",
    "-token",
    "accesstoken",
    "authtoken",
    "refreshtoken",
    "apitoken",
    "bearertoken",
    "sessiontoken",
    "idtoken",
    "authorization",
    "credential",
)


@cache
def _shapes() -> tuple[_Shape, ...]:
    # Compiled on first use: a run answered from the results cache quotes nothing, and
    # compiling them all cost a few milliseconds of every start.
    return (
        # The key block from its first line to its last, or through its base64 when cut short.
        (
            re.compile(
                r"(?P<keep>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)(?!…\[redacted\])"
                r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[A-Za-z0-9+/=\s]*)"
            ),
            _keep_block,
            (),
        ),
        (re.compile(r"(?P<keep>sk-ant-)[A-Za-z0-9_\-]{16,}"), _keep_prefix, ()),
        (re.compile(r"(?P<keep>sk-(?:proj|svcacct|admin)-)[A-Za-z0-9_\-]{16,}"), _keep_prefix, ()),
        # Other OpenAI-style keys: long, and mixing letters and digits as random text does.
        (
            re.compile(
                r"(?P<keep>sk-)(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{20,}"
            ),
            _keep_prefix_at_word_start,
            (),
        ),
        (
            re.compile(r"(?P<keep>A(?:KIA|SIA))[A-Z0-9]{16}(?![A-Za-z0-9])"),
            _keep_prefix_after_no_capital,
            (),
        ),
        (re.compile(r"(?P<keep>ghp_)[A-Za-z0-9]{30,}"), _keep_prefix, ()),
        # `ghs_` and the rest end common words (`highs_addColP5HighsdddiN8pybind117array` is a
        # mangled C++ name): only where no letter or digit comes before.
        (re.compile(r"(?P<keep>gh[ousr]_)[A-Za-z0-9]{30,}"), _keep_prefix_after_no_letter, ()),
        (re.compile(r"(?P<keep>github_pat_)[A-Za-z0-9_]{20,}"), _keep_prefix, ()),
        (re.compile(r"(?P<keep>glpat-)[A-Za-z0-9_\-]{20,}"), _keep_prefix, ()),
        (re.compile(r"(?P<keep>AIza)[A-Za-z0-9_\-]{30,}"), _keep_prefix, ()),
        (re.compile(r"(?P<keep>xox[abposr]-)[A-Za-z0-9\-]{10,}"), _keep_prefix, ()),
        # Hugging Face: random upper and lower case letters (an identifier such as
        # `hf_model_name_…` has underscores, or one case).
        (
            re.compile(r"(?P<keep>hf_)(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{30,}"),
            _keep_prefix_at_word_start,
            (),
        ),
        (
            re.compile(r"(?P<keep>npm_)[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
            _keep_prefix_at_word_start,
            (),
        ),
        # Stripe secret and restricted keys (`pk_…` keys are public): `mask_test_…` is a word.
        (
            re.compile(
                r"(?P<keep>(?:sk|rk)_(?:live|test)_)(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])"
                r"[A-Za-z0-9]{16,}"
            ),
            _keep_prefix_at_word_start,
            (),
        ),
        (
            re.compile(r"(?P<keep>SG\.)[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}(?![A-Za-z0-9_\-])"),
            _keep_prefix,
            (),
        ),
        # A JSON Web Token: a header and a payload that are both base64url JSON objects.
        (
            re.compile(
                r"(?P<keep>eyJ)[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}(?:\.[A-Za-z0-9_\-]*)?"
            ),
            _keep_prefix,
            (),
        ),
        (
            re.compile(r"(?P<keep>[Bb]earer\s+)[A-Za-z0-9._~+/\-]{16,}=*"),
            _keep_prefix_at_word_start,
            ("bearer",),
        ),
        # A password in a URL, `scheme://user:password@host`: the password only.
        (
            re.compile(
                r"(?P<keep>\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s/:@\"'<>]{1,256}:)"
                r"(?P<password>[^\s/@\"'<>]{1,256})(?=@[A-Za-z0-9\[])"
            ),
            _keep_user,
            ("://",),
        ),
        # One of the shapes above that something else already cut short: the prefix and the
        # ellipsis that marks the cut. Only the longer prefixes count wherever they occur.
        (
            re.compile(
                r"(?P<keep>sk-ant-|sk-(?:proj|svcacct|admin)-|github_pat_|glpat-|xox[abposr]-)"
                r"[A-Za-z0-9_.\-]*…(?!\[redacted\])"
            ),
            _keep_prefix,
            ("sk-", "github_pat_", "glpat-", "xox"),
        ),
        (
            re.compile(
                r"(?P<keep>sk-|AKIA|ASIA|gh[pousr]_|AIza|eyJ|hf_|npm_|[sr]k_(?:live|test)_)"
                r"[A-Za-z0-9_.\-]+…(?!\[redacted\])"
            ),
            _keep_prefix_at_word_start,
            (*_CUT_PREFIXES, "aiza", "eyj", "k_live_", "k_test_"),
        ),
        # `password=…`, `"api_key": "…"`, `Authorization: Basic …`, also in escaped JSON.
        (
            re.compile(
                r"(?i)(?P<name>" + _SECRET_NAME + r"[A-Za-z0-9_.\-]*)"
                r"""(?P<separator>\\?["']?[\x20\t]*(?::=?|=(?!=))[\x20\t]*)"""
                r"""(?P<value>\\?"(?:[^"\\]|\\.)*?(?:\\?"|\Z)|'[^'\n]*(?:'|\Z)"""
                r"""|(?:(?:basic|bearer|token|digest)\s+)?[^\s"'<>]{4,})"""
            ),
            _keep_name,
            _SECRET_NAME_PARTS,
        ),
    )


def redact(text: str) -> str:
    """`text` with every credential shape ctxlint knows replaced by its prefix and `…[redacted]`.
    Idempotent; the text around a credential is left as it was."""
    lowered = text.lower()
    for pattern, replacement, wanted in _shapes():
        if not wanted or any(part in lowered for part in wanted):
            text = pattern.sub(replacement, text)
    return text


def evidence(text: str, limit: int = EVIDENCE_LIMIT) -> str:
    """Text from an input, fit to quote in a finding: on one line, redacted, control characters
    shown as escapes, then cut to `limit` characters. Every snippet a finding or report quotes
    from a trace passes through here."""
    return _cap(visible(redact(_flat_window(text, limit))), limit)


def span_evidence(text: str, start: int, end: int, limit: int = EVIDENCE_LIMIT) -> str:
    """evidence for `text[start:end]`, redacted by what surrounds it: a span cut out of
    `Bearer <token>` or `api_key=<hex>` has no shape of its own, so the part of it that lies in
    a credential found in the surrounding text is redacted too. Every quote of a span out of a
    larger text goes through here."""
    # Only as much of a long span as a quote `limit` long can show is read, as evidence reads.
    end = min(end, start + limit + _LOOKAHEAD)
    window_start = max(0, start - _CONTEXT)
    window = text[window_start : end + _LOOKAHEAD]
    start, end = start - window_start, end - window_start
    pieces = []
    position = start
    for secret_start, secret_end in _secret_ranges(window):
        if secret_end <= position or secret_start >= end:
            continue
        pieces.append(window[position:secret_start])
        pieces.append(REDACTED)
        position = secret_end
    pieces.append(window[position:end])
    return evidence("".join(pieces), limit)


def identifier(text: str, limit: int = IDENTIFIER_LIMIT) -> str:
    """A session id or model name from an input, as a report prints or writes it: redacted,
    control characters shown as escapes, capped."""
    return evidence(text, limit)


def bounded(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A whole message (a finding's, a reason input could not be read): redacted, control
    characters other than tab and newline shown as escapes, and capped, whoever built it and
    whatever it quotes."""
    return _cap(visible(redact(_window(text, limit)), keep="\t\n"), limit)


def visible(text: str, keep: str = "\t") -> str:
    """`text` with every character that steers a terminal (C0 and C1 controls, DEL, the
    bidirectional overrides) written as its escape, `\\x1b`, so that a trace cannot set the
    clipboard, clear the screen or hide text through what ctxlint prints."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda match: _escape(match.group(), keep), text)


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(character: str, keep: str) -> str:
    if character in keep:
        return character
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _secret_ranges(text: str) -> list[tuple[int, int]]:
    """Where, in `text`, the parts that redact() replaces lie, in order and merged."""
    lowered = text.lower()
    ranges = []
    for pattern, replacement, wanted in _shapes():
        if wanted and not any(part in lowered for part in wanted):
            continue
        for match in pattern.finditer(text):
            replaced = replacement(match)
            if replaced != match.group(0):
                kept = len(replaced) - len(REDACTED)
                ranges.append((match.start() + kept, match.end()))
    merged: list[tuple[int, int]] = []
    for secret_start, secret_end in sorted(ranges):
        if merged and secret_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], secret_end))
        else:
            merged.append((secret_start, secret_end))
    return merged


def value_evidence(value: Any, limit: int = 40) -> str:
    """A stand-in for a JSON value in a message about it: a short scalar as Python shows it, a
    long string or a container by its type and size, never its contents in bulk."""
    if isinstance(value, str):
        if len(value) > limit:
            return f"a string of {len(value):,} characters"
        return repr(evidence(value, limit))
    if isinstance(value, dict):
        return f"an object of {_count(len(value), 'key')}"
    if isinstance(value, list):
        return f"an array of {_count(len(value), 'item')}"
    return evidence(repr(value), limit)


def _window(text: str, limit: int) -> str:
    """The part of `text` a quote `limit` characters long can show, and after it as much as a
    credential starting there can run: every shape above is recognised by its start, so one
    cut at the window's end is still redacted."""
    return text[: limit + _LOOKAHEAD]


def _flat_window(text: str, limit: int) -> str:
    """_window of `text` put on one line, taken word by word so that only that much of a long
    text is read: cut first and joined after, a long run of whitespace would bring a word that
    the window cuts into the quote, too short to be recognised. Past a few windows' worth of
    text (mostly whitespace, then) nothing more is looked at, and a word cut there is left out."""
    end = limit + _LOOKAHEAD
    scanned = min(len(text), 4 * end)
    words = []
    size = 0
    for word in _WORD.finditer(text, 0, scanned):
        if word.end() == scanned < len(text) and not text[scanned].isspace():
            break
        words.append(word.group())
        size += len(words[-1]) + 1
        if size > end:
            break
    return " ".join(words)[:end]


# A word, or the window's worth of one too long to hold whole.
_WORD = re.compile(rf"\S{{1,{EVIDENCE_LIMIT + _LOOKAHEAD}}}")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS
