"""opencode sessions: an export (`opencode export`, `{"info": session, "messages": [{"info",
"parts"}]}`) or the session file of opencode's JSON storage (`storage/session/<project>/
<session>.json`), whose messages are read from `storage/message/<session>/*.json` and their
parts from `storage/part/<message>/*.json`. Messages and parts are ordered by id, as opencode
orders them (their ids ascend with time).

Each `step-finish` part ends one provider call, with that call's usage; the call sent every
message before it as opencode's `toModelMessages` builds them: tool parts become a call and its
result (cleared when compacted, an error when interrupted), a failed assistant message is left
out, and a completed compaction starts the history at the user message that asked for it.
opencode's `tokens.input` leaves out the cache reads and writes for every provider (its
`getUsage` subtracts them where the SDK counts them in), so the whole prompt is the sum.
The system prompt is recorded only by older versions (`system` on the assistant message);
tool definitions never: unknown."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.common import (
    child,
    media_hash,
    parse_time,
    provider_of_model,
    whole_prompt,
)
from ctxlint.trace.model import (
    MEDIA,
    TEXT,
    THINKING,
    TOOL_CALL,
    TOOL_RESULT,
    Block,
    Message,
    Origin,
    Request,
    Usage,
    message,
)
from ctxlint.trace.reading import Problem, ReadFailure, read_document
from ctxlint.trace.typed import TypeFault

NAME = "opencode"
# opencode's wording (packages/opencode/src/session/message-v2.ts).
_COMPACTION_ASK = "What did we do so far?"
_SUBTASK = "The following tool was executed by the user"
_CLEARED = "[Old tool result content cleared]"
_INTERRUPTED = "[Tool execution was interrupted]"
# Files opencode reads into text parts itself: the file part is not sent.
_READ_AS_TEXT = ("text/plain", "application/x-directory")
# Routers: the cache is the model's provider's.
_ROUTERS = frozenset({"opencode", "openrouter", "github-copilot", "vercel", "requesty"})


def _recognises(path: str, head: bytes) -> bool:
    start = head.lstrip()[:1]
    return start == b"{" and b'"projectID"' in head and b'"ses_' in head


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if type(document) is not dict:
        yield Problem(1, "not an opencode session: not an object")
        return
    if "messages" in document:
        yield from _session(path, document)
        return
    # A session file of the storage folder: its messages are files of their own.
    exported, files, problems = _from_storage(path, document)
    yield from problems
    for item in _session(path, exported):
        if isinstance(item, TypeFault):
            yield Problem(1, _storage_fault(item, files))
        else:
            yield item


@dataclass(slots=True)
class _Step:
    """One provider call's part of an assistant message: what it wrote, and the results of
    the tools it called (sent back in the next call)."""

    response: list[Block] = field(default_factory=list)
    results: list[Block] = field(default_factory=list)
    finish: tuple[dict[str, Any], str] | None = None
    started: Any = None
    ended: Any = None


def _session(path: str, document: dict[str, Any]) -> Iterator[Request | TypeFault]:
    try:
        info = typed.mapping(document, "info", "") or {}
        session = typed.identifier(info, "id", "/info") or os.path.basename(path).split(".")[0]
        items = typed.array(document, "messages", "") or []
    except TypeFault as fault:
        yield fault
        return
    ordered = sorted(enumerate(items), key=lambda pair: _id_of(pair[1]))
    history: list[Message | None] = []
    # Where the history starts: at the user message of the latest completed compaction.
    start = 0
    # The start the previous request's history had: a new one means it was compacted.
    previous_start = 0
    user_at: dict[str, int] = {}
    for position, item in ordered:
        pointer = f"/messages/{position}"
        try:
            role, message_info, parts = _parts(item, pointer)
        except TypeFault as fault:
            history.append(None)
            yield fault
            continue
        if role == "user":
            try:
                history.append(_user(parts, pointer))
            except TypeFault as fault:
                history.append(None)
                yield fault
            message_id = message_info.get("id")
            if type(message_id) is str and any(p.get("type") == "compaction" for p, _ in parts):
                user_at[message_id] = len(history) - 1
            continue
        if role != "assistant":
            continue
        try:
            steps = _steps(parts)
        except TypeFault as fault:
            history.append(None)
            yield fault
            continue
        if steps and all(s.finish is None for s in steps) and "tokens" in message_info:
            # Versions before steps were recorded: the message is one call, its usage its own.
            steps[-1].finish = (message_info, child(pointer, "info"))
        sent = [_step_messages(step, pointer) for step in steps]
        for number, step in enumerate(steps):
            if step.finish is None:
                continue
            earlier = [m for messages in sent[:number] for m in messages]
            try:
                request = _request(
                    path,
                    session,
                    pointer,
                    message_info,
                    step,
                    number,
                    history[start:] + earlier,
                    steps,
                )
            except TypeFault as fault:
                yield fault
                continue
            request.compacted = start != previous_start
            previous_start = start
            yield request
        if not _failed(message_info, parts):
            history.extend(m for messages in sent for m in messages)
        if (
            message_info.get("summary") is True
            and message_info.get("finish")
            and not message_info.get("error")
            and message_info.get("parentID") in user_at
        ):
            start = user_at[message_info["parentID"]]


def _request(
    path: str,
    session: str,
    pointer: str,
    info: dict[str, Any],
    step: _Step,
    number: int,
    history: list[Message | None],
    steps: list[_Step],
) -> Request:
    if any(m is None for m in history):
        raise TypeFault(
            pointer, "request not checked: its history includes a message that could not be read"
        )
    info_at = child(pointer, "info")
    model = typed.text(info, "modelID", info_at) or None
    provider = typed.text(info, "providerID", info_at) or None
    if provider is None or provider in _ROUTERS:
        provider = provider_of_model(model, provider)
    times = typed.mapping(info, "time", info_at) or {}
    times_at = child(info_at, "time")
    started = step.started if number else typed.one_of(times, "created", times_at, typed.TIME_KINDS)
    finished = step.ended
    if number == len(steps) - 1 or finished is None:
        finished = typed.one_of(times, "completed", times_at, typed.TIME_KINDS) or finished
    system = typed.array(info, "system", info_at)
    assert step.finish is not None
    finish, finish_at = step.finish
    return Request(
        path=path,
        origin=Origin(0, finish_at),
        session=session,
        format=NAME,
        messages=tuple(m for m in history if m is not None),
        timestamp=parse_time(started),
        finished=parse_time(finished),
        provider=provider,
        model=model,
        system=None if system is None else _system(system, child(info_at, "system")),
        response=message("assistant", step.response, Origin(0, pointer)),
        usage=_usage(finish, finish_at),
    )


def _id_of(item: Any) -> str:
    info = item.get("info") if type(item) is dict else None
    found = info.get("id") if type(info) is dict else None
    return found if type(found) is str else ""


def _parts(item: Any, pointer: str) -> tuple[str, dict[str, Any], list[tuple[dict[str, Any], str]]]:
    if type(item) is not dict:
        raise typed.wrong_type(item, pointer, "object")
    info = typed.mapping(item, "info", pointer)
    if info is None:
        raise typed.wrong_type(None, child(pointer, "info"), "object")
    role = typed.text(info, "role", child(pointer, "info"), "")
    parts_at = child(pointer, "parts")
    found = list(typed.objects(typed.array(item, "parts", pointer) or [], parts_at))
    found.sort(key=lambda pair: pair[1]["id"] if type(pair[1].get("id")) is str else "")
    return role, info, [(part, child(parts_at, position)) for position, part in found]


def _user(parts: list[tuple[dict[str, Any], str]], pointer: str) -> Message:
    blocks: list[Block] = []
    for part, at in parts:
        kind = part.get("type")
        if kind == "text" and not typed.flag(part, "ignored", at):
            blocks.append(Block(TEXT, text=typed.text(part, "text", at, "")))
        elif kind == "file" and typed.text(part, "mime", at) not in _READ_AS_TEXT:
            blocks.append(Block(MEDIA, text=media_hash(part.get("url", ""), child(at, "url"))))
        elif kind == "compaction":
            blocks.append(Block(TEXT, text=_COMPACTION_ASK))
        elif kind == "subtask":
            blocks.append(Block(TEXT, text=_SUBTASK))
    return message("user", blocks, Origin(0, pointer))


def _steps(parts: list[tuple[dict[str, Any], str]]) -> list[_Step]:
    """The assistant message split where each call starts (`step-start`)."""
    steps = [_Step()]
    for part, at in parts:
        kind = part.get("type")
        current = steps[-1]
        if kind == "step-start":
            if current.response or current.finish is not None:
                steps.append(_Step(started=current.ended))
        elif kind == "step-finish":
            current.finish = (part, at)
        elif kind == "text":
            current.response.append(Block(TEXT, text=typed.text(part, "text", at, "")))
        elif kind == "reasoning":
            current.response.append(Block(THINKING, text=_reasoning(part, at)))
        elif kind == "tool":
            call, result, ended = _tool(part, at)
            current.response.append(call)
            if result is not None:
                current.results.append(result)
            current.ended = ended or current.ended
    return [s for s in steps if s.response or s.finish is not None]


def _reasoning(part: dict[str, Any], at: str) -> str:
    """The reasoning as sent back: its text, or what the provider keeps of it (OpenAI's
    encrypted item)."""
    text = typed.text(part, "text", at, "")
    if text:
        return text
    metadata = typed.mapping(part, "metadata", at) or {}
    for values in metadata.values():
        if type(values) is dict and type(values.get("reasoningEncryptedContent")) is str:
            return values["reasoningEncryptedContent"]
    return ""


def _tool(part: dict[str, Any], at: str) -> tuple[Block, Block | None, Any]:
    state = typed.mapping(part, "state", at) or {}
    state_at = child(at, "state")
    call_id = typed.identifier(part, "callID", at, "")
    name = typed.text(part, "tool", at, "")
    arguments = typed.json_text(state.get("input", {}), child(state_at, "input"))
    call = Block(TOOL_CALL, name=name, call_id=call_id, arguments=arguments)
    status = typed.text(state, "status", state_at)
    times = typed.mapping(state, "time", state_at) or {}
    times_at = child(state_at, "time")
    ended = typed.one_of(times, "end", times_at, typed.TIME_KINDS)
    if status == "completed":
        cleared = times.get("compacted") is not None
        output = (
            _CLEARED
            if cleared
            else typed.json_text(state.get("output", ""), child(state_at, "output"))
        )
        return call, Block(TOOL_RESULT, text=output, call_id=call_id), ended
    if status == "error":
        error = typed.json_text(state.get("error", ""), child(state_at, "error"))
        return call, Block(TOOL_RESULT, text=error, call_id=call_id, is_error=True), ended
    interrupted = Block(TOOL_RESULT, text=_INTERRUPTED, call_id=call_id, is_error=True)
    return call, interrupted, ended


def _step_messages(step: _Step, pointer: str) -> list[Message]:
    found = [message("assistant", step.response, Origin(0, pointer))] if step.response else []
    found.extend(message("tool", [result], Origin(0, pointer)) for result in step.results)
    return found


def _failed(info: dict[str, Any], parts: list[tuple[dict[str, Any], str]]) -> bool:
    """An assistant message that ended in an error is not sent again, unless it was aborted
    after writing something."""
    error = info.get("error")
    if not error:
        return False
    aborted = type(error) is dict and error.get("name") == "MessageAbortedError"
    wrote = any(p.get("type") not in ("step-start", "reasoning") for p, _ in parts)
    return not (aborted and wrote)


def _system(items: list[Any], at: str) -> tuple[Block, ...]:
    return tuple(
        Block(TEXT, text=typed.json_text(item, child(at, position)))
        for position, item in enumerate(items)
    )


def _usage(finish: dict[str, Any], at: str) -> Usage | None:
    tokens = typed.mapping(finish, "tokens", at)
    if tokens is None:
        return None
    tokens_at = child(at, "tokens")
    cache = typed.mapping(tokens, "cache", tokens_at) or {}
    cache_at = child(tokens_at, "cache")
    uncached = typed.tokens(tokens, "input", tokens_at)
    read = typed.tokens(cache, "read", cache_at)
    written = typed.tokens(cache, "write", cache_at)
    output = typed.tokens(tokens, "output", tokens_at)
    prompt = whole_prompt(uncached, read, written, child(tokens_at, "input"))
    return Usage(prompt, read, written, output, typed.shallow(tokens, tokens_at))


# --- The storage folder ----------------------------------------------------------------------

# Files read from a storage folder at most: a session of more is read in part.
_MAX_STORAGE_FILES = 100_000


def _from_storage(
    path: str, session: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """The session as an export, the file each of its pointers was read from, and what could
    not be read. The layout: storage/session/<project>/<id>.json beside storage/message/<id>/
    and storage/part/<message id>/."""
    storage = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    session_id = session.get("id")
    problems: list[Problem] = []
    files: dict[str, str] = {}
    messages: list[dict[str, Any]] = []
    if type(session_id) is not str:
        return {"info": session, "messages": []}, files, problems
    for message_path in _json_files(os.path.join(storage, "message", session_id)):
        info = _storage_document(message_path, problems)
        if info is None:
            continue
        pointer = f"/messages/{len(messages)}"
        files[pointer + "/info"] = message_path
        parts = []
        message_id = info.get("id") if type(info) is dict else None
        if type(message_id) is str:
            for part_path in _json_files(os.path.join(storage, "part", message_id)):
                part = _storage_document(part_path, problems)
                if part is not None:
                    files[f"{pointer}/parts/{len(parts)}"] = part_path
                    parts.append(part)
        messages.append({"info": info, "parts": parts})
    return {"info": session, "messages": messages}, files, problems


def _json_files(folder: str) -> list[str]:
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names[:_MAX_STORAGE_FILES]]


def _storage_document(path: str, problems: list[Problem]) -> Any:
    try:
        return read_document(path)[1]
    except ReadFailure as failure:
        problems.append(Problem(1, f"{path}: {failure.problem.reason}"))
        return None


def _storage_fault(fault: TypeFault, files: dict[str, str]) -> str:
    """A fault in a message or part file, named by that file and the pointer inside it."""
    for prefix, file in sorted(files.items(), key=lambda pair: -len(pair[0])):
        if fault.pointer == prefix or fault.pointer.startswith(prefix + "/"):
            inside = fault.pointer[len(prefix) :] or "/"
            return f"{file} at {inside}: {fault.reason}"
    return fault.reason


FORMAT = DocumentFormat(
    NAME, "opencode sessions (export JSON, or storage/session/*/<id>.json)", _recognises, _read
)
