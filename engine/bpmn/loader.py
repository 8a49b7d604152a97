"""The one XML loader for every file phasegate reads: no DTD, no entities, no network, bounded size."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine.errors import ModelInvalid

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 200
MAX_ELEMENTS = 15_000   # XML elements of one file: ~1,000 tasks drawn with their diagram


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_bytes(data: bytes, source: str) -> etree._ElementTree:
    """Parse XML bytes or raise ModelInvalid naming `source` and the line."""
    if not data.strip():
        raise ModelInvalid("{source}: file is empty", source=source)
    if len(data) > MAX_BYTES:
        raise ModelInvalid("{source}: file is {data_count} bytes, more than the {MAX_BYTES} allowed", source=source, data_count=len(data), MAX_BYTES=MAX_BYTES)
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise ModelInvalid("{source}: DOCTYPE and entity declarations are not allowed in model files (external entities read other files; entity expansion grows without bound)", source=source)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        line = err.lineno or 0
        raise ModelInvalid("{source}:{line}: malformed XML: {value}", source=source, line=line, value=_one_line(err.msg)) from None
    except ValueError as err:  # e.g. unsupported encoding declarations
        raise ModelInvalid("{source}: unreadable XML: {value}", source=source, value=_one_line(str(err))) from None
    tree = etree.ElementTree(root)
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise ModelInvalid("{source}: DOCTYPE and entity declarations are not allowed in model files (external entities read other files; entity expansion grows without bound)", source=source)
    _check_depth(root, source)
    return tree


def parse_file(path: Path | str) -> etree._ElementTree:
    """Read and parse one XML file with the hardened parser (regular files only, size-limited)."""
    from engine.files import Unreadable, read_regular

    path = Path(path)
    try:
        data = read_regular(path, MAX_BYTES)
    except Unreadable as err:
        raise ModelInvalid.retelling(err) from None
    return parse_bytes(data, str(path))


def _check_depth(root, source: str) -> None:
    """Refuse a tree nested deeper than MAX_DEPTH or with more than MAX_ELEMENTS elements: lint, the
    diff and the SpiffWorkflow parser grow faster than a model (a 20,000-task file kept each busy
    past 60 s), so a file larger than any model a person draws is refused before any of them runs."""
    stack = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise ModelInvalid("{source}:{sourceline}: elements nested deeper than {MAX_DEPTH}", source=source,
                               sourceline=node.sourceline, MAX_DEPTH=MAX_DEPTH)
        if count > MAX_ELEMENTS:
            raise ModelInvalid("{source}: more than {MAX_ELEMENTS} XML elements, larger than a model this "
                               "program reads (split it into processes that call each other)", source=source,
                               MAX_ELEMENTS=MAX_ELEMENTS)
        stack.extend((child, depth + 1) for child in node)


def _one_line(text: str | None) -> str:
    """libxml2 messages may hold newlines; a person sees one line."""
    return " ".join((text or "").split())
