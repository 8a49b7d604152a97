"""Timers as phasegate schedules them: exact due instants from the injected clock, in a time zone,
on a chosen calendar, and a due time for every waiting timer and every open user task.

SpiffWorkflow computes a timer's due time when the timer is first reached and then compares it
with `datetime.now()` strictly (`due < now`). phasegate's clock (see `spiffcompat.install_clock`)
reads one microsecond ahead so a timer fires *at* its instant, and `schedule()` rewrites each newly
reached timer's due time from the true instant, the timer's calendar and the configured zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from engine.runtime.calendars import calendar_named

SCHEDULED = "phasegate_scheduled"


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


def _timer_definition(task):
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    definition = getattr(task.task_spec, "event_definition", None)
    return definition if isinstance(definition, TimerEventDefinition) else None


def _kind(definition) -> str:
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition,
                                                                   DurationTimerEventDefinition)

    if isinstance(definition, CycleTimerEventDefinition):
        return "cycle"
    if isinstance(definition, DurationTimerEventDefinition):
        return "duration"
    return "date"


def _calendar_of(spec) -> str | None:
    return (getattr(spec, "extensions", None) or {}).get("properties", {}).get("calendar")


def waiting_timer_tasks(workflow) -> list:
    from SpiffWorkflow.util.task import TaskState

    return [t for t in workflow.get_tasks(state=TaskState.WAITING) if _timer_definition(t) is not None]


def schedule(workflow, now: datetime, tasks: list | None = None) -> None:
    """Fix the due instant of every timer reached in this command (idempotent).

    `tasks`: the workflow's waiting timer tasks when the caller has them (`runner.scan`)."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    for task in waiting_timer_tasks(workflow) if tasks is None else tasks:
        if task._get_internal_data(SCHEDULED):
            continue
        definition = _timer_definition(task)
        kind = _kind(definition)
        value = task._get_internal_data("event_value")
        if value is None:
            continue
        calendar = calendar_named(_calendar_of(task.task_spec))
        expression = workflow.script_engine.evaluate(task, definition.expression)
        if kind == "duration":
            due = _after(now, TimerEventDefinition.parse_iso_duration(expression), calendar)
            task._set_internal_data(event_value=due.isoformat())
        elif kind == "cycle" and isinstance(value, dict):
            cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(expression)
            components = expression.upper().strip("R").split("/")
            if len(components) == 2 and components[1].startswith("P"):  # R/P1W: the first is one period from now
                start = _after(now, TimerEventDefinition.parse_iso_duration(components[1]), calendar)
            task._set_internal_data(event_value={**value, "next": start.isoformat()})
        task._set_internal_data(**{SCHEDULED: True})


def _after(now: datetime, parsed: dict, calendar) -> datetime:
    """`now` plus a parsed ISO duration; whole days are counted on `calendar`."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    parsed = dict(parsed)
    days = parsed.pop("days", 0) + 7 * parsed.pop("weeks", 0)
    if calendar.name != "calendar" and isinstance(days, int):
        start = calendar.add_days(now, days)
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    parsed["days"] = days
    return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)


def due_of(task) -> datetime | None:
    """The instant a waiting timer task is due, in UTC."""
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(value, dict):
        if value.get("cycles", 0) == 0:
            return None
        value = value.get("next")
    try:
        from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

        return TimerEventDefinition.get_datetime(value).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return None


def waiting_timers(workflow, tasks: list | None = None) -> list[WaitingTimer]:
    """Every timer the workflow waits on, with its due instant and the task it is attached to.

    `tasks`: the workflow's waiting timer tasks when the caller has them (`runner.scan`)."""
    timers = []
    for task in waiting_timer_tasks(workflow) if tasks is None else tasks:
        due = due_of(task)
        if due is None:
            continue
        spec = task.task_spec
        host = getattr(spec, "attached_to", None) or _host_of(task)
        timers.append(WaitingTimer(
            task_guid=str(task.id), task_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
            kind=_kind(_timer_definition(task)), due_at=due,
            host_task_id=getattr(host, "bpmn_id", None) if host is not None else None,
            lane=getattr(spec, "lane", None),
            interrupting=bool(getattr(spec, "cancel_activity", False)),
        ))
    return timers


def _host_of(task):
    """For a boundary event: the activity it sits on (its sibling under the BoundaryEventSplit)."""
    from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit

    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    for sibling in parent.children:
        if sibling is not task and _timer_definition(sibling) is None and getattr(sibling.task_spec, "manual", False):
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
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    text = text.strip()
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if text[:-1].isdigit() and text[-1:].lower() in units:
        return timedelta(**{units[text[-1].lower()]: int(text[:-1])})
    parsed = TimerEventDefinition.parse_iso_duration(text)
    return TimerEventDefinition.get_timedelta_from_start(parsed, datetime.now(timezone.utc))
