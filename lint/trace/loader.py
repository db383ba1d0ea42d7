"""Opening a trace file: tell its format from its content (or take the one forced), then read
it into Requests, turning whatever cannot be read into Problems with their line."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.trace.formats import (
    DocumentFormat,
    LineFormat,
    by_name,
    document_format_of,
    line_format_of,
)
from ctxlint.trace.model import Request
from ctxlint.trace.reading import (
    Line,
    Problem,
    ReadFailure,
    head_value,
    open_trace,
    pointer_lines,
    read_document,
    read_document_bytes,
    read_fault,
    read_head,
    read_lines,
)
from ctxlint.trace.typed import TypeFault

_UNKNOWN = (
    "unknown trace format: not Python or a trace format ctxlint reads "
    "(`ctxlint sessions --help` lists them; --trace-format forces one)"
)
# Lines read before giving up on finding any known format in a file.
_DETECTION_LINES = 20


def detect(path: str) -> LineFormat | DocumentFormat | None:
    """The format of a file from its first few kilobytes, or None if it is not a trace."""
    head = read_head(path)
    first = head_value(head)
    by_line = line_format_of(first) if first is not None else None
    if by_line is not None:
        return by_line
    return document_format_of(path, head)


class TraceReader:
    """Iterating gives the file's Requests and Problems in file order; `format` is the name
    of the format once it is known."""

    def __init__(self, path: str, forced: str | None = None) -> None:
        self.path = path
        self.forced = by_name(forced) if forced else None
        self.format: str | None = self.forced.name if self.forced else None
        # The bytes of a JSON document once read: findings in it find their line from these.
        self.document: bytes | None = None

    def __iter__(self) -> Iterator[Request | Problem]:
        chosen = self.forced or detect(self.path)
        if chosen is not None:
            self.format = chosen.name
        if isinstance(chosen, DocumentFormat):
            yield from self._document(chosen)
        elif chosen is None and _is_document(self.path):
            try:
                read_document(self.path)
            except ReadFailure as failure:
                yield failure.problem
                return
            yield Problem(1, _UNKNOWN)
        elif chosen is None and not _is_lines(self.path):
            # A file named as no trace (a .log, a .traj document) is read line by line only
            # once its start is told to be a trace: else every line of it would be a fault.
            yield Problem(1, _UNKNOWN)
        else:
            yield from self._lines(chosen)

    def _document(self, chosen: DocumentFormat) -> Iterator[Request | Problem]:
        try:
            if chosen.decode is None:
                self.document, document = read_document(self.path)
            else:
                # Its requests carry their lines: the JSON pointer search does not apply.
                document = chosen.decode(read_document_bytes(self.path, "YAML"))
        except ReadFailure as failure:
            yield failure.problem
            return
        # A request the reader could not build is a fault at a pointer into the document; the
        # lines of all of them are found in one pass over the text, once the rest is read.
        faults: list[TypeFault] = []
        for item in chosen.read(self.path, document):
            if isinstance(item, TypeFault):
                faults.append(item)
            else:
                yield item
        if faults:
            # A fault's pointer may name a field that is not in the text (an OTLP attribute by
            # its key): it is placed at the deepest part of its pointer that is.
            prefixes = {p for fault in faults for p in _prefixes(fault.pointer)}
            lines = pointer_lines(self.document, prefixes) if self.document else {}
            for fault in faults:
                found = (lines[p] for p in _prefixes(fault.pointer) if p in lines)
                yield Problem(next(found, 1), fault.reason)

    def _lines(self, chosen: LineFormat | None) -> Iterator[Request | Problem]:
        try:
            stream = open_trace(self.path)
        except OSError as error:
            yield Problem(1, read_fault(error))
            return
        with stream:
            reader = chosen.reader(self.path) if chosen else None
            unrecognised: list[Line] = []
            # Lines that could not be read before the format was known: its reader is told.
            unread: list[int] = []
            for item in read_lines(stream):
                if isinstance(item, Problem):
                    if reader is not None:
                        reader.passed_over(item.line)
                    else:
                        unread.append(item.line)
                    yield item
                    continue
                if chosen is None:
                    chosen = line_format_of(item.value)
                    if chosen is None:
                        unrecognised.append(item)
                        if len(unrecognised) >= _DETECTION_LINES:
                            break
                        continue
                    self.format = chosen.name
                    reader = chosen.reader(self.path)
                    for number in unread:
                        reader.passed_over(number)
                    for skipped in unrecognised:
                        reader.passed_over(skipped.number)
                        yield Problem(skipped.number, f"not a record of format {chosen.name}")
                    unrecognised = []
                assert reader is not None
                if chosen.accepts(item.value):
                    # A value of the wrong type loses its line, never the rest of the file.
                    try:
                        found = reader.feed(item)
                        if type(found) not in (list, tuple):
                            # A generator would raise only when iterated, outside this try.
                            found = list(found)
                    except TypeFault as fault:
                        reader.passed_over(item.number)
                        yield Problem(item.number, fault.reason)
                        continue
                    yield from found
                else:
                    reader.passed_over(item.number)
                    yield Problem(item.number, _stray_reason(item, chosen))
            if chosen is None:
                if unrecognised:
                    yield Problem(unrecognised[0].number, _UNKNOWN)
                return
            if reader is not None:
                try:
                    yield from reader.finish()
                except TypeFault as fault:
                    # Readers skip the request a fault belongs to in `finish`; one that did
                    # not still loses only what it had left to give.
                    yield Problem(1, fault.reason)


def _prefixes(pointer: str) -> list[str]:
    """A JSON pointer and each pointer above it, the deepest first."""
    tokens = pointer.split("/")
    return ["/".join(tokens[:end]) for end in range(len(tokens), 0, -1)]


def _is_document(path: str) -> bool:
    """A JSON file that is one value rather than one value per line (told by its name: a
    first line longer than the part read to detect formats is not a sign of a document)."""
    return path.lower().endswith((".json", ".json.gz"))


def _is_lines(path: str) -> bool:
    return path.lower().endswith((".jsonl", ".jsonl.gz"))


def _stray_reason(item: Line, chosen: LineFormat) -> str:
    other = line_format_of(item.value)
    if other is not None:
        return (
            f"mixed formats: a record of format {other.name} in a file of format {chosen.name};"
            " skipped"
        )
    return f"not a record of format {chosen.name}; skipped"
