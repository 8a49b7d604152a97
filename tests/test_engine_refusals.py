"""What `start` refuses, `lint` reports first, in the same words — checked on crafted models and on
every file of the BPMN MIWG reference suite (../shared/corpus/miwg)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from conftest import MIWG, REPO
from engine.api import Engine
from engine.errors import ModelInvalid, PhasegateError
from engine.lint import lint_paths
from engine.programme import Programme

LINT_FIXTURES = REPO / "tests" / "lint" / "fixtures" / "phasegate" / "engine-accepts"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def engine_over(tmp_path, model: Path) -> Engine:
    """An engine over a folder holding only `model`, with one person in every lane it names."""
    folder = tmp_path / "models"
    folder.mkdir(exist_ok=True)
    shutil.copy(model, folder / model.name)
    lanes = {lane.get("name") or lane.get("id") for lane in etree.parse(str(model)).iter(f"{B}lane")}
    roster = {lane: ["tester"] for lane in lanes | {"Ops"}}
    return Engine.open(tmp_path / "store.db", Programme(name="t", bpmn_dir=folder, roster=roster))


def engine_findings(path: Path) -> list[str]:
    report = lint_paths([path], rules={"phasegate/engine-accepts"}, cwd=path.parent)
    return [f.message for f in report.findings]


@pytest.mark.parametrize("name", ["invalid-recursive-call.bpmn", "invalid-script-missing.bpmn",
                                  "invalid-flow-without-condition.bpmn", "invalid-endless-loop.bpmn",
                                  "invalid-missing-message.bpmn"])
def test_start_refuses_what_lint_reported_with_the_same_words(tmp_path, name):
    path = LINT_FIXTURES / name
    [reported] = engine_findings(path)
    engine = engine_over(tmp_path, path)
    with pytest.raises(ModelInvalid) as refused:
        engine.start("Process", "tester")
    assert str(refused.value).endswith(reported)
    assert engine.instances() == []


def test_an_element_named_like_the_engines_own_steps_is_refused_in_one_line(tmp_path):
    path = REPO / "tests" / "fixtures" / "refusals" / "reserved_id.bpmn"
    engine = engine_over(tmp_path, path)
    with pytest.raises(ModelInvalid) as refused:
        engine.start("Process", "tester")
    assert str(refused.value) == ("reserved_id.bpmn:4: the id 'Start' is the name of the engine's own first step "
                                  "(SpiffWorkflow's Start task); give the element another id")
    assert engine_findings(path) == [str(refused.value).split(": ", 1)[1]]


MIWG_FILES = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []


@pytest.mark.skipif(not MIWG_FILES, reason=f"the MIWG corpus is not at {MIWG}")
@pytest.mark.parametrize("path", MIWG_FILES, ids=[p.stem for p in MIWG_FILES])
def test_no_miwg_file_is_refused_by_start_for_a_reason_lint_missed(tmp_path, path):
    reported = engine_findings(path)
    executable = [p.get("id") for p in etree.parse(str(path)).iter(f"{B}process")
                  if (p.get("isExecutable") or "true").lower() != "false"]
    engine = engine_over(tmp_path, path)
    for process_id in executable:
        try:
            engine.start(process_id, "tester")
        except ModelInvalid as err:
            assert any(str(err).endswith(message) for message in reported), (str(err), reported)
        except PhasegateError:
            pass   # refused while running (a handler, a form, a lane): not a model the engine cannot read


def test_references_written_as_qnames_run_as_their_plain_ids(tmp_path):
    """Zeebe's model API writes `messageRef="tns:Message_1"`, Trisotech `semantic:sid-…`; SpiffWorkflow
    looked for the prefixed id and failed inside its own error path (a TypeError)."""
    engine = engine_over(tmp_path, REPO / "tests" / "fixtures" / "refusals" / "prefixed_references.bpmn")
    started = engine.start("Process", "tester")
    assert started.status == "completed"


def test_a_process_without_an_id_is_listed_as_not_run_and_still_drawn(tmp_path, terminal):
    path = REPO / "tests" / "fixtures" / "refusals" / "process_without_id.bpmn"
    engine = engine_over(tmp_path, path)
    [skipped] = [p for p in engine.processes() if p.status == "skipped"]
    assert skipped.reason == ("process_without_id.bpmn: a process has no id; give it one in the Modeler's "
                              "properties panel to run it")
    drawn = terminal.run("render", str(path), "-o", str(tmp_path / "p.svg"))
    assert drawn.exit_code == 0, drawn.output
    assert (tmp_path / "p.svg").read_text().count("<svg") == 1
