"""What the programme measures from the engine's audit log, in its own terms: inquiry response times
of the service loops, timers that fired (overdue), rollbacks and their 复盘报告, time in each phase
and gate. The arithmetic is engine/reports/measures.py; which task marks what is said here."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.errors import UnknownProcess
from engine.reports.measures import (Event, Match, Stage, completed, count_by_task, events_from, follow_ups, spans,
                                     stage_spans, summarize)

from . import targets

PROCESS = "business_adjustment"
SERVICE_LOOPS = {"service_loop_before": "调整前", "service_loop_after": "调整后"}
ROLLBACKS = ("rollback_batch", "pilot_rollback")   # a local rollback, in the rollout or in the pilot
REVIEW_REPORTS = ("review_report", "pilot_review_report")
TIMER_NAMES = {"weekly_review_reminder": "复盘会提醒", "monthly_report_overdue": "成效报告逾期",
               "review_report_overdue": "复盘报告逾期", "answer_overdue": "咨询2小时未响应",
               "pilot_review_overdue": "试点复盘报告逾期", "restore_overdue": "系统故障恢复逾期",
               "handle_overdue": "投诉激增处置逾期", "await_pilot_window": "试点窗口开启",
               "await_rollout_window": "推广窗口开启"}
# timers that open a window or keep a schedule: not something late
WINDOWS = {"await_pilot_window", "await_pilot_end", "await_rollout_window", "expert_rotation_due"}


def _approved(event: Event) -> bool:
    return event.data.get("draft_decision") == "approve"


def _last_batch(event: Event) -> bool:
    return event.data.get("batch_status") == "stable" and not event.data.get("more_batches")


STAGES = (
    Stage("准备阶段", Match("start"), completed("review_draft", where=_approved)),
    Stage("关口1 管理层审议", completed("draft_proposal"), completed("review_draft", where=_approved)),
    Stage("试点阶段（含验收）", completed("review_draft", where=_approved), Match("timer", frozenset({"await_rollout_window"}))),
    Stage("全面推广阶段", Match("timer", frozenset({"await_rollout_window"})), completed("batch_check", where=_last_batch)),
    Stage("月度跟踪与年度总结", completed("batch_check", where=_last_batch), completed("yearly_summary")),
)


def _until(rows, end: datetime | None) -> list[Event]:
    found = events_from(rows)
    return [e for e in found if end is None or e.at <= end]


def response_times(engine, until: datetime | None, now: datetime) -> list[dict]:
    """Per service loop: inquiries answered, mean and p90 hours from submission to the answer, the
    share answered within 2 h, and inquiries still unanswered. A simple inquiry the smart-answer
    service resolved is answered when it is submitted (the service task runs in that same step)."""
    found = []
    for process_id, label in SERVICE_LOOPS.items():
        try:
            events = _until(engine.process_audit(process_id), until)
        except UnknownProcess:  # a models folder without this loop: nothing to measure
            continue
        humans = {e.instance_id for e in events if e.task_id == "answer_inquiry"}
        automatic = {e.instance_id for e in events if e.task_id == "submit_inquiry" and e.instance_id not in humans
                     and e.data.get("inquiry_kind") == "simple" and _smart_resolved(engine, e.instance_id)}
        end = Match("complete", None, lambda e: e.task_id == "answer_inquiry" or (
            e.task_id == "submit_inquiry" and e.instance_id in automatic))
        pairs = spans(events, completed("submit_inquiry"), end)
        done = [s.hours() for s in pairs if s.end is not None]
        waiting = [s.hours(until or now) for s in pairs if s.end is None]
        stats = summarize(done)
        found.append({"loop": label, "process_id": process_id, "answered": stats.count, "mean_hours": stats.mean,
                      "p90_hours": stats.p90, "max_hours": stats.maximum,
                      "within_target": sum(1 for h in done if h <= targets.RESPONSE_HOURS_MAX),
                      "unanswered": len(waiting), "oldest_unanswered_hours": max(waiting) if waiting else None,
                      "meets_target": stats.mean is not None and stats.mean <= targets.RESPONSE_HOURS_MAX})
    return found


def _smart_resolved(engine, instance_id: int) -> bool:
    """Whether the smart-answer service resolved the inquiry itself (its result, kept in the instance)."""
    return any(isinstance(value, dict) and value.get("resolved") is True
               for _, value in engine.values_of(instance_id, "smart_reply"))


def overdue(engine, until: datetime | None) -> list[dict]:
    """Timers that fired because something was late (not the windows that open a phase), per timer."""
    counts = {}
    for process_id in (PROCESS, *SERVICE_LOOPS):
        try:
            rows = engine.process_audit(process_id, ("timer",))
        except UnknownProcess:
            continue
        for task_id, n in count_by_task(_until(rows, until), "timer").items():
            if task_id not in WINDOWS:
                counts[task_id] = counts.get(task_id, 0) + n
    return [{"timer": task_id, "name": TIMER_NAMES.get(task_id, task_id), "fired": n}
            for task_id, n in sorted(counts.items(), key=lambda item: -item[1])]


def rollbacks(events: list[Event], now: datetime) -> list[dict]:
    """Each local rollback and whether its 复盘报告 came within 3 calendar days."""
    found = []
    limit = timedelta(days=targets.REVIEW_REPORT_DAYS)
    for follow in follow_ups(events, completed(*ROLLBACKS), completed(*REVIEW_REPORTS), limit):
        span = follow.span
        found.append({"rollback": span.start_event.task_id, "at": span.start.isoformat(),
                      "scope": span.start_event.data.get("rollback_scope", ""),
                      "due": follow.due.isoformat(), "reported": span.end.isoformat() if span.end else None,
                      "hours": span.hours(), "on_time": follow.on_time(now)})
    return found


def stages(events: list[Event], now: datetime) -> list[dict]:
    """Days spent in each phase and gate (still open: days so far)."""
    return [{"stage": name, "start": span.start.isoformat(), "end": span.end.isoformat() if span.end else None,
             "days": span.hours(now) / 24, "open": span.end is None}
            for name, span in stage_spans(events, STAGES)]


def programme_events(engine, instance_id: int, until: datetime | None) -> list[Event]:
    return [e for e in _until(engine.process_audit(PROCESS), until) if e.instance_id == instance_id]
