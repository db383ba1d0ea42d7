"""Stand-ins for the part of a prompt a trace does not record, sized from the reported usage.

Claude Code's transcripts keep neither the system prompt nor the tools, nor the context it
injects into the first user message (CLAUDE.md and other `<system-reminder>` blocks). The
provider counts all three: what the first reported prompt holds beyond the recorded messages
is their size together. The cache tells them apart. Claude Code marks a cache breakpoint at the
end of the system prompt, so when the injected context is rebuilt (after a compaction, and
after the `<task-notification>` of a background command, in the sessions of
../shared/traces/claude-code) the read falls back to exactly that boundary. So the stand-in is
two parts: the system prompt and tools, then the context, which belongs to the first message
and changes with it (or with a rebuild).

Where the boundary lies is not recorded. A session's first read from the cache is taken for it:
what earlier sessions of the agent left there ends at a boundary every session shares, which
the per-session context is not. The first fallback then shows where the boundary is (it may lie
further: the system prompt itself holds per-session parts, such as the working directory), and
the session goes on with the boundary where that read ended.
"""

from __future__ import annotations

from ctxlint.simulate.calibrate import PositionMap
from ctxlint.simulate.prompt_layout import CONTEXT, CONTEXT_GENERATION, SUB_AGENT, Renderer
from ctxlint.simulate.tokens import TokenizerChoice
from ctxlint.trace.model import TEXT, Request, Usage

# The format whose agent injects unrecorded context into the first user message.
_INJECTING_FORMATS = frozenset({"claude-code"})
# How Claude Code names a sub-agent's session (see formats/claude_code.py): a sub-agent is sent
# a system prompt and tools of its own. In ../shared/traces/agentlogs/claudecode/subagent.jsonl
# the sub-agent's first request read nothing, 10 s after the main agent's had read 20 k tokens.
_SUB_AGENT_SESSION = "/agent-"
# How a background command's end is told to the model, as the newest user message.
TASK_NOTIFICATION = "<task-notification>"


def stand_ins(request: Request, renderer: Renderer, choice: TokenizerChoice) -> dict[str, int]:
    """Our tokens standing for a system prompt or tools the trace did not record: what the
    first reported prompt size holds beyond what was recorded; for Claude Code, split into the
    system prompt and tools and the context injected into the first message."""
    missing = [part for part in ("system", "tools") if getattr(request, part) is None]
    usage = request.usage
    if not missing or not usage or not usage.prompt_tokens:
        return {}
    scale = choice.scale or 1.0
    recorded = renderer.render(request).length
    beyond = round(usage.prompt_tokens / scale) - recorded
    if beyond <= 0:
        return {}
    # Providers put tools before or right after the system prompt; one stand-in covers
    # whatever is missing of the two.
    found = {missing[0]: beyond}
    if request.format in _INJECTING_FORMATS and _SUB_AGENT_SESSION in request.session:
        found[SUB_AGENT] = 1
    if request.format in _INJECTING_FORMATS and request.messages:
        boundary = round((usage.cached_tokens or 0) / scale)
        if 0 < boundary < beyond:
            found[missing[0]] = boundary
            found[CONTEXT] = beyond - boundary
            found[CONTEXT_GENERATION] = 0
    return found


def rebuilds_context(request: Request, unrecorded: dict[str, int]) -> bool:
    """Whether the agent sent this request with its injected context rebuilt: after a
    compaction, and when the newest message tells of a background task's end."""
    if not unrecorded.get(CONTEXT):
        return False
    if request.compacted:
        return True
    newest = request.messages[-1] if request.messages else None
    if newest is None or newest.role != "user" or not newest.blocks:
        return False
    first = newest.blocks[0]
    return first.kind == TEXT and first.text.lstrip().startswith(TASK_NOTIFICATION)


def rebuilt(unrecorded: dict[str, int]) -> dict[str, int]:
    """The stand-ins with a context that is new: no cache holds it."""
    return {**unrecorded, CONTEXT_GENERATION: unrecorded.get(CONTEXT_GENERATION, 0) + 1}


def measured_boundary(
    unrecorded: dict[str, int], usage: Usage | None, positions: PositionMap
) -> dict[str, int] | None:
    """After a rebuild, the stand-ins with the boundary moved to where the reported read
    ended, when it ended inside the context; None when the boundary stays."""
    if usage is None or usage.cached_tokens is None:
        return None
    part = "system" if "system" in unrecorded else "tools"
    boundary, context = unrecorded.get(part, 0), unrecorded.get(CONTEXT, 0)
    # The stand-ins lead the prompt: the map places them as the first request measured them.
    moved = positions.position_of(usage.cached_tokens)
    if not boundary < moved < boundary + context:
        return None
    return {**unrecorded, part: moved, CONTEXT: boundary + context - moved}
