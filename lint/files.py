"""Files on disk: source read only from regular files and only up to a size cap; a fixed file
written in one step and only if it still holds what was read; temporaries a killed run left
behind cleared on the next."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import time
from typing import BinaryIO

# Far above any hand-written module (the largest in the standard library is under 1 MiB), yet
# small enough that a generated blob or a mistaken path cannot make a run hold gigabytes.
MAX_SOURCE_BYTES = 10 * 1024 * 1024

_TEMPORARY = re.compile(r"\.ctxlint-(?:(?P<pid>[0-9]+)-)?[a-z0-9_]{8}\.tmp")
# A write lasts milliseconds: a temporary this old was left by a run that was killed, even if
# another process has since taken its writer's number, or it came from another machine.
_STALE_AFTER_SECONDS = 60
# A writer that is not running here may be running in another container sharing the folder,
# under another process number: only a temporary no write could still be busy with is taken.
_ORPHAN_AFTER_SECONDS = 5


class NotRead(Exception):
    """A file that is not read at all; `reason` says why (becomes a CTX900 finding)."""

    def __init__(self, reason: str, partial: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        # What was read of a stream before it proved too large (the rest is still unread).
        self.partial = partial


class FileChanged(Exception):
    """The file on disk is no longer what was read and fixed: it is left as it is."""


def read_source(path: str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Raises NotRead, or OSError."""
    # Opened without blocking, so that a named pipe put in a file's place cannot hang the run.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0))
    with open(descriptor, "rb", closefd=True) as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRead(not_regular_reason(info.st_mode))
        # The size can grow between the stat and the read: the read is capped too. A read of
        # the size told, first: asked for the limit, each read allocates that much.
        data = b"" if info.st_size > limit else stream.read(info.st_size + 1)
        if len(data) > info.st_size:
            data += stream.read(limit + 1 - len(data))
        if info.st_size > limit or len(data) > limit:
            raise NotRead(_too_large(max(info.st_size, len(data)), limit))
        return data


def read_capped(stream: BinaryIO, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """What a stream (standard input) holds, up to `limit` bytes. Raises NotRead, holding in
    `partial` the bytes read before giving up."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise NotRead(f"more than {_mebibytes(limit)}: too large to check", partial=data)
    return data


def _too_large(size: int, limit: int) -> str:
    return f"file too large: {_mebibytes(size)} (the limit is {_mebibytes(limit)})"


def _mebibytes(size: int) -> str:
    return f"{size / 1024**2:.1f} MiB"


def not_regular_reason(mode: int) -> str:
    """Why a path that is no regular file is not read, from its `st_mode`."""
    kinds = (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    )
    kind = next((name for test, name in kinds if test(mode)), "not a file")
    return f"not a regular file ({kind}); only regular files are read"


def write_atomically(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Write the file's content in one step: a reader sees the old file or the new one,
    never half of it. Permission bits are kept; a symlink stays a symlink. With `expected`,
    the file is replaced only if it still holds exactly those bytes (else FileChanged)."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        if expected is not None:
            raise FileChanged("it was deleted since it was read") from None
        # A new file gets what open() would give it.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        # The rename below needs only the folder to be writable: without this, a file the
        # user may not write would be replaced (and change owner) rather than left alone.
        if not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    descriptor, temporary = _create_temporary(folder)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if expected is not None:
            # As late as can be: an edit or a deletion after this instant is lost to the
            # replace, but only one made within the last few microseconds.
            _check_unchanged(target, expected)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _create_temporary(folder: str) -> tuple[int, str]:
    """A new file named after this process, so that a later run can tell it was left behind."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        path = os.path.join(folder, f".ctxlint-{os.getpid()}-{_random_part()}.tmp")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue


def _random_part() -> str:
    # Imported here: only a fix writes a file, and secrets (hashlib, hmac) slows every start.
    import secrets

    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _check_unchanged(target: str, expected: bytes) -> None:
    try:
        with open(target, "rb") as stream:
            current = stream.read(len(expected) + 1)
    except FileNotFoundError:
        raise FileChanged("it was deleted since it was read") from None
    if current != expected:
        raise FileChanged("it changed since it was read")


def remove_stale_temporaries(folder: str) -> list[str]:
    """Delete the temporaries of a killed ctxlint in `folder`: files named exactly as
    write_atomically names them whose writer is gone or that are too old to be in use.
    Returns the paths deleted; what cannot be deleted is left."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match is None:
            continue
        try:
            # Only our own regular files: never a folder, never through a symlink.
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            writer = match.group("pid")
            age = now - info.st_mtime
            orphaned = writer is not None and not _process_exists(int(writer))
            if age > _STALE_AFTER_SECONDS or (orphaned and age > _ORPHAN_AFTER_SECONDS):
                os.unlink(entry.path)
                removed.append(entry.path)
        except OSError:
            continue
    return removed


def _process_exists(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":
        # On Windows os.kill(pid, 0) would end the process: age alone decides there.
        return True
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # Another user's process.
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    return True


def is_utf8(name: str) -> bool:
    """Whether a file name is text UTF-8 can hold: one that was not UTF-8 on disk comes to
    Python with lone surrogates, and can be no JSON key or value."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
