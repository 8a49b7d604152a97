"""A workflow's steps read from the JSON the store keeps, without importing SpiffWorkflow (issue 17).

`phasegate show` and `phasegate form` run in a fresh process each time; loading the workflow takes the
library, the serializer and the spec objects (~0.3 s). What they print is plain data already in the
instance's state and its model version's spec: each task's state, spec name, state-change stamp and
data delta, and each task spec's BPMN id, name, lane and whether a person runs it.

This reads serializer format `FORMAT` (contract 5 in `engine/spiff/__init__.py`: the task JSON
`serializer.dump_state` writes) as the library's converters restore it, and visits the tasks in the
order `Workflow.get_tasks()` returns them (`tree.walk` over every state: depth first, a sub-process's
tree before its host's children). A state in another format returns None from `read`: the caller then
loads the workflow. tests/test_stored_reads.py compares every answer with the loaded workflow's.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

FORMAT = "1.5"  # SpiffWorkflow 3.2's serializer version; a test pins it to `serializer_version()`

# TaskState's values and names in SpiffWorkflow 3.2 (`util/task.py`); a test pins them.
WAITING, READY, STARTED, COMPLETED = 8, 16, 32, 64
STATE_NAMES = {1: "MAYBE", 2: "LIKELY", 4: "FUTURE", 8: "WAITING", 16: "READY", 32: "STARTED", 64: "COMPLETED",
               128: "ERROR", 256: "CANCELLED"}


class Step:
    """One task of the tree with a BPMN id: its JSON, its spec's JSON and the workflow it lives in."""

    __slots__ = ("task", "spec", "tasks", "owner", "order")

    def __init__(self, task: dict, spec: dict, tasks: dict, owner: str, order: dict):
        self.task, self.spec, self.tasks, self.owner, self.order = task, spec, tasks, owner, order

    @property
    def guid(self) -> str:
        return self.task["id"]

    @property
    def state(self) -> int:
        return self.task["state"]

    @property
    def bpmn_id(self) -> str:
        return self.spec["bpmn_id"]

    @property
    def manual(self) -> bool:
        return bool(self.spec.get("manual"))

    def view(self) -> dict:
        """`runner.task_view` of this task."""
        spec = self.spec
        return {
            "task_guid": self.task["id"],
            "task_id": spec["bpmn_id"],
            "name": spec.get("bpmn_name") or spec["bpmn_id"],
            "lane": spec.get("lane"),
            "state": STATE_NAMES.get(self.task["state"], str(self.task["state"])),
            "changed_at": _local_iso(int(self.task["last_state_change"])),
        }

    def data(self) -> dict:
        """The task's data as the library's task converter restores it: the root's stored data, then
        each task's delta over its parent's, when the parent was restored before it."""
        chain, task = [], self.task
        while True:
            chain.append(task)
            parent = task.get("parent")
            delta = task.get("delta")
            if not (delta and parent is not None and parent in self.tasks
                    and self.order[parent] < self.order[task["id"]]):
                break
            task = self.tasks[parent]
        data = dict(chain[-1].get("data") or {})
        for task in reversed(chain[:-1]):
            delta = task["delta"]
            data.update(delta.get("updates", {}))
            for key in delta.get("deletions", ()):
                data.pop(key, None)
        return data

    def due_event_value(self):
        """What the timer of a WAITING task keeps as its due instant (`timers.due_of` reads it)."""
        return (self.task.get("internal_data") or {}).get("event_value")


class StoredWorkflow:
    """An instance's state JSON (parsed) over its model version's spec JSON (parsed)."""

    def __init__(self, state: dict, spec: dict):
        self.state = state
        self.spec = spec

    @classmethod
    def read(cls, state: dict, spec: dict, version: str | None) -> "StoredWorkflow | None":
        """The stored workflow, or None when its state is in a format this module does not read."""
        if version != FORMAT or not isinstance(state.get("tasks"), dict) or "spec" not in spec:
            return None
        return cls(state, spec)

    @property
    def data(self) -> dict:
        return self.state.get("data") or {}

    def steps(self) -> list[Step]:
        """Every task with a BPMN id, in `Workflow.get_tasks()` order."""
        subprocesses = self.state.get("subprocesses") or {}
        specs = self.spec.get("subprocess_specs") or {}
        top = self.spec["spec"]
        found = []
        start = self._workflow(self.state, top, top.get("name", ""))
        if start is None:
            return found
        stack = [start]
        while stack:
            task, tasks, task_specs, owner, order = stack.pop()
            spec = task_specs.get(task["task_spec"]) or {}
            for child in reversed(task.get("children") or ()):
                node = tasks.get(child)
                if node is not None:
                    stack.append((node, tasks, task_specs, owner, order))
            sub = subprocesses.get(task["id"])
            if sub is not None:
                name = spec.get("spec") or sub.get("spec")
                inner = self._workflow(sub, specs.get(name) or {}, name or "")
                if inner is not None:
                    stack.append(inner)
            if spec.get("bpmn_id"):
                found.append(Step(task, spec, tasks, owner, order))
        return found

    @staticmethod
    def _workflow(state: dict, spec: dict, owner: str):
        tasks = state.get("tasks") or {}
        root = tasks.get(state.get("root"))
        if root is None:
            return None
        order = {guid: index for index, guid in enumerate(tasks)}
        return root, tasks, spec.get("task_specs") or {}, owner, order


@lru_cache(maxsize=4096)
def _local_iso(seconds: int) -> str:
    """A state-change stamp as local ISO text to the second, as `runner.task_view` writes it."""
    return datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")
