"""Each kind of timer fires at its exact simulated instant, in the configured zone, moved by a fake clock."""

from __future__ import annotations


from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.api import Engine
from engine.clock import FakeClock
from engine.programme import Programme
from engine.bpmn.timertext import is_iso_literal

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parent / "fixtures" / "timers"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def world(new_store):
    clock = FakeClock(at("2023-10-02T09:00:00"))
    programme = Programme(name="timers", bpmn_dir=FIXTURES, roster={"Ops": ["ops"]}, zone="Asia/Shanghai")
    return Engine.open(new_store("t"), programme, clock), clock


def ready(engine, instance_id):
    return sorted(t.task_id for t in engine.tasks(instance_id=instance_id, every_lane=True))


def fire_at(engine, clock, instant: datetime):
    """The tick a second before the instant fires nothing; the tick at the instant fires."""
    clock.set(instant - timedelta(seconds=1))
    assert engine.tick().fired == []
    clock.set(instant)
    return [f.task_id for f in engine.tick().fired]


def test_an_interrupting_boundary_timer_cancels_its_task_after_four_hours(world):
    engine, clock = world
    instance = engine.start("timers", "ops")
    assert engine.tasks(instance_id=instance.id, every_lane=True)[0].due_at == "2023-10-02T05:00:00.000000+00:00"
    assert fire_at(engine, clock, at("2023-10-02T13:00:00")) == ["prepare_timeout"]
    assert ready(engine, instance.id) == ["handle_timeout"]
    assert engine.history(instance.id)[-1].action == "timer"


def test_calendar_days_then_a_naive_date_read_in_shanghai_then_an_hourly_cycle(world):
    engine, clock = world
    instance = engine.start("timers", "ops")
    clock.set(at("2023-10-02T10:30:00"))
    engine.complete(instance.id, "prepare", {}, "ops")
    # P3D counts calendar days, National Day holidays included.
    assert [d.task_id for d in engine.deadlines()] == ["cool_off"]
    assert fire_at(engine, clock, at("2023-10-05T10:30:00")) == ["cool_off"]
    # 2023-10-09T09:00:00 has no zone: read in Asia/Shanghai, i.e. 01:00 UTC.
    assert engine.deadlines()[0].due_at == "2023-10-09T01:00:00.000000+00:00"
    assert fire_at(engine, clock, at("2023-10-09T09:00:00")) == ["wait_until"]
    assert ready(engine, instance.id) == ["finish"]
    # R3/PT1H, non-interrupting: three reminders an hour apart, the task stays open.
    for hour in (10, 11, 12):
        assert fire_at(engine, clock, at(f"2023-10-09T{hour}:00:00")) == ["finish_reminder"]
        assert ready(engine, instance.id) == ["finish"]
    clock.set(at("2023-10-09T20:00:00"))
    assert engine.tick().fired == []
    assert [h.action for h in engine.history(instance.id)].count("timer") == 5
    engine.complete(instance.id, "finish", {}, "ops")
    assert engine.deadlines() == []


def test_ticking_twice_at_the_same_instant_fires_nothing_more(world):
    engine, clock = world
    engine.start("timers", "ops")
    clock.set(at("2023-10-02T13:00:00"))
    assert len(engine.tick().fired) == 1
    assert engine.tick().fired == []


def test_another_zone_reads_the_same_naive_date_differently(new_store):
    clock = FakeClock(at("2023-10-02T09:00:00"))
    programme = Programme(name="timers", bpmn_dir=FIXTURES, roster={"Ops": ["ops"]})
    engine = Engine.open(new_store("utc"), programme, clock, zone="UTC")
    instance = engine.start("timers", "ops")
    engine.complete(instance.id, "prepare", {}, "ops")
    clock.set(at("2023-10-05T09:00:00"))
    engine.tick()
    assert engine.deadlines()[0].due_at == "2023-10-09T09:00:00.000000+00:00"


@pytest.mark.parametrize("text,literal", [
    ("P3D", True), ("PT2H", True), ("R/P1W", True), ("R3/PT1H", True), ("P1M", True),
    ("2024-03-31T18:00:00+08:00", True), ("2023-10-09", True), ('"P3D"', False), ("pilot_start", False),
    ("P", False), ("PT", False),
])
def test_bare_iso_timer_text_is_recognised_and_expressions_are_left_alone(text, literal):
    assert is_iso_literal(text) is literal


def test_a_timer_start_event_waits_for_its_instant_written_bare_with_an_offset(world):
    engine, clock = world
    instance = engine.start("scheduled", "ops")
    assert ready(engine, instance.id) == []
    [deadline] = engine.deadlines()
    assert (deadline.task_id, deadline.due_at) == ("quarter_close", "2024-03-31T10:00:00.000000+00:00")
    assert fire_at(engine, clock, at("2024-03-31T18:00:00")) == ["quarter_close"]
    assert ready(engine, instance.id) == ["close_books"]
