"""Rule discovery and selection."""

from __future__ import annotations

import pytest

from ctxlint import registry
from ctxlint.rule import Rule


def test_rules_are_discovered_without_a_list():
    codes = [rule.code for rule in registry.all_rules()]
    assert codes == sorted(codes)
    assert {"CTX001", "CTX002", "CTX003", "CTX900"} <= set(codes)


def test_duplicate_codes_and_bad_names_are_refused():
    class First(Rule):
        code, name, message = "CTX100", "first-thing", "m"

    class Second(Rule):
        code, name, message = "CTX100", "second-thing", "m"

    class Negative(Rule):
        code, name, message = "CTX101", "no-timestamps", "m"

    with pytest.raises(registry.RegistryError, match="already used"):
        registry._check_unique([First, Second])
    with pytest.raises(registry.RegistryError, match="kebab-case pattern name"):
        registry._check_unique([Negative])


_DETECTOR_CODES = (
    "CTX001",
    "CTX002",
    "CTX003",
    "CTX004",
    "CTX005",
    "CTX006",
    "CTX007",
    "CTX008",
    "CTX009",
    "CTX010",
    "CTX011",
    "CTX012",
)


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["CTX"], [], {*_DETECTOR_CODES, "CTX900"}),
        # CTX100 (unused noqa) is opt-in: ALL or a selector longer than CTX chooses it.
        (["ALL"], ["CTX9"], {*_DETECTOR_CODES, "CTX100"}),
        (["CTX1"], [], {"CTX100"}),
        (["CTX", "CTX100"], ["CTX0", "CTX9"], {"CTX100"}),
        (["CTX100"], ["CTX"], {"CTX100"}),
        (["CTX1"], ["CTX100"], set()),
        (["CTX00"], ["CTX002"], set(_DETECTOR_CODES) - {"CTX002", "CTX010", "CTX011", "CTX012"}),
        (["CTX01"], [], {"CTX010", "CTX011", "CTX012"}),
        (["CTX002"], ["CTX"], {"CTX002"}),
        (["CTX001"], ["CTX001"], set()),
    ],
)
def test_selection_by_prefix(select, ignore, expected):
    chosen = {rule.code for rule in registry.select_rules(select, [], ignore)}
    assert chosen == expected


def test_every_rule_documents_itself_in_the_fixed_shape():
    for rule in registry.all_rules():
        doc = rule.documentation()
        headers = [line for line in doc.splitlines() if line.startswith("## ")]
        assert headers[:3] == ["## What it does", "## Why is this bad?", "## Example"], rule.code
        assert "Use instead:" in doc, rule.code
        if rule.fix_applicability is not None:
            assert "## Fix safety" in doc, rule.code
        assert rule.description(), rule.code
