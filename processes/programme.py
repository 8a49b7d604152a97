"""Builds the one object the engine receives: this programme's models, forms, handlers and roster."""

from __future__ import annotations

import tomllib
from pathlib import Path

from engine.programme import Programme

HERE = Path(__file__).resolve().parent
BPMN_DIR = HERE.parent / "bpmn"
ROSTER_FILE = HERE / "roster.toml"


def load_roster(path: Path = ROSTER_FILE) -> dict[str, list[str]]:
    """Lane → people from a roster file; it seeds a new store, administrators edit the store after."""
    with open(path, "rb") as handle:
        return {lane: list(people) for lane, people in tomllib.load(handle).get("lanes", {}).items()}


def build(bpmn_dir: Path | None = None) -> Programme:
    """The business-adjustment programme (业务调整) as the engine runs it."""
    from .forms import FORMS, START_FORMS
    from .handlers import HANDLERS

    return Programme(
        name="业务调整",
        bpmn_dir=bpmn_dir or BPMN_DIR,
        forms=FORMS,
        start_forms=START_FORMS,
        handlers=HANDLERS,
        roster=load_roster(),
        admin_lanes=("管理层",),
    )
