"""strftime formats: whether one shows a time of day, what a slice of its text keeps, and how
to cut it down to the date."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

# glibc's flags (%-d, %_H, %^a), a width (%10Y), the E and O modifiers (%EX, %OH); `%:z` is
# Python's. A `%` at the very end matches with an empty letter.
_DIRECTIVE = re.compile(r"%(?::z|[-_0^#]*\d*[EO]?(?P<letter>.?))", re.DOTALL)


class Kind(enum.Enum):
    DATE = "date"
    # Changes within a day.
    TIME = "time"
    ZONE = "zone"
    # The date and the time in one directive (%c): nothing to cut it down to.
    DATE_AND_TIME = "date and time"
    # Not a directive Python and the C library agree on: what it prints is unknown.
    UNKNOWN = "unknown"


_KIND_OF_LETTER = {
    **dict.fromkeys("aAbBhCdDeFgGjmuUVwWxyY", Kind.DATE),
    # %s is epoch seconds, %r %R %T %X print a time, %k %l are glibc's blank-padded hours.
    **dict.fromkeys("HIklMSfpPrRTXs", Kind.TIME),
    **dict.fromkeys("zZ", Kind.ZONE),
    **dict.fromkeys("c+", Kind.DATE_AND_TIME),
}
_LITERAL_DIRECTIVES = {"%%": "%", "%n": "\n", "%t": "\t"}

# What may stand between two fields as a mere separator; brackets and words are structure.
_SEPARATORS = frozenset(" \t\n,;:-_/|.·•–—")
_CLOSER_OF = {"(": ")", "[": "]", "{": "}", "<": ">"}
_BRACKETS = frozenset(_CLOSER_OF) | frozenset(_CLOSER_OF.values())
# A word that introduces the time ("%Y at %H:%M") goes with it.
_TIME_PREPOSITION = re.compile(r"(?:^|(?<=\s))(?:at|@)\s*\Z")
# A zone written right after the time qualifies it ("%H:%M UTC", ISO's "%H:%M:%SZ").
_ZONE_WORD = re.compile(r"\s*(?:UTC|GMT)(?![^\W_])|Z(?![^\W_])")


@dataclass(frozen=True, slots=True)
class _Field:
    source: str
    kind: Kind


# A literal run is a list of units, each one rendered character: a plain character or one of
# %%, %n, %t (two characters of source). Rendered positions and unit positions then agree.
_Units = list[str]


def _render(units: _Units) -> str:
    return "".join(_LITERAL_DIRECTIVES.get(unit, unit) for unit in units)


def _parse(format_string: str) -> tuple[list[_Field], list[_Units]]:
    """The format's fields, and the literal runs around them: one more run than fields, the
    runs before the first field and after the last one possibly empty."""
    fields: list[_Field] = []
    literals: list[_Units] = [[]]
    position = 0
    while position < len(format_string):
        if format_string[position] != "%":
            literals[-1].append(format_string[position])
            position += 1
            continue
        match = _DIRECTIVE.match(format_string, position)
        assert match is not None  # Every part of the pattern after `%` is optional.
        directive = match.group()
        position = match.end()
        if directive in _LITERAL_DIRECTIVES:
            literals[-1].append(directive)
            continue
        letter = "z" if directive == "%:z" else match.group("letter")
        fields.append(_Field(directive, _KIND_OF_LETTER.get(letter, Kind.UNKNOWN)))
        literals.append([])
    return fields, literals


def shows_time_of_day(format_string: str) -> bool:
    fields, _ = _parse(format_string)
    return any(field.kind in (Kind.TIME, Kind.DATE_AND_TIME) for field in fields)


# The finest unit of time a directive shows, finest first (what a value printed with it is
# precise to).
TIME_UNITS = ("microsecond", "second", "minute", "hour")
_UNIT_OF_LETTER = {
    **dict.fromkeys("f", "microsecond"),
    **dict.fromkeys("STXrsc", "second"),
    **dict.fromkeys("MR", "minute"),
    **dict.fromkeys("HIklp", "hour"),
}


def finest_unit(format_string: str) -> str | None:
    """The finest unit of the time of day the format shows ("second" for `%H:%M:%S`), or None
    for a format that shows no time of day (a date)."""
    shown = {
        _UNIT_OF_LETTER.get(match.group("letter") or "")
        for match in _DIRECTIVE.finditer(format_string)
    }
    return next((unit for unit in TIME_UNITS if unit in shown), None)


def shows_a_field(format_string: str) -> bool:
    """Whether the format shows anything of the time at all, rather than only literal text."""
    fields, _ = _parse(format_string)
    return bool(fields)


# The directives that print the same number of characters whatever the locale and the moment
# (a clock read's year has four digits). Names, unpadded numbers (%-d), zones and epoch seconds
# vary in width: a slice after one of them cannot be placed.
_FIXED_WIDTH = {
    **dict.fromkeys(("%u", "%w"), 1),
    **dict.fromkeys(("%m", "%d", "%e", "%y", "%g", "%C", "%U", "%W", "%V"), 2),
    **dict.fromkeys(("%H", "%I", "%k", "%l", "%M", "%S"), 2),
    "%j": 3,
    **dict.fromkeys(("%Y", "%G"), 4),
    "%R": 5,
    "%f": 6,
    **dict.fromkeys(("%D", "%T"), 8),
    "%F": 10,
}


def sliced(format_string: str, start: int, stop: int) -> str | None:
    """The format of the characters [start:stop] of the text the format prints, or None when
    they cannot be told: a field of varying width before `stop`, or `stop` beyond the text. A
    field the slice cuts through is kept whole (the tens of the hour still change within the
    day): `sliced("%Y-%m-%dT%H:%M:%S", 0, 10)` is "%Y-%m-%d", with 0 and 12 "%Y-%m-%dT%H"."""
    fields, literals = _parse(format_string)
    # Each piece of the format in order, with the number of characters it prints.
    pieces: list[tuple[str, int | None]] = [(unit, 1) for unit in literals[0]]
    for field, literal in zip(fields, literals[1:], strict=True):
        pieces.append((field.source, _FIXED_WIDTH.get(field.source)))
        pieces.extend((unit, 1) for unit in literal)
    kept: list[str] = []
    position = 0
    for source, width in pieces:
        if position >= stop:
            break
        if width is None:
            return None
        if position + width > start:
            kept.append(source)
        position += width
    return "".join(kept) if position >= stop else None


def date_only(format_string: str) -> str | None:
    """The format with each time-of-day group removed together with exactly the separators
    that belong to it, or None when that is not clearly right: nothing to remove, no date
    left, an unknown or combined directive (%c), words or symbols next to the time whose
    meaning is unclear, or two fields that would be left glued together.

    "%a %b %d %H:%M:%S %Y" -> "%a %b %d %Y"; "%Y-%m-%d %H:%M (%A)" -> "%Y-%m-%d (%A)";
    "Today is %A %H:%M, %B %d" -> "Today is %A, %B %d"; "%d %B %Y at %I:%M %p" -> "%d %B %Y".
    """
    fields, literals = _parse(format_string)
    if any(field.kind in (Kind.UNKNOWN, Kind.DATE_AND_TIME) for field in fields):
        return None
    kept_fields: list[_Field] = []
    kept_literals: list[_Units] = [literals[0]]
    index = 0
    while index < len(fields):
        if fields[index].kind is not Kind.TIME:
            kept_fields.append(fields[index])
            kept_literals.append(literals[index + 1])
            index += 1
            continue
        end = _group_end(fields, literals, index)
        if end is None:
            return None
        joined = _join(
            kept_literals[-1],
            literals[end + 1],
            has_before=bool(kept_fields),
            has_after=end + 1 < len(fields),
        )
        if joined is None:
            return None
        kept_literals[-1] = joined
        index = end + 1
    if len(kept_fields) == len(fields) or not any(f.kind is Kind.DATE for f in kept_fields):
        return None
    pieces = ["".join(kept_literals[0])]
    for field, literal in zip(kept_fields, kept_literals[1:], strict=True):
        pieces.append(field.source)
        pieces.append("".join(literal))
    return "".join(pieces)


def _group_end(fields: list[_Field], literals: list[_Units], start: int) -> int | None:
    """The index of the last field of the time-of-day group that starts at `start`: time
    fields joined by separators, and a zone that follows them directly. None when another
    time field follows with words or brackets between (which of it to remove is unclear)."""
    end = start
    while end + 1 < len(fields):
        between = literals[end + 1]
        following = fields[end + 1].kind
        if following is Kind.TIME:
            if not all(_render([unit]) in _SEPARATORS for unit in between):
                return None
        elif following is not Kind.ZONE or _render(between).strip():
            break
        end += 1
    return end


def _join(before: _Units, after: _Units, has_before: bool, has_after: bool) -> _Units | None:
    """What is left of the literal runs on either side of a removed time group: the group's
    own separators go with it, one separator stays between the fields it stood between."""
    before, after = _without_time_words(before, after, has_before)
    # A bracket pair that held only the time goes with it: "%d (%H:%M) %Y".
    while True:
        left, right = _render(before).rstrip(), _render(after)
        inner_space = len(right) - len(right.lstrip())
        if not left or left[-1] not in _CLOSER_OF:
            break
        if right[inner_space : inner_space + 1] != _CLOSER_OF[left[-1]]:
            break
        before, after = before[: len(left) - 1], after[inner_space + 1 :]
    before_kept, before_separator = _split_trailing_separator(before)
    after_separator, after_kept = _split_leading_separator(after)
    if not has_before:
        # The text before the format's first field leads into what follows: kept if it is
        # only punctuation, too unclear to touch if it holds words ("Time: %H:%M %d/%m").
        if not _is_punctuation(before) or (after_kept and _render(after_kept)[0] not in _BRACKETS):
            return None
        return before + after_kept
    if before_kept and _render(before_kept)[-1] not in _BRACKETS:
        return None  # Words or symbols right before the time: "%d Time: %H:%M".
    if not has_after:
        if not _is_punctuation(after):
            return None  # Words right after the time: "%d.%m. %H:%M Uhr".
        return before_kept + after
    if after_kept and _render(after_kept)[0] not in _BRACKETS:
        return None
    if (before_kept and _render(before_kept)[-1] in _CLOSER_OF) or (
        after_kept and _render(after_kept)[0] in _CLOSER_OF.values()
    ):
        separator: _Units | None = []  # Just inside a bracket: "(%A, %H:%M)" -> "(%A)".
    else:
        separator = _one_separator(before_separator, after_separator)
    if separator is None:
        return None
    joined = before_kept + separator + after_kept
    return joined if joined else None  # Nothing left between two fields would glue them.


def _without_time_words(before: _Units, after: _Units, has_before: bool) -> tuple[_Units, _Units]:
    """The runs around a time group less the words that belong to the time: ISO's `T` and
    `Z`, a preposition before it, a zone name after it."""
    if has_before and _render(before) == "T":
        before = []
    preposition = _TIME_PREPOSITION.search(_render(before))
    if preposition is not None:
        before = before[: preposition.start()]
    zone = _ZONE_WORD.match(_render(after))
    if zone is not None:
        after = after[zone.end() :]
    return before, after


def _split_trailing_separator(units: _Units) -> tuple[_Units, _Units]:
    cut = len(units)
    while cut > 0 and _render([units[cut - 1]]) in _SEPARATORS:
        cut -= 1
    return units[:cut], units[cut:]


def _split_leading_separator(units: _Units) -> tuple[_Units, _Units]:
    cut = 0
    while cut < len(units) and _render([units[cut]]) in _SEPARATORS:
        cut += 1
    return units[:cut], units[cut:]


def _is_punctuation(units: _Units) -> bool:
    return all(character in _SEPARATORS or character in _BRACKETS for character in _render(units))


def _one_separator(before: _Units, after: _Units) -> _Units | None:
    """The separator to keep between two fields that the time stood between: the one that
    says more ("%A %H:%M, %B" keeps ", "), or None when both say something different."""
    if not before or _render(before) == _render(after) or not _render(before).strip():
        return after or before
    if not after or not _render(after).strip():
        return before
    return None
