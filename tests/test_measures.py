"""The engine's own arithmetic on audit rows: spans between events, percentiles, follow-ups kept or late."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.reports.measures import Match, completed, events_from, follow_ups, percentile, spans, summarize


def row(instance, at, task, action="complete", **data):
    return {"instance_id": instance, "at": at, "action": action, "task_id": task, "actor": "x", "data": data}


ROWS = [row(1, "2024-01-15T01:00:00+00:00", "submit"), row(1, "2024-01-15T04:00:00+00:00", "answer"),
        row(2, "2024-01-15T01:00:00+00:00", "submit", auto=True),
        row(3, "2024-01-15T02:00:00+00:00", "submit")]


def test_a_span_runs_from_its_start_to_the_first_end_and_a_self_ending_step_takes_no_time():
    events = events_from(ROWS)
    end = Match("complete", None, lambda e: e.task_id == "answer" or e.data.get("auto") is True)
    found = {s.instance_id: s for s in spans(events, completed("submit"), end)}
    assert found[1].hours() == 3.0
    assert found[2].hours() == 0.0
    assert found[3].end is None
    assert found[3].hours(datetime(2024, 1, 15, 3, 30, tzinfo=timezone.utc)) == 1.5


def test_percentiles_interpolate_between_ranks_and_empty_has_none():
    assert percentile([0.5, 1, 3], 90) == 2.6
    assert percentile([4], 90) == 4 and percentile([], 50) is None
    assert summarize([1, 2, 3, 10]).mean == 4 and summarize([]).count == 0


def test_a_follow_up_is_on_time_late_or_not_yet_due():
    rows = [row(1, "2024-01-02T01:00:00+00:00", "rollback"), row(1, "2024-01-06T01:00:00+00:00", "report"),
            row(2, "2024-01-02T01:00:00+00:00", "rollback"), row(2, "2024-01-04T01:00:00+00:00", "report"),
            row(3, "2024-01-02T01:00:00+00:00", "rollback")]
    found = {f.span.instance_id: f for f in follow_ups(events_from(rows), completed("rollback"), completed("report"),
                                                       timedelta(days=3))}
    now = datetime(2024, 1, 4, 12, tzinfo=timezone.utc)
    assert (found[1].on_time(now), found[2].on_time(now), found[3].on_time(now)) == (False, True, None)
    assert found[3].on_time(now + timedelta(days=1)) is False
