"""Builds the one object the engine receives: this programme's models (their forms inside, bpmn/*.bpmn and
bpmn/*.form), the named checks those forms use, handlers, roster and words."""

from __future__ import annotations

from pathlib import Path

from engine.programme import Programme, Wording

HERE = Path(__file__).resolve().parent
BPMN_DIR = HERE.parent / "bpmn"
ROSTER_FILE = HERE / "roster.toml"
NAME = "业务调整"
ZONE = "Asia/Shanghai"  # the programme's offices: dates without a zone are read here
LANGUAGE = "zh"  # what phasegate speaks to this programme's people unless --lang, PHASEGATE_LANG or the locale say
WORDING = Wording(before="调整前 before", after="调整后 after", added="新增 added", removed="删除 removed",
                  changed="修改 changed", unchanged="未变 unchanged", change_list="变更清单 (change list)")


def load_roster(path: Path = ROSTER_FILE) -> dict[str, list[str]]:
    """Lane → people from a roster file; it seeds a new store, administrators edit the store after."""
    import tomllib  # here, not at the top: `phasegate tasks` imports this module for ZONE only

    with open(path, "rb") as handle:
        return {lane: list(people) for lane, people in tomllib.load(handle).get("lanes", {}).items()}


def build(bpmn_dir: Path | None = None, data_dirs: tuple[Path | str, ...] = ()) -> Programme:
    """The business-adjustment programme (业务调整) as the engine runs it; its service handlers read
    files from processes/data/ and the folders an administrator names in `data_dirs`."""
    from .handlers import DATA_FOLDERS, handlers_for
    from .validators import VALIDATORS

    return Programme(
        name=NAME,
        bpmn_dir=bpmn_dir or BPMN_DIR,
        handlers=handlers_for(DATA_FOLDERS.with_folders(data_dirs)),
        validators=VALIDATORS,
        roster=load_roster(),
        admin_lanes=("管理层",),
        zone=ZONE,
        language=LANGUAGE,
        wording=WORDING,
    )
