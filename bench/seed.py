"""Stores holding a year of after-service-loop instances (1k, 10k, 100k), seeded in seconds.

Nine template instances are run for real through the engine: one stopped after each number of
completed user tasks (0-7) and one completed. Every other instance is a clone of one template's rows
(instance state, open tasks, timers, audit), with fresh task guids and every instant shifted to the
clone's start, written with bulk inserts (`Store.insert_rows`). Starts are spread evenly over the year
that ends two hours ago; the newest `RUNNING_SHARE` of them are still running, spread over the eight
open steps, the rest completed.
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from .workloads import PROCESS, STEPS, form_values

RUNNING_SHARE = 0.01
COLUMNS = {  # the order of each table's columns in the tuples `Template.clone` makes
    "instances": ("id", "model_version_id", "process_id", "status", "revision", "started_by", "started_at",
                  "updated_at", "serializer_version", "state_json"),
    "open_tasks": ("instance_id", "task_guid", "task_id", "name", "lane", "process_id", "ready_at", "due_at"),
    "timers": ("instance_id", "task_guid", "task_id", "name", "kind", "due_at", "attached_to", "lane",
               "interrupting", "process_id"),
    "audit": ("at", "actor", "instance_id", "task_id", "task_guid", "action", "revision", "data_json"),
}
STEP_GAP = timedelta(minutes=10)
YEAR = timedelta(days=365)

_PATTERN = re.compile(
    r"(?P<guid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r'|(?P<lsc>"last_state_change":)(?P<epoch>[0-9.]+)'
    r"|(?P<instant>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+00:00)")


def _shift_iso(text: str | None, delta: timedelta) -> str | None:
    if text is None:
        return None
    moved = datetime.fromisoformat(text) + delta
    return moved.isoformat(timespec="microseconds" if "." in text else "seconds")


def build_templates(folder: Path, t0: datetime) -> tuple[Path, list["Template"]]:
    """A store with the nine template instances, and each one's rows."""
    from engine.api import Engine
    from engine.clock import FakeClock
    from processes.programme import build
    from processes.samples import ACTORS

    path = folder / "template.db"
    clock = FakeClock(t0)
    engine = Engine.open(path, build(), clock)
    values = form_values(engine.programme)
    templates = []
    for stage in range(len(STEPS) + 1):
        clock.set(t0)
        instance = engine.start(PROCESS, ACTORS["客户"], {}).id
        for step in STEPS[:stage]:
            clock.advance(STEP_GAP)
            (task,) = [t for t in engine.tasks(every_lane=True, instance_id=instance) if t.task_id == step]
            engine.complete(instance, step, values[step], ACTORS[task.lane])
        store = engine.store
        templates.append({
            "instance": store.instance(instance, with_state=True),
            "open_tasks": store.open_tasks(instance_id=instance),
            "timers": sorted(store.schedule_rows(instance)["timers"].values(), key=lambda t: t["due_at"]),
            "audit": store.audit(instance),
        })
    assert templates[-1]["instance"]["status"] == "completed"
    engine.store.close()
    return path, [Template(rows) for rows in templates]


def _new_guid() -> str:
    text = "%032x" % random.getrandbits(128)
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{'89ab'[int(text[16], 16) & 3]}{text[17:20]}-{text[20:]}"


class Template:
    """One template instance's rows, its state text split once into literal pieces and the task guids
    and instants that differ in every clone (so a clone costs a join, not a regex pass)."""

    def __init__(self, rows: dict):
        self.rows = rows
        self.guid_index: dict[str, int] = {}
        self.parts: list[tuple[int, object]] = []
        text, at = rows["instance"]["state_json"], 0
        for match in _PATTERN.finditer(text):
            self.parts.append((0, text[at:match.start()]))
            at = match.end()
            if match.group("guid"):
                self.parts.append((1, self.guid_index.setdefault(match.group("guid"), len(self.guid_index))))
            elif match.group("lsc"):
                self.parts.append((0, match.group("lsc")))
                self.parts.append((2, float(match.group("epoch"))))
            else:
                instant = match.group("instant")
                self.parts.append((3, (datetime.fromisoformat(instant), "." in instant)))
        self.parts.append((0, text[at:]))

    def clone(self, new_id: int, delta: timedelta) -> dict[str, list[tuple]]:
        """The template's rows as a new instance `new_id` started `delta` after the template."""
        fresh = [_new_guid() for _ in range(len(self.guid_index))]
        seconds = delta.total_seconds()
        pieces = []
        for kind, value in self.parts:
            if kind == 0:
                pieces.append(value)
            elif kind == 1:
                pieces.append(fresh[value])
            elif kind == 2:
                pieces.append(repr(value + seconds))
            else:
                instant, micro = value
                pieces.append((instant + delta).isoformat(timespec="microseconds" if micro else "seconds"))
        state = "".join(pieces)

        def guid(old):
            return fresh[self.guid_index[old]] if old in self.guid_index else old

        rows = self.rows
        row = rows["instance"]
        return {
            "instances": [(new_id, row["model_version_id"], row["process_id"], row["status"], row["revision"],
                           row["started_by"], _shift_iso(row["started_at"], delta),
                           _shift_iso(row["updated_at"], delta), row["serializer_version"], state)],
            "open_tasks": [(new_id, guid(t["task_guid"]), t["task_id"], t["name"], t["lane"], t["process_id"],
                            _shift_iso(t["ready_at"], delta), _shift_iso(t["due_at"], delta))
                           for t in rows["open_tasks"]],
            "timers": [(new_id, guid(t["task_guid"]), t["task_id"], t["name"], t["kind"],
                        _shift_iso(t["due_at"], delta), t["attached_to"], t["lane"], t["interrupting"],
                        t["process_id"]) for t in rows["timers"]],
            "audit": [(_shift_iso(a["at"], delta), a["actor"], new_id, a["task_id"], guid(a["task_guid"]),
                       a["action"], a["revision"], a["data_json"]) for a in rows["audit"]],
        }


def seed_store(path: Path, template_db: Path, templates: list[Template], t0: datetime, size: int, end: datetime,
               batch: int = 5000) -> dict:
    """A store of `size` instances: the nine templates plus clones; returns what it holds."""
    from engine.store.store import Store

    shutil.copyfile(template_db, path)
    store = Store(path)
    first_id = len(templates) + 1
    clones = size - len(templates)
    running_from = clones - max(int(size * RUNNING_SHARE), len(STEPS))
    step = YEAR / clones
    start_of_year = end - YEAR
    pending: dict[str, list[tuple]] = {"instances": [], "open_tasks": [], "timers": [], "audit": []}
    running = 0
    for k in range(clones):
        started = start_of_year + step * k
        stage = (k % len(STEPS)) if k >= running_from else len(STEPS)
        running += stage < len(STEPS)
        rows = templates[stage].clone(first_id + k, started - t0)
        for table, items in rows.items():
            pending[table].extend(items)
        if len(pending["instances"]) >= batch or k == clones - 1:
            for table in ("instances", "open_tasks", "timers", "audit"):
                store.insert_rows(table, COLUMNS[table], pending[table])
                pending[table] = []
    store.checkpoint()
    store.close()
    return {"instances": size, "running": running + len(templates) - 1, "bytes": path.stat().st_size}
