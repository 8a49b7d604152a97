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
    assert ("Process_archive", "skipped") in listed and ("Process_archive", "ready") not in listed


@pytest.mark.parametrize("process_id", ["Process_leave", "Process_leave_juel"])
def test_feel_and_juel_conditions_and_timers_run_as_camunda_writes_them(tmp_path, process_id):
    """Camunda 8 writes `=days > 3 or kind = "sick"` and `=duration("PT1H")`; Camunda 7 writes
    `${days > 3 || kind == "sick"}` and `${"PT1H"}`: both route and wait as the designer meant."""
    from datetime import datetime, timedelta, timezone

    from engine.clock import FakeClock

    models = tmp_path / "models"
    shutil.copytree(FIXTURES, models)
    clock = FakeClock(datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc))
    programme = Programme(name="camunda", bpmn_dir=models, roster={"Ops": ["ops"]})
    engine = Engine.open(tmp_path / "store.db", programme, clock)
    long = engine.start(process_id, "ops", {"days": 5, "kind": "annual"})
    assert [t.task_id for t in engine.tasks(instance_id=long.id, every_lane=True)] == ["Activity_0mgr"]
    sick = engine.start(process_id, "ops", {"days": 1, "kind": "sick"})
    assert [t.task_id for t in engine.tasks(instance_id=sick.id, every_lane=True)] == ["Activity_0mgr"]
    short = engine.start(process_id, "ops", {"days": 2, "kind": "annual"})
    assert engine.tasks(instance_id=short.id, every_lane=True) == []
    [timer] = [d for d in engine.deadlines() if d.instance_id == short.id]
    assert timer.due_at.startswith("2024-03-01T10:00:00")
    clock.advance(timedelta(hours=1))
    engine.tick()
    assert engine.show(short.id).status == "completed"


def test_a_feel_expression_outside_the_subset_is_one_line_naming_it(tmp_path):
    engine, models = engine_over(tmp_path, {})
    text = (models / "leave_feel.bpmn").read_text(encoding="utf-8")
    (models / "leave_feel.bpmn").write_text(text.replace('=days &gt; 3 or kind = "sick"',
                                                         "=every d in [days] satisfies d &gt; 3"), encoding="utf-8")
    with pytest.raises(ModelInvalid) as refused:
        engine.start("Process_leave", "ops", {"days": 5})
    assert str(refused.value) == ("leave_feel.bpmn:34: conditionExpression of 'Flow_long': FEEL: 'every d in [days] "
                                  "satisfies' is not supported in \"=every d in [days] satisfies d > 3\"")


def test_lint_reads_camunda_implementations_and_expressions_as_start_does(tmp_path):
    from engine.lint import lint_paths

    report = lint_paths([FIXTURES], rules={"phasegate/reference-resolves", "phasegate/condition-compiles",
                                           "phasegate/timer-compiles", "phasegate/engine-accepts"}, cwd=FIXTURES)
    assert [(f.element_id, f.rule, f.message) for f in report.findings] == []
