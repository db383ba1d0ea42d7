"""The results cache: what checking each Python file found, kept between runs so that a run
re-checks only the files that changed, as ruff's cache does.

One packed file per cache key (format, ctxlint version and code, settings, selected rules, the
folder the run starts in) in `.ctxlint_cache/` at the project root (the command line's
`--cache-dir` or `$CTXLINT_CACHE_DIR` move it). For 10 000 files, loading one packed file took
5 ms where reading one file per source file took 100 ms; the key in the name means a run with
other settings never reads, or overwrites, entries it could not use.

An entry holds the file's size, modification time and content digest (a matching size and
time spare reading the file; otherwise the digest decides), the prefilter's verdict (most
files of a tree are skipped: remembering that is most of the gain), the findings when the
file was analysed, and the other files the findings rest on, each with its own stamp: when
one of them changed, the entry is stale.

Beside it, a folder of module summaries (summary_cache.py) for the same key, one small file per
content digest: what a file says of itself to the files importing it, so that re-checking a
file after a change reads its unchanged imports' summaries instead of parsing them. One file
each, not packed: a run reads the few its re-checked files import, never all of them. They
are removed when no file of an entry, nor one an entry depends on, still has that digest.

Whatever is wrong with the cache (corrupt, truncated, of another format, written by a run
running at the same time, a folder that cannot be written) costs only its use: the files are
checked as without it, and the problem is a warning. Entries are written to a temporary file
renamed over the old one, so a reader sees a whole file, its own or another run's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

import ctxlint
from ctxlint import diagnostics as diagnostics_module
from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.files import NotRead, is_utf8, read_source

FOLDER_NAME = ".ctxlint_cache"
# Bumped whenever what an entry holds, or how, changes.
FORMAT_VERSION = 3
_GITIGNORE = "# Created by ctxlint: nothing in this folder belongs in version control.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is a cache made by ctxlint; backup tools may skip it.\n"
)

# What a file's check found: its findings, the source lines under them, whether it could be
# read and parsed at all, and the lines under its findings in other files (a value that flows
# from an imported module is reported where it is made).
Findings = tuple[list[Diagnostic], dict[int, str], bool, dict[str, dict[int, str]]]


@dataclass(frozen=True, slots=True)
class Stamp:
    size: int
    mtime_ns: int
    digest: str

    def matches(self, info: os.stat_result) -> bool:
        return self.size == info.st_size and self.mtime_ns == info.st_mtime_ns


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stamp_of(info: os.stat_result, data: bytes) -> Stamp:
    """The stamp of bytes read from a file that `info` (taken before reading) describes: a
    change after the stat shows as another time next run, so it cannot be missed."""
    return Stamp(info.st_size, info.st_mtime_ns, digest_of(data))


@dataclass(frozen=True, slots=True)
class Hit:
    """A fresh entry's answer: None for a file skipped or clean, else what it found."""

    findings: Findings | None


