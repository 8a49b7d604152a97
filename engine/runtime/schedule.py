"""An instance's schedule rows: its open user tasks (with due times) and its waiting timers.

The task and timer tables hold these rows so that `tasks`, `deadlines` and `tick` read them without
loading instances. After every save the rows are computed from the workflow and only those that
differ from what the tables hold are written.
"""

from __future__ import annotations

from engine.runtime.runner import Scan, scan
from engine.store.listings import iso


def schedule_rows(workflow, process_id: str, now: str, found: Scan, before: dict) -> dict:
    """The rows the task and timer tables should hold for `workflow`: {"open_tasks": {guid: row},
    "timers": {guid: row}}. `before`: the rows they hold now (a task keeps its ready time, and a due
    time passed stays visible after its timer fired)."""
    from engine.runtime.timers import task_due_times, waiting_timers

    previous = before.get("open_tasks", {})
    dues = task_due_times(workflow, found.timers)
    tasks = {}
    for view in found.ready_views():
        guid = view["task_guid"]
        earlier = previous.get(guid, {})
        due = iso(dues[guid]) if guid in dues else None
        if earlier.get("due_at") and (due is None or earlier["due_at"] < due):
            due = earlier["due_at"]  # a due time passed stays visible after its timer fired
        tasks[guid] = {"task_guid": guid, "task_id": view["task_id"], "name": view["name"], "lane": view["lane"],
                       "process_id": process_id, "ready_at": earlier.get("ready_at", now), "due_at": due}
    timers = {t.task_guid: {"task_guid": t.task_guid, "task_id": t.task_id, "name": t.name, "kind": t.kind,
                            "due_at": iso(t.due_at), "attached_to": t.host_task_id, "lane": t.lane,
                            "interrupting": int(bool(t.interrupting)), "process_id": process_id}
              for t in waiting_timers(workflow, found.timers)}
    return {"open_tasks": tasks, "timers": timers}


def save_schedule(store, instance_id: int, workflow, process_id: str, now: str, found: Scan | None = None,
                  before: dict | None = None) -> dict:
    """Write the instance's schedule rows, only those that changed; returns the rows the tables now hold.

    Args:
        found: the workflow's current scan (`runner.scan`) when the caller has it.
        before: the rows the tables hold now when the caller knows them (read from the store if not).
    """
    found = found or scan(workflow)
    if before is None:
        before = store.schedule_rows(instance_id)
    after = schedule_rows(workflow, process_id, now, found, before)
    store.write_schedule(instance_id, before, after)
    return after
