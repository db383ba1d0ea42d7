"""strftime formats: whether one shows a time of day, and how to cut it down to the date."""

from __future__ import annotations

import re

_DIRECTIVE = re.compile(r"%[-#_^0]?[a-zA-Z%]")
# Directives that change within a day. %c, %X, %T, %R print a time; %s is epoch seconds.
_TIME_OF_DAY = frozenset("HIMSfpXcTRsLkl")
_DATE = frozenset("aAbBdjmUwWyYGuVxFDeCgh")


def _directive_letter(directive: str) -> str:
    return directive[-1]


def shows_time_of_day(format_string: str) -> bool:
    return any(_directive_letter(d) in _TIME_OF_DAY for d in _DIRECTIVE.findall(format_string))


def date_only(format_string: str) -> str | None:
    """The format with its time-of-day directives and the text around them removed, or None
    when nothing of a date would be left.

    "%Y-%m-%d %H:%M:%S" -> "%Y-%m-%d"; "%A, %B %d, %Y at %I:%M %p" -> "%A, %B %d, %Y".
    A literal run is kept only if every directive next to it is kept.
    """
    pieces: list[tuple[str, bool | None]] = []  # (text, kept) ; kept None for literal text
    position = 0
    for match in _DIRECTIVE.finditer(format_string):
        if match.start() > position:
            pieces.append((format_string[position : match.start()], None))
        letter = _directive_letter(match.group())
        pieces.append((match.group(), letter not in _TIME_OF_DAY))
        position = match.end()
    if position < len(format_string):
        pieces.append((format_string[position:], None))
    if not any(kept and _directive_letter(text) in _DATE for text, kept in pieces):
        return None
    result = []
    for index, (text, kept) in enumerate(pieces):
        if kept is None:
            neighbours = [
                pieces[j][1]
                for j in (index - 1, index + 1)
                if 0 <= j < len(pieces) and pieces[j][1] is not None
            ]
            if all(neighbours):
                result.append(text)
        elif kept:
            result.append(text)
    return "".join(result)
