"""Timers as other tools write them: a Python `timedelta(...)` (SpiffArena), FEEL/JUEL durations
(Camunda), bare ISO text; and timers no one should run: a zero period, a due time centuries away."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.api import Engine
from engine.clock import FakeClock
from engine.errors import TaskFailed
from engine.programme import Programme

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="x">
  <bpmn:process id="Process_wait" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="Event_wait" name="Wait">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerEventDefinition_1"><bpmn:KIND xsi:type="bpmn:tFormalExpression">TEXT</bpmn:KIND></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Event_wait" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Event_wait" targetRef="Event_end" />
  </bpmn:process>
</bpmn:definitions>"""
NOON = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def engine_with_timer(tmp_path, kind: str, text: str):
    models = tmp_path / "models"
    models.mkdir()
    (models / "wait.bpmn").write_text(MODEL.replace("KIND", kind).replace("TEXT", text), encoding="utf-8")
    clock = FakeClock(NOON)
    programme = Programme(name="t", bpmn_dir=models, roster={"Ops": ["ops"]})
    return Engine.open(tmp_path / "store.db", programme, clock), clock


@pytest.mark.parametrize("kind, text, due", [
    ("timeDuration", "timedelta(seconds=30)", NOON + timedelta(seconds=30)),
    ("timeDuration", "timedelta(days=2, hours=3)", NOON + timedelta(days=2, hours=3)),
    ("timeDuration", '=duration("PT45M")', NOON + timedelta(minutes=45)),
    ("timeDuration", '${"PT2H"}', NOON + timedelta(hours=2)),
    ("timeDuration", "PT10M", NOON + timedelta(minutes=10)),
    ("timeDate", "datetime(2024, 3, 2, 8, 0, tzinfo=None).isoformat()", None),
])
def test_a_timer_written_by_another_tool_waits_as_written(tmp_path, kind, text, due):
    engine, clock = engine_with_timer(tmp_path, kind, text)
    instance = engine.start("Process_wait", "ops")
    [deadline] = engine.deadlines()
    if due is not None:
        assert datetime.fromisoformat(deadline.due_at) == due
        clock.set(due)
        engine.tick()
        assert engine.show(instance.id).status == "completed"


@pytest.mark.parametrize("kind, text, words", [
    ("timeCycle", "R/PT0S", "has a period of 0:00:00: it must be positive"),
    ("timeDuration", "P999Y", "more than a hundred years from now"),
    ("timeDate", "2999-01-01T00:00:00", "more than a hundred years from now"),
    ("timeDuration", "timedelta(seconds=-5)", "is not positive"),
    ("timeDuration", "42", "gave int, not a date, duration or cycle"),
])
def test_a_timer_no_one_should_run_fails_in_one_line_and_nothing_starts(tmp_path, kind, text, words):
    engine, _ = engine_with_timer(tmp_path, kind, text)
    with pytest.raises(TaskFailed) as failed:
        engine.start("Process_wait", "ops")
    assert words in str(failed.value) and "\n" not in str(failed.value)
    assert engine.instances() == []
