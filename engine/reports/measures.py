"""Durations between audit events, percentiles and overdue counts, computed from audit rows.

An `Event` is one audit row with its instant parsed. What an event means (an inquiry answered, a
phase entered) is the caller's: it passes predicates (`Match`) naming actions and task ids. Nothing
here reads the store; `Engine.process_audit` hands the rows in.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Event:
    """One audit row: when, who, what, on which task of which instance, with which data."""

    instance_id: int | None
    at: datetime
    action: str
    task_id: str | None = None
    actor: str = ""
    data: dict = field(default_factory=dict)


def events_from(rows: Iterable) -> list[Event]:
    """Events from audit rows (store dicts with `data_json`, or views with `data`), oldest first."""
    found = []
    for row in rows:
        get = row.get if isinstance(row, dict) else (lambda key, r=row: getattr(r, key, None))
        data = get("data")
        if data is None:
            data = json.loads(get("data_json") or "{}")
        found.append(Event(instance_id=get("instance_id"), at=datetime.fromisoformat(get("at")),
                           action=get("action"), task_id=get("task_id"), actor=get("actor") or "", data=data))
    return sorted(found, key=lambda e: e.at)


@dataclass(frozen=True)
class Match:
    """Which events count: an action, optionally only some task ids and a test of the event."""

    action: str = "complete"
    task_ids: frozenset[str] | None = None
    where: Callable[[Event], bool] | None = None

    def __call__(self, event: Event) -> bool:
        return (event.action == self.action and (self.task_ids is None or event.task_id in self.task_ids)
                and (self.where is None or self.where(event)))


def completed(*task_ids: str, where: Callable[[Event], bool] | None = None) -> Match:
    """The completion of any of `task_ids`."""
    return Match("complete", frozenset(task_ids), where)


def by_instance(events: Iterable[Event]) -> dict[int, list[Event]]:
    grouped: dict[int, list[Event]] = {}
    for event in events:
        if event.instance_id is not None:
            grouped.setdefault(event.instance_id, []).append(event)
    return grouped


def hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


@dataclass(frozen=True)
class Span:
    """From one event to the first matching event after it (`end` None while still open)."""

    instance_id: int | None
    start: datetime
    end: datetime | None
    start_event: Event
    end_event: Event | None

    def hours(self, now: datetime | None = None) -> float | None:
        until = self.end or now
        return hours(self.start, until) if until else None


def spans(events: Iterable[Event], start: Match, end: Match, *, once: bool = True) -> list[Span]:
    """Per instance, each `start` event and the first `end` event from it on (the start itself when it
    matches `end` too: a step that ends what it starts takes no time). With `once`, only the
    instance's first `start`; otherwise every start opens its own span."""
    found = []
    for instance_id, stream in by_instance(events).items():
        starts = [i for i, e in enumerate(stream) if start(e)]
        for index in starts[:1] if once else starts:
            closing = next((e for e in stream[index:] if end(e)), None)
            found.append(Span(instance_id, stream[index].at, closing.at if closing else None, stream[index], closing))
    return found


@dataclass(frozen=True)
class FollowUp:
    """An event that asks for a follow-up within `limit`, and whether the follow-up came in time."""

    span: Span
    limit: timedelta

    @property
    def due(self) -> datetime:
        return self.span.start + self.limit

    def on_time(self, now: datetime) -> bool | None:
        """True when followed up by the due time; False when late or still missing after it; None
        while still open and not yet due."""
        if self.span.end is not None:
            return self.span.end <= self.due
        return False if now > self.due else None


def follow_ups(events: Iterable[Event], trigger: Match, answer: Match, limit: timedelta) -> list[FollowUp]:
    """Every `trigger` paired with the first `answer` after it, due within `limit`."""
    return [FollowUp(span, limit) for span in spans(events, trigger, answer, once=False)]


def percentile(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (0–100) by linear interpolation between closest ranks; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    p90: float | None
    maximum: float | None


def summarize(values: Iterable[float]) -> Summary:
    """Count, mean, 90th percentile and maximum."""
    values = list(values)
    if not values:
        return Summary(0, None, None, None)
    return Summary(len(values), sum(values) / len(values), percentile(values, 90), max(values))


def count_by_task(events: Iterable[Event], action: str) -> Counter:
    """How many events of `action` each task id has (e.g. timers that fired, per timer)."""
    return Counter(e.task_id for e in events if e.action == action)


@dataclass(frozen=True)
class Stage:
    """A named stretch of an instance: from its first `start` event to its first `end` after it."""

    name: str
    start: Match
    end: Match


def stage_spans(events: Iterable[Event], stages: Iterable[Stage]) -> list[tuple[str, Span]]:
    """For each stage and each instance that entered it, its span (end None while in the stage)."""
    events = list(events)
    return [(stage.name, span) for stage in stages for span in spans(events, stage.start, stage.end)]
