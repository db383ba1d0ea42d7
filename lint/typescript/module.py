"""What a rule's TypeScript detector is given: one parsed file, its sinks, the settings that
bear on it, and how to place a finding in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic, Fix, Location, RelatedLocation
from ctxlint.redact import bounded
from ctxlint.typescript.host_sinks import host_sinks
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.sinks import Sink, find_sinks

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject


@dataclass(slots=True)
class ScriptModule:
    """A TypeScript or JavaScript file, parsed once and shared by every rule."""

    parsed: ParsedScript
    flag_daily_values: bool = False
    # The cached prefix sent: system prompts and tool definitions.
    sinks: list[Sink] = field(default_factory=list)
    # The message histories sent after it (`messages`, `input`).
    histories: list[Sink] = field(default_factory=list)
    compaction_functions: tuple[str, ...] = ()
    # The run's settings, for the rules with options (CTX005's tool-prefixes); None in tests
    # that build a module by hand.
    settings: Settings | None = None
    # The files it imports, for a rule that follows values into them (None: this file alone).
    project: ScriptProject | None = None

    @classmethod
    def of(
        cls,
        parsed: ParsedScript,
        flag_daily_values: bool = False,
        compaction_functions: tuple[str, ...] = (),
        project: ScriptProject | None = None,
    ) -> ScriptModule:
        # A host framework's hook or a hand-written request body is a prefix as well.
        hosted = host_sinks(parsed)
        # A hook's `systemPrompt` is also a value named so: one sink for it.
        known = {sink.value.id for sink in hosted}
        found = [
            *(s for s in find_sinks(parsed, project) if not (s.by_name and s.value.id in known)),
            *hosted,
        ]
        prefix = [sink for sink in found if not sink.in_history]
        histories = [sink for sink in found if sink.in_history]
        return cls(
            parsed, flag_daily_values, prefix, histories, compaction_functions, project=project
        )

    @property
    def path(self) -> str:
        return self.parsed.path

    def text_of(self, node: Node) -> str:
        return self.parsed.text(node)

    def start(self, node: Node) -> Location:
        return self.parsed.location(node.start_point)

    def end(self, node: Node) -> Location:
        return self.parsed.location(node.end_point)

    def related(
        self, node: Node, message: str, parsed: ParsedScript | None = None
    ) -> RelatedLocation:
        where = parsed or self.parsed
        start, end = where.location(node.start_point), where.location(node.end_point)
        return RelatedLocation(where.path, start, end, message)

    def diagnostic(
        self,
        rule,
        node: Node,
        message: str,
        related: tuple[RelatedLocation, ...] = (),
        help: str | None = None,
        fix: Fix | None = None,
        parsed: ParsedScript | None = None,
    ) -> Diagnostic:
        """A finding at `node`, in the file `parsed` when the node is in a file this one
        imports (a value built there and sent from here)."""
        where = parsed or self.parsed
        return Diagnostic(
            rule.code,
            rule.name,
            bounded(message),
            where.path,
            where.location(node.start_point),
            where.location(node.end_point),
            fix=fix,
            related=related,
            help=help,
        )
