"""A cycle timer that fell far behind catches up with one firing, not one per missed occurrence.

`R/PT1S` on a task nobody finished, with no tick for a day, used to fire 86,400 times within the
next tick: it ran past 30 s and was killed. Now a cycle late by up to ten occurrences still fires
each of them; further behind, it fires once, counts the missed ones as run, and waits for the
first occurrence after now.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bounded import run, within_bounds
from conftest import PM

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d_cycle" targetNamespace="http://example.com/cycle">
  <bpmn:process id="reminding" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="wait" name="Wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="remind" attachedToRef="wait" cancelActivity="false"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">"{cycle}"</bpmn:timeCycle>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:scriptTask id="note" name="Note" scriptFormat="python"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:script>reminded = True</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e2"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/>
    <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="note"/>
    <bpmn:sequenceFlow id="f4" sourceRef="note" targetRef="e2"/>
  </bpmn:process>
</bpmn:definitions>
"""
STARTED = "2023-10-01T00:00:00+08:00"


def world(tmp_path, cycle: str):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "reminding.bpmn").write_text(MODEL.format(cycle=cycle), encoding="utf-8")
    db = tmp_path / "store" / "phasegate.db"
    started = run("--models", folder, "--now", STARTED, "start", "reminding", db=db, user=PM)
    assert started.returncode == 0, started.stderr
    return folder, db


def notes(folder, db) -> int:
    shown = run("--models", folder, "show", "1", "--json", db=db)
    return [s["task_id"] for s in json.loads(shown.stdout)["completed"]].count("note")


def timer_due(folder, db, now: str) -> str:
    listed = run("--models", folder, "--now", now, "deadlines", "--json", db=db)
    return next(datetime.fromisoformat(d["due_at"]) for d in json.loads(listed.stdout) if d["kind"] == "timer")


@pytest.mark.parametrize("late, now, next_due", [
    ("a day", "2023-10-02T00:00:00+08:00", "2023-10-01T16:00:01+00:00"),
    ("a year", "2024-10-01T00:00:00+08:00", "2024-09-30T16:00:01+00:00"),
])
def test_a_one_second_cycle_far_behind_fires_once_in_bounded_time(tmp_path, late, now, next_due):
    folder, db = world(tmp_path, "R/PT1S")
    ticked = run("--models", folder, "--now", now, "tick", "--json", db=db)
    assert ticked.returncode == 0, ticked.stderr
    within_bounds(ticked)
    assert len(json.loads(ticked.stdout)["fired"]) == 1
    assert notes(folder, db) == 1
    assert timer_due(folder, db, now) == datetime.fromisoformat(next_due)


def test_a_cycle_a_few_occurrences_behind_still_fires_each(tmp_path):
    folder, db = world(tmp_path, "R/PT1S")
    ticked = run("--models", folder, "--now", "2023-10-01T00:00:05+08:00", "tick", db=db)
    assert ticked.returncode == 0, ticked.stderr
    assert notes(folder, db) == 5          # 00:00:01 … 00:00:05, none skipped
    assert timer_due(folder, db, "2023-10-01T00:00:05+08:00") == datetime.fromisoformat("2023-09-30T16:00:06+00:00")


def test_a_counted_cycle_far_behind_uses_up_its_count(tmp_path):
    folder, db = world(tmp_path, "R100/PT1S")
    ticked = run("--models", folder, "--now", "2023-10-02T00:00:00+08:00", "tick", db=db)
    assert ticked.returncode == 0, ticked.stderr
    within_bounds(ticked)
    assert notes(folder, db) == 1
    listed = run("--models", folder, "--now", "2023-10-02T00:00:00+08:00", "deadlines", "--json", db=db)
    assert [d for d in json.loads(listed.stdout) if d["kind"] == "timer"] == []   # all 100 counted as run
