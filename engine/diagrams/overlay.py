"""Marks that show an instance on its diagram: completed path, READY tasks and their lane, waiting
timers with their due time, overdue ones in red.

Takes what `Engine.show()` returns (ready / waiting / completed steps with `task_id`); a waiting step
may carry `due_at` (ISO 8601, or None when the engine does not know it).
"""

from __future__ import annotations

from datetime import datetime, timezone

from engine.bpmn.model import Model
from engine.diagrams.marks import Mark

DONE = Mark(color="#2e7d32", fill="#e8f5e9", penwidth=2.0, css="completed")
READY = Mark(color="#1565c0", fill="#e3f2fd", penwidth=3.0, css="ready")
WAITING = Mark(color="#ef6c00", fill="#fff3e0", penwidth=2.5, css="waiting")
OVERDUE = Mark(color="#c62828", fill="#ffebee", penwidth=3.0, css="overdue")
LEGEND = [("已完成 completed", DONE), ("待办 READY", READY), ("等待中 waiting (due)", WAITING),
          ("已逾期 overdue", OVERDUE)]


def _get(step, key: str):
    return step.get(key) if isinstance(step, dict) else getattr(step, key, None)


def _parse(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def instance_marks(model: Model, detail, now: datetime | None = None, zone=None) -> dict[str, Mark]:
    """Marks for one instance; `detail` is an InstanceDetail (or its JSON dict), `now` decides overdue;
    due times are written in `zone` (a tzinfo; UTC when None)."""
    now = _parse(now) or datetime.now(timezone.utc)
    marks: dict[str, Mark] = {}
    completed = [_get(s, "task_id") for s in _get(detail, "completed") or []]
    for task_id in completed:
        if task_id in model.nodes:
            marks[task_id] = Mark(**DONE.__dict__)
    for step in _get(detail, "waiting") or []:
        task_id = _get(step, "task_id")
        if task_id not in model.nodes:
            continue
        due = _parse(_get(step, "due_at"))
        base = OVERDUE if due is not None and due < now else WAITING
        note = "等待" if due is None else ("逾期 · 应于 " if base is OVERDUE else "到期 ") + (due.astimezone(zone) if zone else due).strftime("%Y-%m-%d %H:%M")
        marks[task_id] = Mark(**{**base.__dict__, "note": note})
    for step in _get(detail, "ready") or []:
        task_id = _get(step, "task_id")
        if task_id in model.nodes:
            lane = _get(step, "lane") or (model.lanes[model.nodes[task_id].lane].name
                                          if model.nodes[task_id].lane in model.lanes else "")
            marks[task_id] = Mark(**{**READY.__dict__, "note": "READY · " + lane if lane else "READY"})
            lane_id = model.nodes[task_id].lane
            if lane_id:
                marks[lane_id] = Mark(color=READY.color, fill="#e3f2fd", note="待办", css="ready")
    reached = set(completed) | set(marks)
    for flow in model.flows.values():
        if flow.kind == "sequence" and flow.source in completed and flow.target in reached:
            marks[flow.id] = Mark(color=DONE.color, penwidth=2.5, css="completed")
    return marks
