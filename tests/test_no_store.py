"""A designer checks, draws and compares models in a folder of their own: no store appears there.

Lint, render, diff and layout read models only. Lint's lane-has-people rule reads who is in each
lane from a store when there is one (read only, leaving it byte for byte as it was), else from
the programme's roster.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import MANAGER, REPO, Terminal, store_bytes
from engine.errors import DIFFERENT

BEFORE, AFTER = REPO / "bpmn" / "service_loop_before.bpmn", REPO / "bpmn" / "service_loop_after.bpmn"
NO_ENV = {"PHASEGATE_USER": None, "PHASEGATE_DB": None, "PHASEGATE_NOW": None, "PHASEGATE_MODELS": None}


def in_empty_folder(folder, *args):
    from cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=NO_ENV, catch_exceptions=False)


@pytest.mark.parametrize("args,code,wrote", [
    (["lint", REPO / "bpmn"], 0, []),
    (["lint"], 0, []),
    (["render", AFTER, "-o", "after.svg"], 0, ["after.svg"]),
    (["diff", BEFORE, AFTER, "-o", "compare.svg"], DIFFERENT, ["compare.svg"]),
    (["layout", BEFORE, "-o", "laid-out.bpmn"], 0, ["laid-out.bpmn"]),
], ids=["lint-folder", "lint-models", "render", "diff", "layout"])
def test_a_designer_runs_a_model_command_in_an_empty_folder_and_no_store_appears(tmp_path, monkeypatch, args, code,
                                                                                 wrote):
    monkeypatch.chdir(tmp_path)
    result = in_empty_folder(tmp_path, *args)
    assert result.exit_code == code, result.stderr
    assert not (tmp_path / ".phasegate").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == wrote


def test_lint_reads_lane_members_from_an_existing_store_and_leaves_it_as_it_was(tmp_path):
    terminal = Terminal(tmp_path / "store" / "phasegate.db")
    for person in ("何佳怡", "马俊"):  # the administrator empties the 客户 lane
        assert terminal.run("people", "remove", person, "客户", user=MANAGER).exit_code == 0
    before = store_bytes(terminal.db)
    result = terminal.run("lint", AFTER, "--rule", "phasegate/lane-has-people")
    assert result.exit_code == 9
    assert result.stdout.count("phasegate/lane-has-people error Lane '客户' has no people") == 1
    assert result.stderr == "phasegate: lint-findings: 1 problems (1 errors, 0 warnings) in 1 files\n"
    assert store_bytes(terminal.db) == before


def test_lint_without_a_store_uses_the_programmes_roster(tmp_path):
    terminal = Terminal(tmp_path / "nowhere" / "phasegate.db")
    result = terminal.run("lint", AFTER, "--rule", "phasegate/lane-has-people")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "no problems in 1 files\n"
    assert not (tmp_path / "nowhere").exists()
