"""A diagram bundle for a proposal: before/after comparison, the programme's diagram, the change list.

Generic: the caller (processes/proposal.py) chooses which files; this module draws and writes them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from engine.diagrams.compare import comparison
from engine.bpmn.diff import diff_files, to_text
from engine.diagrams.render import render, to_image


class Bundle(BaseModel):
    directory: str
    files: list[str]
    added: int
    removed: int
    changed: int


def build_bundle(before: Path | str, after: Path | str, programme: Path | str, out_dir: Path | str,
                 title: str = "") -> Bundle:
    """Write compare.svg/.png, programme.svg/.png and changes.md into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = diff_files(before, after)
    dot = comparison(before, after, "auto", result)
    written = {}
    written["compare.svg"] = to_image(dot, "svg")
    written["compare.png"] = to_image(dot, "png")
    written["programme.svg"] = render(programme, "svg")
    written["programme.png"] = render(programme, "png")
    head = f"# {title}：变更清单 (change list)\n\n" if title else ""
    body = to_text(result, markdown=True)
    if head:    # the title is the only top-level heading
        body = "#" + body.replace("\n## ", "\n### ")
    written["changes.md"] = (head + body).encode("utf-8")
    files = []
    for name, data in written.items():
        (out / name).write_bytes(data)
        files.append(str(out / name))
    return Bundle(directory=str(out), files=files, added=len(result.added), removed=len(result.removed),
                  changed=len(result.changed))
