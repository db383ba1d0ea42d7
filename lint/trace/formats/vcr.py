"""VCR cassettes (YAML, as vcrpy and pytest-recording write them): recorded HTTP request and
response pairs. Each interaction that is a call to an LLM API (told by its path: Anthropic
`/v1/messages`, Chat Completions `/chat/completions`, Responses `/responses`) is one request,
read by the raw-provider readers from its request and response bodies (a streamed reply is put
back together from its events), with the provider named by the host. Other interactions (a
token fetch, a model list, an error reply) are no request a model served, and are passed
over."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat, sse
from ctxlint.trace.formats.anthropic import anthropic_request
from ctxlint.trace.formats.common import child, provider_of_model
from ctxlint.trace.formats.openai import chat_request, responses_request
from ctxlint.trace.model import Request
from ctxlint.trace.reading import MAX_DOCUMENT_BYTES, Problem
from ctxlint.trace.typed import TypeFault
from ctxlint.trace.yaml_document import YamlDocument, load_yaml

NAME = "vcr-cassette"
# vcrpy writes `interactions:` first, then a `- request:` item; pydantic-ai's serializer too.
# A list is asked for: an `interactions:` key holding a mapping is common in other
# configuration files.
_CASSETTE_HEAD = re.compile(rb"(?m)^interactions:[ \t]*(?:\[|\r?\n[ \t]*- )")
# Request fields besides the body's own that decide caching, kept for the simulator: the
# GPT-5.6 explicit-cache options are sent beside `prompt_cache_key`.
_EXTRA_PARAMS = ("prompt_cache_options",)
# Hosts whose provider the model name would not tell (a gateway names models as it likes).
_HOSTS = (
    ("anthropic.com", "anthropic"),
    ("openai.azure.com", "azure"),
    ("openai.com", "openai"),
    ("deepseek.com", "deepseek"),
    ("mistral.ai", "mistral"),
    ("x.ai", "xai"),
    ("groq.com", "groq"),
    ("fireworks.ai", "fireworks"),
)


def looks_like_cassette(head: bytes) -> bool:
    return _CASSETTE_HEAD.search(head) is not None


def _recognises(path: str, head: bytes) -> bool:
    return looks_like_cassette(head)


def _decode(data: bytes) -> YamlDocument:
    return load_yaml(data)


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if not isinstance(document, YamlDocument):
        document = YamlDocument(document, {})
    value = document.value
    lines = document.item_lines.get("interactions", [])
    if type(value) is not dict or type(value.get("interactions")) is not list:
        yield Problem(1, "not a VCR cassette: no `interactions` list")
        return
    for position, interaction in enumerate(value["interactions"]):
        line = lines[position] if position < len(lines) else 1
        pointer = f"/interactions/{position}"
        try:
            found = _interaction(path, line, pointer, interaction)
        except TypeFault as fault:
            yield Problem(line, fault.reason)
            continue
        if found is not None:
            yield found


def _interaction(path: str, line: int, pointer: str, interaction: Any) -> Request | None:
    if type(interaction) is not dict:
        raise typed.wrong_type(interaction, pointer, "object")
    sent = typed.mapping(interaction, "request", pointer)
    if sent is None:
        return None
    sent_at = child(pointer, "request")
    api = _api(typed.text(sent, "uri", sent_at) or "", typed.text(sent, "method", sent_at))
    if api is None:
        return None
    kind, host = api
    body = _body(sent, sent_at, "body")
    if type(body) is not dict:
        raise typed.wrong_type(body, child(sent_at, "body"), "JSON object")
    received = typed.mapping(interaction, "response", pointer) or {}
    received_at = child(pointer, "response")
    if not _succeeded(received, received_at):
        return None
    answer = _body(received, received_at, "body")
    response = answer if type(answer) is dict else None
    extra = {"timestamp": _date(received, received_at)}
    body_at = child(sent_at, "parsed_body" if "parsed_body" in sent else "body")
    response_at = child(received_at, "parsed_body" if "parsed_body" in received else "body")
    if kind == "anthropic":
        if type(body.get("messages")) is not list:
            raise typed.wrong_type(body.get("messages"), child(body_at, "messages"), "array")
        request = anthropic_request(path, line, body_at, body, response, extra, response_at)
    elif kind == "chat":
        if type(body.get("messages")) is not list:
            raise typed.wrong_type(body.get("messages"), child(body_at, "messages"), "array")
        request = chat_request(path, line, body_at, body, response, extra, NAME, response_at)
    else:
        request = responses_request(path, line, body_at, body, response, extra, response_at)
    request.format = NAME
    request.provider = _provider(host) or provider_of_model(request.model, request.provider)
    for name in _EXTRA_PARAMS:
        if name in body:
            request.params[name] = typed.shallow(body[name], child(body_at, name))
    return request


def _api(uri: str, method: str | None) -> tuple[str, str] | None:
    """Which API an interaction called, by its path, and the host; None for any other call."""
    if method is not None and method.upper() != "POST":
        return None
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    path = parts.path.rstrip("/")
    if path.endswith("/v1/messages"):
        return "anthropic", parts.hostname or ""
    if path.endswith("/chat/completions"):
        return "chat", parts.hostname or ""
    if path.endswith("/responses"):
        return "responses", parts.hostname or ""
    return None


def _provider(host: str) -> str | None:
    host = host.lower()
    for suffix, provider in _HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return provider
    return None


def _succeeded(response: dict[str, Any], at: str) -> bool:
    """A reply other than success served no prompt (an error, a rate limit)."""
    status = typed.mapping(response, "status", at)
    if status is None:
        return True
    code = status.get("code")
    return not (type(code) is int and not 200 <= code < 300)


def _body(message: dict[str, Any], at: str, key: str) -> Any:
    """A request's or response's JSON body: `parsed_body` as pydantic-ai records it, or the
    raw `body` (a request's text, a response's `{string: ...}`), gzip undone."""
    if "parsed_body" in message:
        return message["parsed_body"]
    raw = message.get(key)
    where = child(at, key)
    if type(raw) is dict:
        where = child(where, "string")
        raw = raw.get("string")
    if raw is None:
        return None
    if type(raw) is str:
        raw = raw.encode("utf-8", "surrogatepass")
    if type(raw) is not bytes:
        raise typed.wrong_type(raw, where, "string")
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, where)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    # A streamed reply (server-sent events) is read as the body it adds up to; other text
    # that is no JSON (an HTML error page) tells nothing.
    text = raw.decode("utf-8", "replace")
    return sse.response_of(sse.events(text)) if "data:" in text else None


def _gunzip(data: bytes, at: str) -> bytes:
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        found = decompressor.decompress(data, MAX_DOCUMENT_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile) as error:
        raise TypeFault(at, f"compressed body at {at} does not decompress: {error}") from None
    if len(found) > MAX_DOCUMENT_BYTES:
        raise TypeFault(at, f"compressed body at {at} is too large to read")
    return found


def _date(response: dict[str, Any], at: str) -> str | None:
    """The response's `date` header (RFC 1123) as RFC 3339 text, when recorded."""
    headers = typed.mapping(response, "headers", at) or {}
    found = headers.get("date") or headers.get("Date")
    if type(found) is list and found:
        found = found[0]
    if type(found) is not str:
        return None
    try:
        return parsedate_to_datetime(found).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


FORMAT = DocumentFormat(
    NAME,
    "VCR cassettes (vcrpy, pytest-recording; YAML): the LLM API calls among the recorded "
    "HTTP interactions",
    _recognises,
    _read,
    _decode,
)
