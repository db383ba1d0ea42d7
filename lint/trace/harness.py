"""Findings about what an agent harness does by design: held back unless `harness-findings` is
on, since its user cannot change them.

A transcript that an agent product writes of its own requests (Claude Code, Codex, Gemini CLI,
Cline, opencode, pi, OpenHands) records a prompt the product assembles: its system prompt and
sub-agent prompts, its tool list, the way it serialises observations, when it compacts the
history. A rule that judges that assembly there judges the product, not the user's code: Claude
Code compacting a long session is its design, and the one CTX006 on such a session is no
finding its user can act on. The same findings in a trace of the user's own agent (logged in
ctxlint's format, as OpenAI or Anthropic requests, through LiteLLM, OpenTelemetry, Langfuse,
or as an Inspect, SWE-agent or mini-swe-agent run whose templates the user writes) are
reported: there the user assembles the prompt.

How long a session sits idle between requests (CTX009) is the user's or the workflow's, not
the harness's design: it is reported in every format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctxlint.config import Settings
    from ctxlint.rule import Rule
    from ctxlint.trace.model import Request

# Formats whose requests an agent product assembles itself (format names as readers give them).
HARNESS_FORMATS = frozenset(
    {"claude-code", "codex", "gemini-cli", "cline", "opencode", "pi", "openhands", "openhands-eval"}
)


def by_harness(rule: Rule | type[Rule], request: Request) -> bool:
    """Whether a finding of `rule` on this request is about what the agent harness that made
    it does by design."""
    return rule.judges_prompt_assembly and request.format in HARNESS_FORMATS


def harness_events(path: str, settings: Settings | None = None) -> int:
    """How many findings on the trace file at `path` are about what its agent harness does by
    design (a compaction Claude Code made, say): those a check holds back unless
    `harness-findings` is on. For a summary line such as "1 compaction by the harness, not
    reported (--harness-findings)"; a check already counts them in Report.harness_findings."""
    from ctxlint.config import Settings
    from ctxlint.registry import select_rules
    from ctxlint.trace.checker import TraceChecker

    settings = settings or Settings()
    rules = select_rules(list(settings.select), list(settings.extend_select), list(settings.ignore))
    checker = TraceChecker(settings.with_overrides(harness_findings=False), rules)
    return checker.check_file(path).harness_findings
