"""Two engines in one process (a server with two tenants, a script comparing two stores) each keep
their own clock and zone: a timer fires at the time of the engine that runs it, never another's."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.api import Engine
from engine.clock import FakeClock
from engine.programme import Programme
from engine.store.store import Store

pytestmark = pytest.mark.store

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parent / "fixtures" / "timers"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def two(new_store):
    """The first engine on 2 October 2023 in Shanghai; the second 30 days later, reading naive dates in UTC,
    on a store of its own. The second is used last before the first acts, as a server would."""
    programme = Programme(name="timers", bpmn_dir=FIXTURES, roster={"Ops": ["ops"]}, zone="Asia/Shanghai")
    first_clock = FakeClock(at("2023-10-02T09:00:00"))
    second_clock = FakeClock(at("2023-10-02T09:00:00") + timedelta(days=30))
    first = Engine.open(new_store("first"), programme, first_clock)
    second = Engine.open(new_store("second"), programme, second_clock, zone="UTC")
    return (first, first_clock), (second, second_clock)


def ready(engine) -> list[str]:
    return sorted(t.task_id for t in engine.tasks(every_lane=True))


def due(engine) -> list[tuple[str, str]]:
    """The engine's waiting timers and their due instants (UTC)."""
    return [(d.task_id, d.due_at) for d in engine.deadlines() if d.kind == "timer"]


def test_each_engine_times_its_timers_on_its_own_clock(two):
    (first, first_clock), (second, second_clock) = two
    a = first.start("timers", "ops").id
    b = second.start("timers", "ops").id
    assert due(first) == [("prepare_timeout", "2023-10-02T05:00:00.000000+00:00")]
    assert due(second) == [("prepare_timeout", "2023-11-01T05:00:00.000000+00:00")]

    first_clock.set(at("2023-10-02T10:30:00"))
    second_clock.set(at("2023-11-01T10:30:00"))
    second.complete(b, "prepare", {}, "ops")
    first.complete(a, "prepare", {}, "ops")
    # The first engine's 3-day timer counts from the first engine's now, and does not fire at once.
    assert due(first) == [("cool_off", "2023-10-05T02:30:00.000000+00:00")]
    assert due(second) == [("cool_off", "2023-11-04T02:30:00.000000+00:00")]
    assert first.tick().fired == [] and second.tick().fired == []
    assert ready(first) == ready(second) == []

    first_clock.set(at("2023-10-05T10:29:59"))
    assert first.tick().fired == []
    first_clock.set(at("2023-10-05T10:30:00"))
    assert [f.task_id for f in first.tick().fired] == ["cool_off"]
    # 2023-10-09T09:00:00 has no zone: the first engine reads it in Shanghai, still ahead of its clock.
    assert due(first) == [("wait_until", "2023-10-09T01:00:00.000000+00:00")]
    assert second.tick().fired == []  # the second engine's clock did not move: nothing of its is due
    assert due(second) == [("cool_off", "2023-11-04T02:30:00.000000+00:00")]

    second_clock.set(at("2023-11-04T10:30:00"))
    assert [f.task_id for f in second.tick().fired] == ["cool_off"]
    # For the second engine the same naive date (read in UTC) is long past: it is passed at once.
    assert ready(second) == ["finish"]
    assert due(second) == [("finish_reminder", "2023-11-04T03:30:00.000000+00:00")]
    assert ready(first) == []

    first_clock.set(at("2023-10-09T09:00:00"))
    assert [f.task_id for f in first.tick().fired] == ["wait_until"]
    assert ready(first) == ["finish"]
    assert due(first) == [("finish_reminder", "2023-10-09T02:00:00.000000+00:00")]


PARALLEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://phasegate.test/p">
  <bpmn:process id="parallel" name="Work beside a cooling-off period" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_ops" name="Ops">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>split</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>draft</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>cool_off</bpmn:flowNodeRef><bpmn:flowNodeRef>join</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>sign</bpmn:flowNodeRef><bpmn:flowNodeRef>done</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="draft" name="Draft"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="check" name="Check"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="cool_off" name="3 days">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:timerEventDefinition id="cool_off_def"><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="sign" name="Sign"><bpmn:incoming>f7</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="done"><bpmn:incoming>f8</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="draft" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="cool_off" />
    <bpmn:sequenceFlow id="f4" sourceRef="draft" targetRef="check" />
    <bpmn:sequenceFlow id="f5" sourceRef="check" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="cool_off" targetRef="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="sign" />
    <bpmn:sequenceFlow id="f8" sourceRef="sign" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_work_beside_the_first_engines_3_day_timer_does_not_fire_it_early(new_store, tmp_path):
    """Completing a task in a parallel branch re-checks the waiting 3-day timer beside it: against
    the first engine's clock, not the clock of the engine 30 days ahead."""
    (tmp_path / "parallel.bpmn").write_text(PARALLEL, encoding="utf-8")
    programme = Programme(name="parallel", bpmn_dir=tmp_path, roster={"Ops": ["ops"]}, zone="Asia/Shanghai")
    first_clock = FakeClock(at("2023-10-02T09:00:00"))
    second_clock = FakeClock(at("2023-10-02T09:00:00") + timedelta(days=30))
    first = Engine.open(new_store("first"), programme, first_clock)
    second = Engine.open(new_store("second"), programme, second_clock)
    a = first.start("parallel", "ops").id
    b = second.start("parallel", "ops").id
    assert due(first) == [("cool_off", "2023-10-05T01:00:00.000000+00:00")]
    assert due(second) == [("cool_off", "2023-11-04T01:00:00.000000+00:00")]
    first_clock.advance(timedelta(hours=1))
    second_clock.advance(timedelta(hours=1))
    second.complete(b, "draft", {}, "ops")
    first.complete(a, "draft", {}, "ops")
    first.complete(a, "check", {}, "ops")
    assert ready(first) == []  # still cooling off: `sign` waits for the timer
    assert due(first) == [("cool_off", "2023-10-05T01:00:00.000000+00:00")]
    first_clock.set(at("2023-10-05T09:00:00"))
    assert [f.task_id for f in first.tick().fired] == ["cool_off"]
    assert ready(first) == ["sign"]
    assert ready(second) == ["check"] and due(second) == [("cool_off", "2023-11-04T01:00:00.000000+00:00")]


def test_an_engine_reloaded_from_its_store_keeps_its_own_clock(two, new_store):
    """A workflow loaded from the store (a fresh engine over the same store, as the CLI runs) is
    attached to the loading engine's clock, whatever another engine in the process did."""
    (first, first_clock), (second, second_clock) = two
    a = first.start("timers", "ops").id
    second.start("timers", "ops")
    first_clock.set(at("2023-10-02T10:30:00"))
    fresh = Engine(first.store, first.programme, first_clock)
    second.tick()  # the second engine's runner is the newest in the process
    fresh.complete(a, "prepare", {}, "ops")
    assert due(fresh) == [("cool_off", "2023-10-05T02:30:00.000000+00:00")]
    assert fresh.tick().fired == []
    assert Engine(first.store, first.programme, first_clock).tick().fired == []


def test_no_engine_rewrites_the_librarys_timer_module(two):
    import datetime as datetime_module

    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    zone = timer.LOCALTZ
    (first, first_clock), (second, _) = two
    a = first.start("timers", "ops").id
    second.start("timers", "ops")
    first.complete(a, "prepare", {}, "ops")
    assert timer.datetime is datetime_module.datetime
    assert timer.LOCALTZ is zone
