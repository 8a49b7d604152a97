"""What a lint rule reads: the file's `Document` (engine/bpmn/model.py) plus what the run knows beyond it.

`context` is the programme's lanes, forms and handlers (a `LintContext`, or None); `workspace` holds
the process and decision ids of the files linted together, for references that cross files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.bpmn.model import Document


@dataclass
class Workspace:
    """What the files linted together define, for references that cross files."""

    process_ids: set[str] = field(default_factory=set)
    decision_ids: set[str] = field(default_factory=set)
    memo: dict = field(default_factory=dict)   # what rules computed once per run (e.g. a folder's processes)


class Model(Document):
    """One file as the rules see it."""

    def __init__(self, path: Path | str, tree, context=None, workspace: Workspace | None = None):
        super().__init__(tree, path)
        self.context = context
        self.workspace = workspace or Workspace()
