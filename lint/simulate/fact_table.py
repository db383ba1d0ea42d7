"""The provider facts the simulator uses, one row per fact with the source it was read from and
the date: what `ctxlint providers` prints, and what a test holds to having both."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ctxlint.simulate.facts import provider_facts
from ctxlint.text_table import LEFT, RIGHT, Column, Row, render_table

# Keys of a section that describe the facts rather than being facts themselves.
_ABOUT = frozenset({"source", "as_of", "sources", "about", "note"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The section of prices, one row per model.
MODELS = "models"


@dataclass(frozen=True, slots=True)
class Fact:
    # A provider's name, "models" for a price row, "tokenizer_scale" for a scale.
    section: str
    name: str
    value: Any
    source: str
    as_of: str
    note: str = ""

    @property
    def sourced(self) -> bool:
        """Whether the fact says where it was read (an address) and when (a date)."""
        return "://" in self.source and bool(_DATE.match(self.as_of))

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "fact": self.name,
            "value": self.value,
            "source": self.source,
            "as_of": self.as_of,
            "note": self.note,
        }


def _own_source(section: dict[str, Any], name: str) -> tuple[str, str, str]:
    """A fact's own source where the section gives one, else the section's."""
    own = section.get("sources", {}).get(name)
    if isinstance(own, dict):
        return str(own.get("url", "")), str(own.get("as_of", "")), str(own.get("note", ""))
    return str(section.get("source", "")), str(section.get("as_of", "")), ""


def facts_table(providers: list[str] | None = None) -> list[Fact]:
    """Every fact of the data file (of the named providers only, when given), in file order."""
    data = provider_facts()
    rows: list[Fact] = []
    for provider, section in data["providers"].items():
        if providers and provider not in providers:
            continue
        for name, value in section.items():
            if name not in _ABOUT:
                rows.append(Fact(provider, name, value, *_own_source(section, name)))
    if not providers:
        scale = data["tokenizer_scale"]
        for name, value in scale.items():
            if name not in _ABOUT:
                rows.append(Fact("tokenizer_scale", name, value, *_own_source(scale, name)))
    for model, entry in data["models"].items():
        provider = entry.get("provider", "")
        if providers and provider not in providers:
            continue
        prices = {key: value for key, value in entry.items() if key not in _ABOUT}
        rows.append(
            Fact("models", model, prices, str(entry.get("source", "")), str(entry.get("as_of", "")))
        )
    return rows


def render_facts(rows: list[Fact]) -> str:
    """One block per provider: each fact's value, then where and when it was read (once for a
    run of facts read from the same place on the same day); the prices as one table."""
    lines: list[str] = []
    current = None
    cited = None
    for fact in rows:
        if fact.section == MODELS:
            continue
        if fact.section != current:
            current = fact.section
            cited = None
            if lines:
                lines.append("")
            lines.append(current)
        lines.append(f"  {fact.name}: {_value(fact.value)}")
        if (fact.source, fact.as_of) != cited:
            cited = (fact.source, fact.as_of)
            lines.append(f"      {fact.source} ({fact.as_of})")
        if fact.note:
            lines.append(f"      {fact.note}")
    prices = [fact for fact in rows if fact.section == MODELS]
    if prices:
        if lines:
            lines.append("")
        lines.append(f"{MODELS} ($ per million tokens)")
        lines.extend(_price_table(prices))
    return "\n".join(lines) + "\n"


def _price_table(prices: list[Fact]) -> list[str]:
    """A row per model, a column per price any model has; under a row, where it was read, when
    that is not where the row before it was."""
    keys: list[str] = []
    for fact in prices:
        keys.extend(key for key in fact.value if key not in keys)
    columns = [Column("MODEL")] + [
        Column(key.replace("_", " ").upper(), LEFT if key == "provider" else RIGHT) for key in keys
    ]
    table: list[Row] = []
    cited = None
    for fact in prices:
        cells = [fact.name] + [
            _value(fact.value[key]) if key in fact.value else "–" for key in keys
        ]
        source = None
        if (fact.source, fact.as_of) != cited:
            cited = (fact.source, fact.as_of)
            source = f"{fact.source} ({fact.as_of})"
        table.append(Row(cells, source))
    return render_table(columns, table, indent="  ")


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}={_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value)
    if value is None:
        return "none"
    return str(value).lower() if isinstance(value, bool) else str(value)