def cache_key(settings: Settings, rule_codes: list[str]) -> str:
    """What the findings of a file depend on besides the files themselves. The output format
    only changes how findings are shown. The code's own stamp (each module's size and time)
    makes an edited checkout, where the version stays the same, start afresh."""
    shown = dataclasses.replace(settings, output_format="text")
    parts = [
        str(FORMAT_VERSION),
        ctxlint.__version__,
        _code_stamp(),
        repr(shown),
        ",".join(sorted(rule_codes)),
        os.getcwd(),  # Entries are keyed by paths as given, relative to it.
    ]
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _code_stamp() -> str:
    import ctxlint.rules as rules_package

    stamps = []
    for package in {Path(ctxlint.__file__).parent, Path(rules_package.__file__).parent}:
        for folder, subfolders, names in os.walk(package):
            subfolders[:] = [name for name in subfolders if name != "__pycache__"]
            for name in names:
                if name.endswith((".py", ".json")):
                    info = os.stat(os.path.join(folder, name))
                    stamps.append(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(sorted(stamps))


@dataclass
class ResultsCache:
    folder: Path
    key: str
    # Path as given -> [size, mtime_ns, digest, wanted, analysed, findings, dependencies].
    entries: dict[str, list[Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    changed: bool = False
    # The paths this run looked up or recorded: the others are kept only while they exist.
    seen: set[str] = field(default_factory=set)
    # Per run: whether each dependency checked so far still holds what an entry recorded.
    _dependency_fresh: dict[tuple[str, str], bool] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return self.folder / f"results-{self.key}.bin"

    @property
    def summaries_folder(self) -> Path:
        return self.folder / f"summaries-{self.key}"

    @classmethod
    def open(cls, folder: Path, key: str) -> ResultsCache:
        cache = cls(folder, key)
        try:
            data = cache.file.read_bytes()
        except FileNotFoundError:
            return cache
        except OSError as error:
            cache.warnings.append(f"cannot read the cache {cache.file}: {error.strerror or error}")
            return cache
        try:
            loaded = orjson.loads(data)
        except orjson.JSONDecodeError:
            loaded = None
        if (
            isinstance(loaded, dict)
            and loaded.get("format") == FORMAT_VERSION
            and loaded.get("key") == key
            and isinstance(loaded.get("entries"), dict)
        ):
            cache.entries = loaded["entries"]
        else:
            cache.warnings.append(f"ignoring the cache {cache.file}: it is corrupt or truncated")
        return cache

    def lookup(self, path: str, explicit: bool, fixing: bool) -> Hit | None:
        """The cached answer for the file, if it still holds what was checked and the entry
        answers this run: a file the prefilter skipped has no findings to give when it is
        named on the command line; with --fix or --diff, a finding with a fix is made again
        so that the fix is applied or shown."""
        self.seen.add(path)
        entry = self.entries.get(path)
        if entry is None:
            return None
        try:
            return self._lookup(path, entry, explicit, fixing)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return None  # An entry of a shape this code does not know: checked afresh.

    def _lookup(self, path: str, entry: list[Any], explicit: bool, fixing: bool) -> Hit | None:
        size, mtime_ns, digest, wanted, analysed, findings, dependencies = entry
        if not analysed and (explicit or wanted):
            return None
        if findings is not None and fixing and any(d.get("fix") for d in findings[0]):
            return None
        current = _current_stamp(path, Stamp(size, mtime_ns, digest))
        if current is None:
            return None
        if current.mtime_ns != mtime_ns or current.size != size:
            # Touched but the same bytes: remember the new time, to skip reading next run.
            entry[0], entry[1] = current.size, current.mtime_ns
            self.changed = True
        for dependency in dependencies:
            if not self._dependency_holds(*dependency):
                return None
        return Hit(_decode_findings(path, findings) if findings is not None else None)

    def _dependency_holds(self, path: str, size: int, mtime_ns: int, digest: str) -> bool:
        key = (path, digest)
        if key not in self._dependency_fresh:
            self._dependency_fresh[key] = (
                _current_stamp(path, Stamp(size, mtime_ns, digest)) is not None
            )
        return self._dependency_fresh[key]

    def record(self, path: str, entry: list[Any]) -> None:
        if not is_utf8(path):
            # A file name that is not UTF-8 cannot be a key of the cache's JSON: checked afresh.
            return
        self.entries[path] = entry
        self.seen.add(path)
        self.changed = True

    def save(self) -> None:
        """Write the entries if the run changed any; a failure is a warning."""
        if not self.changed:
            return
        # A deleted or renamed file's entry would otherwise stay for good.
        kept = {
            path: entry
            for path, entry in self.entries.items()
            if path in self.seen or os.path.exists(path)
        }
        try:
            payload = orjson.dumps({"format": FORMAT_VERSION, "key": self.key, "entries": kept})
        except TypeError as error:  # text orjson cannot write (a lone surrogate)
            self.warnings.append(f"cannot write the cache in {self.folder}: {error}")
            return
        try:
            write_whole(self.file, payload, self.folder)
            _remove_unused_summaries(self.summaries_folder, kept)
        except OSError as error:
            self.warnings.append(
                f"cannot write the cache in {self.folder}: {error.strerror or error}"
            )


def _remove_unused_summaries(folder: Path, entries: dict[str, list[Any]]) -> None:
    """Remove the summaries of bytes that no entry's file, nor a file one depends on, still
    holds: they are of old versions of files, never asked for again."""
    digests: set[str] = set()
    for entry in entries.values():
        with contextlib.suppress(TypeError, ValueError, IndexError):
            digests.add(entry[2])
            digests.update(dependency[3] for dependency in entry[6])
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        digest, _, extension = name.partition(".")
        if extension == "bin" and digest not in digests and not name.startswith("."):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


def write_whole(target: Path, payload: bytes, cache_folder: Path) -> None:
    """Write a file of the cache through a temporary renamed over it, so that a reader sees
    a whole file, its own or another run's; an OSError is the caller's to report or ignore."""
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _mark_folder(cache_folder)
        import tempfile  # Imported here: a run answered from the cache writes nothing.

        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".write-")
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
        # mkstemp makes the file private; the cache is as readable as the project.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
        temporary = None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mark_folder(folder: Path) -> None:
    for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
        target = folder / name
        if not target.exists():
            target.write_text(text, encoding="utf-8")


def _current_stamp(path: str, recorded: Stamp) -> Stamp | None:
    """The file's stamp now if its bytes are those recorded, else None (changed or gone)."""
    try:
        info = os.stat(path)
        if recorded.matches(info):
            return recorded
        current = stamp_of(info, read_source(path))
    except (OSError, NotRead):
        return None
    return current if current.digest == recorded.digest else None


def new_entry(
    info: os.stat_result,
    data: bytes,
    wanted: bool,
    analysed: bool,
    findings: Findings | None,
    dependencies: tuple[str, ...] = (),
    path: str = "",
) -> list[Any] | None:
    """An entry for the checked file `path`, built in the worker that checked it; None when a
    dependency cannot be stamped (it is gone), so that nothing stale is kept."""
    stamp = stamp_of(info, data)
    stamped: list[list[Any]] = []
    for dependency in dependencies:
        try:
            dependency_info = os.stat(dependency)
            dependency_stamp = stamp_of(dependency_info, read_source(dependency))
        except (OSError, NotRead):
            return None
        stamped.append(
            [dependency, dependency_stamp.size, dependency_stamp.mtime_ns, dependency_stamp.digest]
        )
    encoded = None
    if findings is not None:
        found, lines, readable, other_lines = findings
        encoded = [
            [_encode(d, d.path == path) for d in found],
            sorted(lines.items()),
            readable,
            {other: sorted(texts.items()) for other, texts in other_lines.items()},
        ]
    return [stamp.size, stamp.mtime_ns, stamp.digest, wanted, analysed, encoded, stamped]


# Diagnostics as plain data: each dataclass of ctxlint.diagnostics as a dict of its fields
# under its class name, so that a field added to them is kept without a change here.
_TYPE = "$type"


def _encode(value: Any, own_path: bool = True) -> Any:
    """`own_path`: a finding in the entry's own file, whose path is the entry's (a finding in
    a file it imports keeps its own)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {_TYPE: type(value).__name__}
        for item in dataclasses.fields(value):
            if not (isinstance(value, Diagnostic) and item.name == "path" and own_path):
                encoded[item.name] = _encode(getattr(value, item.name))
        return encoded
    if isinstance(value, enum.Enum):
        return {_TYPE: type(value).__name__, "value": value.value}
    if isinstance(value, (tuple, list)):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any, path: str) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item, path) for item in value)
    if not isinstance(value, dict):
        return value
    kind = getattr(diagnostics_module, value[_TYPE])
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value["value"])
    if not dataclasses.is_dataclass(kind):
        raise TypeError(f"not a diagnostics type: {value[_TYPE]}")
    arguments = {k: _decode(v, path) for k, v in value.items() if k != _TYPE}
    if kind is Diagnostic:
        arguments.setdefault("path", path)
    return kind(**arguments)


def _decode_findings(path: str, encoded: list[Any]) -> Findings:
    found, lines, readable, other_lines = encoded
    return (
        [_decode(d, path) for d in found],
        {int(line): text for line, text in lines},
        bool(readable),
        {other: {int(line): text for line, text in texts} for other, texts in other_lines.items()},
    )
