"""Reading a file someone named, without trusting it: only regular files, never more than a limit.

A FIFO named `x.bpmn` blocks `open()` forever, a symlink to `/dev/zero` reads without end, and a
directory or a device is no model. Every file phasegate reads on a person's word goes through
`read_regular`: it opens without blocking, checks on the open descriptor (so a swap after the check
cannot fool it) that it is a regular file, and reads at most `limit` bytes.

A file a *task* names (a service handler's input, given as a form value) is read through
`DataFolders.read`: the name must resolve inside the folders the programme and its administrator
allow, with no symlink leading out, and no error ever quotes what such a file holds.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
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
    return _read_open(_open(path, what), path, limit, what)


def _open(path: Path, what: str, flags: int = 0, shown: Path | str | None = None) -> int:
    shown = path if shown is None else shown
    try:
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | flags)
    except FileNotFoundError:
        raise Unreadable("{path}: no such {what}", path=shown, what=what) from None
    except IsADirectoryError:
        raise Unreadable("{path}: is a directory, not a {what}", path=shown, what=what) from None
    except PermissionError:
        raise Unreadable("{path}: permission denied", path=shown) from None
    except OSError as err:
        raise Unreadable("{path}: cannot be opened ({reason})", path=shown,
                         reason=err.strerror or type(err).__name__) from None


def _read_open(fd: int, path: Path | str, limit: int, what: str) -> bytes:
    """Read the open descriptor `fd` (closing it): a regular file of at most `limit` bytes."""
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


def check_output_folder(path: Path | str, what: str = Phrase("folder")) -> Path:
    """Refuse, before any work, a folder to write into that cannot be one: a file, a device, or a place
    whose nearest existing folder cannot be written. Creates nothing (the writes do, `write_output`)."""
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise Unreadable("{path}: is not a folder; name a {what} to write into", path=path, what=what)
        existing = path
    else:
        existing = next((p for p in path.parents if p.exists()), Path("."))
        if not existing.is_dir():
            raise Unreadable("{path}: {existing} is not a folder; name a {what} to write into", path=path, existing=existing, what=what)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise Unreadable("{path}: {existing} cannot be written (permission denied)", path=path, existing=existing)
    return path


class DataFileRefused(Unreadable):
    """A file a task named is outside the allowed data folders, or is no regular, readable file."""

    reference = "data-file-refused"


def _shown(name: str) -> str:
    """A name as an error may quote it: on one line, and not endless."""
    return name if name.isprintable() and len(name) <= 300 else repr(name[:300])


class DataFolders:
    """The folders a task's service handlers may read files from, and how much of a file.

    A name is resolved against `bases` (relative names: the working folder first, then each base)
    and must end, every symlink followed, inside one of `folders`; it is then opened without following
    a last symlink, checked on the open descriptor to be the regular file that was resolved, and read
    up to `limit` bytes. `/etc/shadow`, `../` walks, a symlink out, a FIFO, a device, a directory, an
    oversize file: each is DataFileRefused in one line naming the file as it was given, never its content.
    Nothing is touched until `read` (no I/O when a programme is built).
    """

    def __init__(self, folders: Iterable[Path | str], bases: Iterable[Path | str] = (), limit: int = 64 * MEGABYTE):
        self.folders = tuple(Path(f) for f in folders)
        self.bases = tuple(Path(b) for b in bases)
        self.limit = limit

    def __repr__(self) -> str:
        return f"DataFolders({[str(f) for f in self.folders]}, limit={self.limit})"

    def with_folders(self, extra: Iterable[Path | str]) -> "DataFolders":
        """These folders and `extra` (the ones an administrator names), same bases and limit."""
        named = tuple(Path(f) for f in extra if str(f).strip())  # an empty entry ("a::b") is no folder, not "."
        return DataFolders(self.folders + named, self.bases, self.limit)

    def resolve(self, name: str | Path, what: str = Phrase("data file")) -> Path:
        """The real path `name` stands for, inside an allowed folder; else DataFileRefused."""
        text = str(name)
        if not text.strip():
            raise DataFileRefused("no {what} named", what=what)
        if "\0" in text or len(text) > 4096 or not text.isprintable():
            raise DataFileRefused("{name}: not a file name", name=_shown(text))
        given = Path(text).expanduser() if text.startswith("~") else Path(text)
        candidates = [given] if given.is_absolute() else [Path.cwd() / given] + [b / given for b in self.bases]
        allowed = [self._real(folder) for folder in self.folders]
        allowed = [folder for folder in allowed if folder is not None]
        for candidate in candidates:
            real = self._real(candidate)
            if real is not None and any(real.is_relative_to(folder) for folder in allowed):
                return real
        # the same words whether the file is missing or outside: no answer says what exists elsewhere
        raise DataFileRefused("{name}: not a {what} in the folders a task may read ({folders})",
                              hint="an administrator adds folders with --data-dir or PHASEGATE_DATA_DIRS",
                              name=_shown(text), what=what, folders=', '.join(str(f) for f in self.folders) or 'none')

    @staticmethod
    def _real(path: Path) -> Path | None:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, a bad name
            return None
        return real

    def read(self, name: str | Path, what: str = Phrase("data file")) -> bytes:
        """The bytes of the regular file `name` stands for, inside an allowed folder, at most `limit`."""
        real = self.resolve(name, what)
        try:
            expected = os.stat(real)
        except OSError:
            raise DataFileRefused("{name}: {what} vanished while it was opened; not read", name=name, what=what) from None
        try:
            fd = _open(real, what, getattr(os, "O_NOFOLLOW", 0), shown=name)
        except Unreadable as err:
            raise DataFileRefused.retelling(err) from None
        try:
            opened = os.fstat(fd)
            swapped = (opened.st_dev, opened.st_ino) != (expected.st_dev, expected.st_ino)
            link = f"/proc/self/fd/{fd}"
            if not swapped and os.path.exists(link):  # where the descriptor really points (Linux)
                swapped = not any(Path(os.readlink(link)).is_relative_to(f) for f in
                                  (self._real(folder) for folder in self.folders) if f is not None)
        except OSError:
            swapped = True
        if swapped:
            os.close(fd)
            raise DataFileRefused("{name}: changed while it was opened; not read", name=name)
        try:
            return _read_open(fd, name, self.limit, what)
        except DataFileRefused:
            raise
        except Unreadable as err:
            raise DataFileRefused.retelling(err) from None
