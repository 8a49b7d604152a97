"""Timers that read the clock of the engine that runs them, never the process's.

SpiffWorkflow 3.2's timer event definitions read `datetime.now(timezone.utc)` and the module's
`LOCALTZ` (fixed when the library is imported). The three subclasses here ask the script engine of
the workflow that runs the task instead (`my_task.workflow.script_engine`, attached by the runner of
each engine after every load) for:

- `now()`: the engine's clock;
- `zone`: the zone naive dates in timer text are read in;
- `due_after(task, start, parsed)`: `start` plus a parsed ISO duration, counted on the task's calendar.

A script engine without them (the library's own, in benchmarks) gets the library's behaviour: the
system clock, the library's `LOCALTZ` and plain calendar days. The due instant of a duration or
cycle timer is fixed when the timer is first reached and kept in `internal_data['event_value']`, as
the library keeps it; a timer fires *at* its instant (`due <= now`).

The serializer restores the library's timer typenames as these classes (see `serializer.py`), so
stored specs and states are unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.clock import moment, timer_due  # the due instants' reader lives with the clock (issue 17)

from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions import timer as library
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition, DurationTimerEventDefinition,
                                                               TimeDateEventDefinition, TimerEventDefinition)

parse_iso_duration = TimerEventDefinition.parse_iso_duration


def timedelta_from_start(parsed: dict, start: datetime) -> timedelta:
    """A parsed ISO duration as a timedelta, months and years counted from `start`."""
    return TimerEventDefinition.get_timedelta_from_start(dict(parsed), start)


def _now(script_engine) -> datetime:
    now = getattr(script_engine, "now", None)
    return datetime.now(timezone.utc) if now is None else now()


def _zone(script_engine):
    return getattr(script_engine, "zone", None) or library.LOCALTZ


def _due_after(script_engine, task, start: datetime, parsed: dict) -> datetime:
    due_after = getattr(script_engine, "due_after", None)
    if due_after is None:
        return start + timedelta_from_start(parsed, start)
    return due_after(task, start, dict(parsed))


HORIZON = timedelta(days=100 * 366)   # a due time further than this from now is a mistake, not a plan


def timer_value(value) -> str:
    """What a timer expression gave, as the ISO text the timers read: SpiffArena models write
    `timedelta(seconds=30)` or a datetime; FEEL/JUEL texts arrive as text already."""
    if isinstance(value, timedelta):
        if value <= timedelta(0):
            raise ValueError(f"the timer's duration {value} is not positive")
        return f"P{value.days}DT{value.seconds}S" if value.days else f"PT{value.seconds + value.microseconds / 1e6:g}S"
    if isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"a timer expression gave {type(value).__name__}, not a date, duration or cycle")
    return value


def _bounded(due: datetime, now: datetime) -> datetime:
    if due - now > HORIZON:
        raise ValueError(f"the timer would be due {due.date()}, more than a hundred years from now")
    return due


def _time_or_duration(text: str, zone):
    return parse_iso_duration(text) if text.upper().startswith("P") else moment(text, zone)


class OneShotTimer:
    """`has_fired` of the timers that fire once: the due instant is worked out when the task is first
    reached (`due`), kept with the task, and compared with the engine's clock on every look."""

    def due(self, engine, my_task, now: datetime) -> str:
        raise NotImplementedError

    def has_fired(self, my_task):
        engine = my_task.workflow.script_engine
        internal = my_task.internal_data
        now = _now(engine)
        if internal.get("event_value") is None:
            internal["event_value"] = self.due(engine, my_task, now)
        if moment(internal["event_value"], _zone(engine)) <= now:
            internal["event_fired"] = True
        return internal.get("event_fired", False)


class ClockedTimeDate(OneShotTimer, TimeDateEventDefinition):
    """A `timeDate` timer on the engine's clock and zone."""

    def due(self, engine, my_task, now: datetime) -> str:
        value = timer_value(engine.evaluate(my_task, self.expression))
        _bounded(moment(value, _zone(engine)), now)
        return value


class ClockedDuration(OneShotTimer, DurationTimerEventDefinition):
    """A `timeDuration` timer: due one duration (on the task's calendar) after it is reached."""

    def due(self, engine, my_task, now: datetime) -> str:
        parsed = parse_iso_duration(timer_value(engine.evaluate(my_task, self.expression)))
        return _bounded(_due_after(engine, my_task, now, parsed), now).isoformat()


