"""A diagram bundle: a before/after comparison, an overview diagram and the change list, in one folder.

Generic: the caller (processes/proposal.py) chooses the files, their names, the title and the words;
this module draws and writes them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from engine.diagrams.compare import compared
from engine.files import check_output_folder, write_output
from engine.i18n import Phrase
from engine.bpmn.diff import to_text
from engine.diagrams.render import render, to_image
from engine.programme import Wording


class Bundle(BaseModel):
    directory: str
    files: list[str]
    added: int
    removed: int
    changed: int


def build_bundle(before: Path | str, after: Path | str, overview: Path | str, out_dir: Path | str, *,
                 title: str = "", wording: Wording = Wording(),
                 names: tuple[str, str, str] = ("compare", "overview", "changes")) -> Bundle:
    """Write `<compare>.svg/.png`, `<overview>.svg/.png` and `<changes>.md` into `out_dir`.

    Args:
        before, after: the two versions compared.
        overview: the model drawn on its own.
        title: the change list's top heading, followed by `wording.change_list`; none when empty.
        names: the file names (without suffix) of the comparison, the overview and the change list.
    """
    compare_name, overview_name, changes_name = names
    out = check_output_folder(out_dir, Phrase("bundle folder"))   # before the drawing, not after it
    result, dot = compared(before, after, "auto", wording)   # each read once, refused when too large
    written = {}
    written[f"{compare_name}.svg"] = to_image(dot, "svg")
    written[f"{compare_name}.png"] = to_image(dot, "png")
    written[f"{overview_name}.svg"] = render(overview, "svg")
    written[f"{overview_name}.png"] = render(overview, "png")
    head = f"# {title}：{wording.change_list}\n\n" if title else ""
    body = to_text(result, markdown=True)
    if head:    # the title is the only top-level heading
        body = "#" + body.replace("\n## ", "\n### ")
    written[f"{changes_name}.md"] = (head + body).encode("utf-8")
    files = []
    for name, data in written.items():
        write_output(out / name, data)
        files.append(str(out / name))
    return Bundle(directory=str(out), files=files, added=len(result.added), removed=len(result.removed),
                  changed=len(result.changed))
