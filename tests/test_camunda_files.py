"""Files written for Camunda 7 and 8 load unchanged: their service tasks run on the handler the programme
registers under the class, topic or job type the file names, and a task with none says so in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.api import Engine
from engine.errors import ModelInvalid, TaskFailed
from engine.programme import Programme

FIXTURES = Path(__file__).parent / "fixtures" / "camunda"


def engine_over(tmp_path, handlers):
    models = tmp_path / "models"
    shutil.copytree(FIXTURES, models)
    programme = Programme(name="camunda", bpmn_dir=models, handlers=handlers, roster={"Ops": ["ops"]})
    return Engine.open(tmp_path / "store.db", programme), models


def test_external_task_topics_and_zeebe_job_types_run_on_registered_handlers(tmp_path):
    calls = []
    handlers = {"archive-invoice": lambda: calls.append("archive") or {"archived": True},
                "notify-customer": lambda: calls.append("notify") or {"notified": True}}
    engine, _ = engine_over(tmp_path, handlers)
    instance = engine.start("Process_archive", "ops")
    assert instance.status == "completed"
    assert calls == ["archive", "notify"]


def test_a_service_task_nobody_registered_fails_in_one_line_and_nothing_starts(tmp_path):
    engine, _ = engine_over(tmp_path, {"archive-invoice": lambda: {}})
    with pytest.raises(TaskFailed) as failed:
        engine.start("Process_archive", "ops")
    assert str(failed.value) == ("service task 'Activity_notify': no handler for operator 'notify-customer' "
                                 "(known: archive-invoice)")
    assert engine.instances() == []


def test_a_process_that_is_not_executable_is_named_with_its_reason(tmp_path):
    engine, models = engine_over(tmp_path, {})
    text = (models / "external_tasks.bpmn").read_text(encoding="utf-8")
    (models / "external_tasks.bpmn").write_text(text.replace('isExecutable="true"', 'isExecutable="false"'),
                                                encoding="utf-8")
    with pytest.raises(ModelInvalid) as refused:
        engine.start("Process_archive", "ops")
    assert str(refused.value) == ("external_tasks.bpmn: process 'Process_archive' is not executable "
                                  "(isExecutable=\"false\"); tick \"Executable\" in the Modeler's properties panel to run it")
    listed = [(p.process_id, p.status) for p in engine.processes()]
    assert listed == [("Process_archive", "skipped")]
