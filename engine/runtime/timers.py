"""Timers as phasegate schedules them: exact due instants from the engine's clock, in its time zone,
on a chosen calendar, and a due time for every waiting timer and every open user task.

The timers themselves (`engine/spiff/timers.py`) read the clock, the zone and `due_after` from the
script engine of the workflow that runs them: the runner gives each engine's script engine its own.
A timer's due instant is fixed when it is first reached: `due_after` counts its duration on the
calendar the designer chose for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from engine.runtime.calendars import calendar_named


def due_of(task) -> datetime | None:
    """The instant a waiting timer task is due, in UTC."""
    from engine.spiff import due_of

    return due_of(task)


@dataclass
class WaitingTimer:
    """A timer an instance waits on."""

    task_guid: str
    task_id: str
    name: str
    kind: str           # date | duration | cycle
    due_at: datetime    # UTC
    host_task_id: str | None
    lane: str | None
    interrupting: bool


def _calendar_of(spec) -> str | None:
    return (getattr(spec, "extensions", None) or {}).get("properties", {}).get("calendar")


def waiting_timer_tasks(workflow) -> list:
    from engine.spiff import TaskState, timer_definition

    return [t for t in workflow.get_tasks(state=TaskState.WAITING) if timer_definition(t) is not None]


def due_after(task, start: datetime, parsed: dict) -> datetime:
    """`start` plus a parsed ISO duration, whole days counted on the calendar of `task`'s timer
    (what each engine's script engine answers its timers with)."""
    return _after(start, parsed, calendar_named(_calendar_of(task.task_spec)))


def _after(now: datetime, parsed: dict, calendar) -> datetime:
    """`now` plus a parsed ISO duration; whole days are counted on `calendar`."""
    from engine.spiff import timedelta_from_start

    parsed = dict(parsed)
    days = parsed.pop("days", 0) + 7 * parsed.pop("weeks", 0)
    if calendar.name != "calendar" and isinstance(days, int):
        start = calendar.add_days(now, days)
        return start + timedelta_from_start(parsed, start)
    parsed["days"] = days
    return now + timedelta_from_start(parsed, now)


def waiting_timers(workflow, tasks: list | None = None) -> list[WaitingTimer]:
    """Every timer the workflow waits on, with its due instant and the task it is attached to.

    `tasks`: the workflow's waiting timer tasks when the caller has them (`runner.scan`)."""
    from engine.spiff import timer_definition, timer_kind

    timers = []
    for task in waiting_timer_tasks(workflow) if tasks is None else tasks:
        due = due_of(task)
        if due is None:
            continue
        spec = task.task_spec
        host = getattr(spec, "attached_to", None) or _host_of(task)
        timers.append(WaitingTimer(
            task_guid=str(task.id), task_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
            kind=timer_kind(timer_definition(task)), due_at=due,
            host_task_id=getattr(host, "bpmn_id", None) if host is not None else None,
            lane=getattr(spec, "lane", None),
            interrupting=bool(getattr(spec, "cancel_activity", False)),
        ))
    return timers


def _host_of(task):
    """For a boundary event: the activity it sits on (its sibling under the BoundaryEventSplit)."""
    from engine.spiff import BoundaryEventSplit, timer_definition

    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    for sibling in parent.children:
        if sibling is not task and timer_definition(sibling) is None and getattr(sibling.task_spec, "manual", False):
            return sibling.task_spec
    return None


def task_due_times(workflow, tasks: list | None = None) -> dict[str, datetime]:
    """READY user task guid → the earliest due instant of the timers on its boundary.

    `tasks`: the workflow's waiting timer tasks when the caller has them (`runner.scan`)."""
    result: dict[str, datetime] = {}
    for task in waiting_timer_tasks(workflow) if tasks is None else tasks:
        parent = task.parent
        due = due_of(task)
        if parent is None or due is None:
            continue
        for sibling in parent.children:
            if sibling is task or not getattr(sibling.task_spec, "manual", False):
                continue
            key = str(sibling.id)
            result[key] = min(result.get(key, due), due)
    return result


def parse_within(text: str) -> timedelta:
    """`2d`, `36h`, `90m`, `1w` or an ISO duration like `P2D`, as a timedelta."""
    text = text.strip()
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if text[:-1].isdigit() and text[-1:].lower() in units:
        return timedelta(**{units[text[-1].lower()]: int(text[:-1])})
    from engine.spiff import parse_iso_duration, timedelta_from_start

    return timedelta_from_start(parse_iso_duration(text), datetime.now(timezone.utc))
