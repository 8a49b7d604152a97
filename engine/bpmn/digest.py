"""The models folder's files and one fingerprint of their bytes, without parsing anything (issue 17).

`Catalog` parses the BPMN, DMN and form files of a folder (~0.3 s with its imports); what it finds is
fixed by those files' names and bytes. A writing command that parsed the folder records its findings
in the store under this fingerprint (`Store.add_catalog`), so that `phasegate processes` can list the
models by reading a few files, hashing them and looking the fingerprint up, and parse only when a
file changed since.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

READ_LIMIT = 20 * 1024 * 1024  # the loader's MAX_BYTES: a larger file is refused, by the same error text
DIGEST_FORMAT = "catalog-1"     # bump when what a parse records under a fingerprint changes


def folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The BPMN files and the DMN and form files of `folder`, each sorted by name (`Catalog.files`)."""
    return sorted(folder.glob("*.bpmn")), sorted(list(folder.glob("*.dmn")) + list(folder.glob("*.form")))


def read_files(paths: list[Path], limit: int = READ_LIMIT) -> tuple:
    """Each file and its bytes, or the reason it cannot be read (`Catalog.snapshot`)."""
    from engine.files import Unreadable, read_regular

    found = []
    for path in paths:
        try:
            found.append((path, read_regular(path, limit)))
        except Unreadable as err:   # parsing reports it; the snapshot still changes with it
            found.append((path, str(err)))
    return tuple(found)


def digest_of(snapshot: tuple) -> str:
    """SHA-256 over the names and contents of a `read_files` snapshot."""
    digest = hashlib.sha256(DIGEST_FORMAT.encode())
    for path, data in snapshot:
        if isinstance(data, str):
            data = b"unreadable: " + data.encode("utf-8", "surrogateescape")
        name = path.name.encode("utf-8", "surrogateescape")
        digest.update(len(name).to_bytes(4, "big") + name + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def models_digest(folder: Path | str) -> str:
    """The fingerprint of the folder's model files as they are now."""
    bpmn, others = folder_files(Path(folder))
    return digest_of(read_files(bpmn + others))
