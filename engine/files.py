"""Reading a file someone named, without trusting it: only regular files, never more than a limit.

A FIFO named `x.bpmn` blocks `open()` forever, a symlink to `/dev/zero` reads without end, and a
directory or a device is no model. Every file phasegate reads on a person's word goes through
`read_regular`: it opens without blocking, checks on the open descriptor (so a swap after the check
cannot fool it) that it is a regular file, and reads at most `limit` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from engine.errors import BadInput
from engine.i18n import Phrase

MEGABYTE = 1024 * 1024
FILE = Phrase("file")  # what `read_regular` and `write_output` call the path, unless told


class Unreadable(BadInput):
    """A named file is missing, not a regular file, too large or not readable."""

    reference = "unreadable-file"


def read_regular(path: Path | str, limit: int, what: str = FILE) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; else Unreadable in one line."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise Unreadable("{path}: no such {what}", path=path, what=what) from None
    except IsADirectoryError:
        raise Unreadable("{path}: is a directory, not a {what}", path=path, what=what) from None
    except PermissionError:
        raise Unreadable("{path}: permission denied", path=path) from None
    except OSError as err:
        raise Unreadable("{path}: cannot be opened ({reason})", path=path, reason=err.strerror or type(err).__name__) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("{path}: is a directory, not a {what}", path=path, what=what)
        if not stat.S_ISREG(info.st_mode):
            kind = (Phrase("a FIFO (named pipe)") if stat.S_ISFIFO(info.st_mode) else
                    Phrase("a device") if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                    Phrase("a socket") if stat.S_ISSOCK(info.st_mode) else Phrase("not a regular file"))
            raise Unreadable("{path}: is {kind}, not a regular {what}", path=path, kind=kind, what=what)
        if info.st_size > limit:
            raise Unreadable("{path}: {what} is {st_size} bytes, more than the {limit} allowed", path=path, what=what, st_size=info.st_size, limit=limit)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise Unreadable("{path}: {what} is more than the {limit} bytes allowed", path=path, what=what, limit=limit)
        return b"".join(chunks)
    except OSError as err:
        raise Unreadable("{path}: cannot be read ({reason})", path=path, reason=err.strerror or type(err).__name__) from None
    finally:
        os.close(fd)


def is_regular(path: Path | str) -> bool:
    """True when `path` (followed through symlinks) is a regular file; never blocks."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def write_output(path: Path | str, data: bytes, what: str = FILE) -> Path:
    """Write `data` to `path`, creating its folder; the file appears whole or not at all. A path that
    is a directory, a device or a FIFO, or a folder that cannot be made, is BadInput in one line."""
    path = Path(path)
    if path.exists() and not is_regular(path):
        kind = Phrase("a directory") if path.is_dir() else Phrase("not a regular file")
        raise Unreadable("{path}: is {kind}; name a {what} to write", path=path, kind=kind, what=what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as err:
        raise Unreadable("{path}: cannot be written ({reason})", path=path, reason=err.strerror or type(err).__name__) from None
    return path
