"""Replays traces through a cache policy: for every request, what it would read, write and
cost, what the provider reported, and where and why it lost cache it could have kept."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ctxlint.simulate.calibrate import PositionMap
from ctxlint.simulate.continuation import (
    Previous,
    breakpoints,
    continue_previous,
    expected_reach,
)
from ctxlint.simulate.explain import explain_divergence, explain_shortfall
from ctxlint.simulate.facts import Prices, infer_policy, prices_for, provider_facts
from ctxlint.simulate.guards import SimulationFailed, within_bounds
from ctxlint.simulate.openai_models import as_read, drops_earlier_reasoning
from ctxlint.simulate.policies import Visit, make_policy
from ctxlint.simulate.prompt_layout import Prompt, Renderer, Segment
from ctxlint.simulate.results import Options, RequestResult, predicted_cost, reported_cost
from ctxlint.simulate.routing import Router
from ctxlint.simulate.timeline import first_time, in_time_order
from ctxlint.simulate.tokens import Tokenizer, TokenizerChoice, choose_tokenizer
from ctxlint.simulate.tree import shared_prefix, token_stream_prefix
from ctxlint.simulate.unrecorded import (
    measured_boundary,
    rebuilds_context,
    rebuilt,
    stand_ins,
)
from ctxlint.trace.compare import SessionState, Step
from ctxlint.trace.model import Request, Tool
from ctxlint.trace.reading import Problem

# Options, RequestResult and SimulationFailed are imported from here by the rest of the
# simulator, its callers and tests; each lives beside its own concern.
__all__ = ["Options", "RequestResult", "SimulationFailed", "Simulator"]

# The end of a prompt, where generation starts: never the start of anything a later prompt
# repeats, so it is never counted as shared.
_GENERATION = "<|generate|>"


@dataclass(slots=True)
class _Session:
    state: SessionState
    unrecorded: dict[str, int] | None = None
    latest: dict[str | None, Previous] = field(default_factory=dict)
    # Per model, the latest request as sent, where the provider reads less of it (`latest`
    # holds it as read): what the trace rules compare.
    sent: dict[str | None, Request] = field(default_factory=dict)
    started: bool = False


class Simulator:
    def __init__(
        self, options: Options, settings: Any, tokenizers: dict[str, Tokenizer] | None = None
    ) -> None:
        self.options = options
        self.settings = settings
        self.scales = {
            key: float(value)
            for key, value in provider_facts()["tokenizer_scale"].items()
            if isinstance(value, (int, float))
        }
        # Shared between simulations of the same traces: tokens are memoised by content.
        self._tokenizers = {} if tokenizers is None else tokenizers
        self._renderers: dict[tuple[str, str], Renderer] = {}
        self._routers: dict[str, Router] = {}
        self._prices: dict[tuple[str | None, str], Prices] = {}
        self._ideal = make_policy("ideal")
        self._sessions: dict[tuple[str, str], _Session] = {}
        self._tick = 0
        self.problems: list[tuple[str, Problem]] = []
        # The files read without fault that held no request, and the format each was read as.
        self.without_requests: list[tuple[str, str | None]] = []
        self.approximate_models: set[str] = set()
        self.unpriced_models: set[str] = set()
        # Per (path, session): every tool it sent, by name, first definition first seen.
        self.session_tools: dict[tuple[str, str], dict[str, Tool]] = {}
        # With --warm-start shared: per renderer, the tokens every session starts with.
        self._warm_prefixes: dict[tuple[str, str], int] = {}
        # The file, and the line in it, being read or replayed: where a fault happened.
        self._at: tuple[str, int] = ("", 0)
        # Per file: the time of its first timestamped request, once a pass over it found it.
        self._starts: dict[str, float | None] = {}

    def run(
        self,
        paths: Iterable[str],
        on_request: Callable[[], None] | None = None,
        rewrite: Callable[[Request], Request] | None = None,
    ):
        """Replays every request of the traces in the order they were sent (see timeline:
        each file in its own order, the files merged by time); `rewrite` replaces each request
        by another (a fix applied) before it is replayed. Results come in that order. A fault
        of ctxlint's own while doing so is raised as SimulationFailed, naming the file and line
        it was at."""
        paths = list(paths)
        try:
            if self.options.warm_start == "shared":
                self._warm_prefixes = self._shared_prefixes(paths)
            for path, item in in_time_order(paths, self._read, self._start_of):
                if isinstance(item, Problem):
                    self.problems.append((path, item))
                    continue
                self._at = (path, item.origin.line)
                if rewrite is None:
                    yield self.replay(item)
                else:
                    rewritten = rewrite(item)
                    yield self.replay(rewritten, None if rewritten is item else item)
                if on_request is not None:
                    on_request()
        except Exception as error:
            raise SimulationFailed(*self._at, error) from error

    def _read(self, path: str) -> Iterator[Request | Problem]:
        """The file's requests and problems; a file without either is noted as such."""
        from ctxlint.trace.loader import TraceReader

        reader = TraceReader(path, self.options.trace_format)
        items = iter(reader)
        read_anything = False
        line = 0
        while True:
            # Other files are replayed between two items of this one: a fault while reading
            # on is placed after the last line read here.
            self._at = (path, line)
            item = next(items, None)
            if item is None:
                break
            read_anything = True
            line = item.line if isinstance(item, Problem) else item.origin.line
            yield item
        if not read_anything:
            self.without_requests.append((path, reader.format))

    def _start_of(self, path: str) -> float | None:
        """The time of the file's first timestamped request (found while reading for the
        shared warm start, if it read the file)."""
        if path in self._starts:
            return self._starts[path]
        from ctxlint.trace.loader import TraceReader

        self._at = (path, 0)
        items = iter(TraceReader(path, self.options.trace_format))
        try:
            return first_time(items)
        finally:
            items.close()

    def replay(self, request: Request, recorded: Request | None = None) -> RequestResult:
        """`recorded` is the request as the trace has it when `request` is a rewritten form of
        it: its reported sizes then describe the recorded prompt, not this one."""
        request = self._bounded(request)
        if recorded is not None:
            recorded = self._bounded(recorded, report=False)
        self._tick += 1
        session = self._session(request)
        policy_name = self.options.policy or infer_policy(request.provider, request.model)
        sent = request
        if policy_name in ("openai", "azure") and drops_earlier_reasoning(
            request.model, request.params
        ):
            # What the provider caches and counts is the prompt without earlier turns'
            # reasoning, which it accepts and ignores.
            request = as_read(request)
            if recorded is not None:
                recorded = as_read(recorded)
        choice = choose_tokenizer(request.model, self.scales)
        if choice.approximate:
            self.approximate_models.add(request.model or "unknown")
        renderer = self._renderer(choice, policy_name)
        if session.unrecorded is None:
            session.unrecorded = stand_ins(recorded or request, renderer, choice)
        context_rebuilt = rebuilds_context(request, session.unrecorded)
        if context_rebuilt:
            session.unrecorded = rebuilt(session.unrecorded)
        if request.tools is not None:
            seen = self.session_tools.setdefault((request.path, request.session), {})
            for tool in request.tools:
                seen.setdefault(tool.name, tool)
        previous = session.latest.get(request.model)
        prompt = renderer.render(
            request,
            session.unrecorded,
            (previous.request, previous.prompt) if previous else None,
        )
        prompt.segments.append(
            Segment("generation", _GENERATION, renderer.tokenizer.tokens(_GENERATION), -1)
        )
        prompt.starts.append(prompt.starts[-1] + len(prompt.segments[-1].tokens))
        usage = request.usage
        reported_prompt = usage.prompt_tokens if usage else None
        if reported_prompt and recorded is not None:
            # The rewritten prompt is longer or shorter than the one the size was reported
            # for, by as many provider tokens per token of ours as the recorded one had.
            recorded_length = renderer.render(recorded, session.unrecorded).length + len(
                prompt.segments[-1].tokens
            )
            reported_prompt = max(1, round(reported_prompt * prompt.length / recorded_length))
        router = self._router(policy_name)
        policy = router.route(request.session, prompt)

        continuation = request
        # Whether this request is the first of a turn, which drops reasoning the previous
        # request still read.
        drops_more = False
        if request is not sent and request.model in session.sent:
            # The previous response, reasoning and all, follows the previous prompt in the
            # cache: only what the previous request already dropped is left out.
            continuation = as_read(sent, len(session.sent[request.model].messages))
            drops_more = continuation.messages != request.messages
        continued, kept_output_end = continue_previous(previous, continuation, prompt, self._ideal)
        if previous is not None and continued is not None:
            base_prompt, base_positions = continued
            shared = shared_prefix(prompt, base_prompt)
            positions = base_positions.continued(
                shared, prompt.length, reported_prompt, choice.scale
            )
        else:
            base_prompt = None
            shared = 0
            positions = PositionMap.linear(
                prompt.length,
                reported_prompt if reported_prompt else prompt.length * choice.scale,
            )
        breakpoints_asked = breakpoints(request, prompt)
        if (
            usage
            and usage.cache_write_tokens
            and usage.cached_tokens is not None
            and breakpoints_asked
            and recorded is None
        ):
            last = prompt.starts[breakpoints_asked[-1][0] + 1]
            positions = positions.with_anchor(last, usage.cached_tokens + usage.cache_write_tokens)
        visit = Visit(
            prompt,
            positions,
            request.timestamp.timestamp() if request.timestamp else 0.0,
            self._tick,
            request.model,
            request.params,
            breakpoints_asked,
            usage.output_tokens if usage else None,
        )
        if not session.started:
            session.started = True
            warm = 0
            if self.options.warm_start == "reported" and usage and usage.cached_tokens:
                warm = usage.cached_tokens
            elif self.options.warm_start == "shared":
                shared_length = self._warm_prefixes.get(_renderer_key(choice, policy_name), 0)
                warm = round(positions.at(min(shared_length, prompt.length)))
            if warm:
                policy.seed(visit, warm)
                self._ideal.seed(visit, warm)
        served = policy.serve(visit)
        ideal = self._ideal.serve(visit)

        step = Step(session.state, session.sent.get(request.model), sent, self.settings)
        session.state.requests += 1
        miss = None
        if previous is not None and base_prompt is not None:
            expected = expected_reach(previous, kept_output_end, policy)
            if shared < expected:
                miss = explain_divergence(step, prompt, shared, renderer, base_prompt)
                if miss is not None and miss.code is None and drops_more:
                    miss.reason = "the model drops earlier turns' reasoning at a new user turn"
                if miss is not None:
                    miss.tokens_lost = max(0, round(base_positions.at(expected)) - served.cached)
            elif served.reason is not None:
                miss = explain_shortfall(served, round(positions.at(expected)), prompt)
        if miss is not None and miss.tokens_lost <= 0:
            miss = None

        prompt_tokens = round(positions.at(prompt.length))
        prices = self._prices.get((request.model, policy.name))
        if prices is None:
            prices = prices_for(request.model, policy.name, self.options.prices)
            self._prices[(request.model, policy.name)] = prices
        # A request that records neither its model nor its usage (a SWE-agent step) has no
        # cost anyone could state; it is not a price missing from the list.
        if not prices.known and (request.model or usage is not None):
            self.unpriced_models.add(request.model or "unknown")
        output = (usage.output_tokens if usage else None) or 0
        result = RequestResult(
            path=request.path,
            line=request.origin.line,
            session=request.session,
            index=request.index,
            model=request.model,
            policy=policy.name,
            prompt_tokens=prompt_tokens,
            cached_predicted=served.cached,
            written_predicted=served.written,
            cached_reported=usage.cached_tokens if usage else None,
            written_reported=usage.cache_write_tokens if usage else None,
            output_tokens=output,
            cost=predicted_cost(prices, prompt_tokens, served, output),
            cost_reported=reported_cost(prices, request, output),
            ideal_cached=ideal.cached,
            cost_ideal=predicted_cost(prices, prompt_tokens, ideal, output),
            miss=miss,
            prompt_reported=usage.prompt_tokens if usage else None,
            diagnosis=usage.diagnosis if usage else None,
        )
        if context_rebuilt and usage and recorded is None:
            moved = measured_boundary(session.unrecorded, usage, positions)
            if moved is not None:
                session.unrecorded = moved
                prompt, visit = self._relaid(request, renderer, moved, visit, policy)
        session.latest[request.model] = Previous(
            request, prompt, positions, visit, renderer, policy
        )
        session.sent[request.model] = sent
        return result

    def _relaid(
        self,
        request: Request,
        renderer: Renderer,
        unrecorded: dict[str, int],
        visit: Visit,
        policy: Any,
    ) -> tuple[Prompt, Visit]:
        """The request rendered again with its stand-ins split where its read showed, and the
        caches told that they hold it as the provider reported: the next request continues
        this one as the provider's cache did."""
        prompt = renderer.render(request, unrecorded)
        prompt.segments.append(
            Segment("generation", _GENERATION, renderer.tokenizer.tokens(_GENERATION), -1)
        )
        prompt.starts.append(prompt.starts[-1] + len(prompt.segments[-1].tokens))
        moved = Visit(
            prompt,
            visit.positions,
            visit.time,
            visit.tick,
            visit.model,
            visit.params,
            breakpoints(request, prompt),
            visit.output_tokens,
        )
        usage = request.usage
        held = (usage.cached_tokens or 0) + (usage.cache_write_tokens or 0) if usage else 0
        if held:
            policy.seed(moved, held)
            self._ideal.seed(moved, held)
        return prompt, moved

    def _bounded(self, request: Request, report: bool = True) -> Request:
        """The request with only the reported counts it is safe to compute with (see
        within_bounds); those set aside are reported at the request's line when `report`."""
        request, problems = within_bounds(request)
        if report:
            self.problems.extend((request.path, problem) for problem in problems)
        return request

    def _session(self, request: Request) -> _Session:
        key = (request.path, request.session)
        found = self._sessions.get(key)
        if found is None:
            found = self._sessions[key] = _Session(SessionState(request.session))
        request.index = found.state.requests
        return found

    def _renderer(self, choice: TokenizerChoice, policy: str) -> Renderer:
        key = _renderer_key(choice, policy)
        found = self._renderers.get(key)
        if found is None:
            tokenizer = self._tokenizers.get(choice.encoding)
            if tokenizer is None:
                tokenizer = self._tokenizers[choice.encoding] = Tokenizer(choice.encoding)
            found = self._renderers[key] = Renderer(tokenizer, key[1])
        return found

    def _shared_prefixes(self, paths: list[str]) -> dict[tuple[str, str], int]:
        """Per renderer, how many tokens the first prompts of all sessions have in common: what
        earlier sessions of the same agent would have left in the cache. A lone session shares
        only its system prompt and tools with the sessions before it."""
        from ctxlint.trace.loader import TraceReader

        started: set[tuple[str, str]] = set()
        # Per renderer: the first session's prompt, where its messages start, the length all
        # sessions so far share (None while there is one).
        common: dict[tuple[str, str], tuple[Prompt, int, int | None]] = {}
        for path in paths:
            self._at = (path, 0)
            self._starts[path] = None
            for item in TraceReader(path, self.options.trace_format):
                if isinstance(item, Problem):
                    continue
                if self._starts[path] is None and item.timestamp is not None:
                    self._starts[path] = item.timestamp.timestamp()
                if (path, item.session) in started:
                    continue
                self._at = (path, item.origin.line)
                started.add((path, item.session))
                item = self._bounded(item)
                policy = self.options.policy or infer_policy(item.provider, item.model)
                choice = choose_tokenizer(item.model, self.scales)
                renderer = self._renderer(choice, policy)
                prompt = renderer.render(item, stand_ins(item, renderer, choice))
                key = _renderer_key(choice, policy)
                if key not in common:
                    preamble = next(
                        (
                            start
                            for segment, start in zip(prompt.segments, prompt.starts, strict=False)
                            if segment.message is not None
                        ),
                        prompt.length,
                    )
                    common[key] = (prompt, preamble, None)
                else:
                    first, preamble, length = common[key]
                    shared = token_stream_prefix(first, prompt)
                    common[key] = (
                        first,
                        preamble,
                        shared if length is None else min(length, shared),
                    )
        return {
            key: preamble if length is None else length
            for key, (_, preamble, length) in common.items()
        }

    def _router(self, policy: str) -> Router:
        found = self._routers.get(policy)
        if found is None:
            options = self.options
            replicas = options.replicas if policy in ("vllm", "sglang", "ideal") else 1
            found = self._routers[policy] = Router(
                [
                    make_policy(policy, options.capacity, options.block, options.idle_seconds)
                    for _ in range(replicas)
                ],
                options.routing,
            )
        return found


def _renderer_key(choice: TokenizerChoice, policy: str) -> tuple[str, str]:
    # Bedrock serves Claude, laid out as Anthropic lays it out (tools first).
    return choice.encoding, "anthropic" if policy in ("anthropic", "bedrock") else "openai"
