"""Tables as plain text, the one way every command prints them: a header in capitals, columns
two spaces apart, figures aligned right, and an optional line of detail under a row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from unicodedata import east_asian_width

LEFT = "left"
RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    align: str = LEFT


@dataclass(frozen=True, slots=True)
class Row:
    cells: Sequence[str]
    # Printed under the row, a line each, indented past the first column's start; not counted
    # in the widths, so that one long explanation does not widen every column.
    detail: str | None = None


def render_table(
    columns: Sequence[Column | str],
    rows: Sequence[Row | Sequence[str]],
    indent: str = "",
) -> list[str]:
    """The table's lines, header first, without trailing spaces. A plain string column is
    aligned left; a plain sequence row has no detail."""
    heads = [column if isinstance(column, Column) else Column(column) for column in columns]
    body = [row if isinstance(row, Row) else Row(row) for row in rows]
    for row in body:
        if len(row.cells) != len(heads):
            raise ValueError(f"a row of {len(row.cells)} cells in a table of {len(heads)} columns")
    widths = [
        max([width(head.title), *(width(row.cells[index]) for row in body)])
        for index, head in enumerate(heads)
    ]
    lines = [_line([head.title for head in heads], heads, widths, indent)]
    for row in body:
        lines.append(_line(row.cells, heads, widths, indent))
        if row.detail:
            lines.extend(f"{indent}    {detail}" for detail in row.detail.splitlines())
    return lines


def _line(cells: Sequence[str], heads: Sequence[Column], widths: list[int], indent: str) -> str:
    padded = []
    for cell, head, size in zip(cells, heads, widths, strict=True):
        gap = " " * (size - width(cell))
        padded.append(gap + cell if head.align == RIGHT else cell + gap)
    return (indent + "  ".join(padded)).rstrip()


def width(text: str) -> int:
    """Columns a text takes in a terminal: wide East Asian characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if east_asian_width(character) in "WF" else 1 for character in text)


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`1 request`, `2 requests`, `1,024 tokens`: a count with its noun agreeing."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