CATCH_UP = 10   # a cycle late by more occurrences than this fires once for all of them


class ClockedCycle(CycleTimerEventDefinition):
    """A `timeCycle` timer (`R3/2023-07-10T09:00/P1D`, `R/P1W`, `R2/P1D/2023-07-20`) on the engine's clock.

    A cycle that falls behind (no tick for a while) fires each missed occurrence, up to `CATCH_UP`;
    further behind, it fires once and counts the missed occurrences as run, so `R/PT1S` a day late
    is one firing, not 86,400 within one tick (issue 13)."""

    def cycle_complete(self, my_task):
        engine = my_task.workflow.script_engine
        internal = my_task.internal_data
        now = _now(engine)
        value = internal.get("event_value")
        if value is None:
            text = timer_value(engine.evaluate(my_task, self.expression))
            cycles, start, duration = self.recurring(engine, my_task, text, now)
            if duration <= timedelta(0):   # R/PT0S would fire forever within one tick
                raise ValueError(f"the cycle {text!r} has a period of {duration}: it must be positive")
            _bounded(start, now)
            value = {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
        ready = False
        if value["cycles"] != 0:
            due = datetime.fromisoformat(value["next"])
            if due <= now:
                period = timedelta(seconds=value["duration"])
                missed = (now - due) // period + 1   # occurrences due by now, this one included
                if missed > CATCH_UP:   # `R/PT1S` a day late: fire once, the rest count as run
                    ran = missed if value["cycles"] < 0 else min(missed, value["cycles"])
                else:
                    ran = 1
                value["next"] = (due + ran * period).isoformat()
                value["cycles"] -= ran if value["cycles"] > 0 else 0
                ready = True
        else:  # every cycle has run: as the library, the value goes and comes back after the flag
            internal.pop("event_value", None)
            internal["event_fired"] = True
        internal["event_value"] = value
        return ready

    @staticmethod
    def recurring(engine, task, expression: str, now: datetime) -> tuple:
        """(cycles, first instant, period) of an ISO recurring interval; with a period alone the first
        instant is one period (on the task's calendar) from `now`."""
        zone = _zone(engine)
        parts = expression.upper().replace("--", "/").strip("R").split("/")
        cycles = int(parts[0]) if parts[0] else -1
        first = _time_or_duration(parts[1], zone)
        second = _time_or_duration(parts[2], zone) if len(parts) == 3 else None
        if isinstance(first, datetime) and isinstance(second, dict):
            return cycles, first, timedelta_from_start(second, first)
        if isinstance(first, dict) and isinstance(second, datetime):
            duration = TimerEventDefinition.get_timedelta_from_end(dict(first), second)
            return cycles, second - duration, duration
        if isinstance(first, dict) and second is None:
            return cycles, _due_after(engine, task, now, first), timedelta_from_start(first, now)
        raise ValueError(f"invalid recurring interval: {expression!r}")


CLOCKED = {TimeDateEventDefinition: ClockedTimeDate, DurationTimerEventDefinition: ClockedDuration,
           CycleTimerEventDefinition: ClockedCycle}


def _converter(typename: str):
    class Converter(TimerConditionalEventDefinitionConverter):
        """The library's timer converter, restoring `typename` as the clocked class."""

        def __init__(self, target_class, registry):
            super().__init__(target_class, registry, typename)

    Converter.__name__ = f"Clocked{typename}Converter"
    return Converter


def converters() -> dict:
    """`BpmnWorkflowSerializer.configure` entries: each clocked class under its library typename."""
    return {clocked: _converter(base.__name__) for base, clocked in CLOCKED.items()}


# -- reading timers ---------------------------------------------------------------------------------

def timer_definition(task):
    """The task's timer event definition, or None."""
    definition = getattr(task.task_spec, "event_definition", None)
    return definition if isinstance(definition, TimerEventDefinition) else None


def timer_kind(definition) -> str:
    if isinstance(definition, CycleTimerEventDefinition):
        return "cycle"
    if isinstance(definition, DurationTimerEventDefinition):
        return "duration"
    return "date"


def due_of(task) -> datetime | None:
    """The instant a waiting timer task is due, in UTC (None: not reached, or no cycle left)."""
    return timer_due(task.internal_data.get("event_value"), _zone(task.workflow.script_engine))
