"""SpiffWorkflow's task-tree walks, written as plain loops (issue 6).

Every step a workflow takes walks its whole task tree several times: `do_engine_steps` lists the
READY tasks (twice or more), every completed task re-checks the WAITING ones, and `is_completed`
looks for an unfinished one. SpiffWorkflow 3.2 walks with `TaskIterator`, a Python iterator that
spends most of its time per task on bookkeeping phasegate does not use (depth counting for a depth
limit that `spiffcompat` lifts anyway, filters with every option off). `Workflow` is a `BpmnWorkflow`
whose three walks visit the same tasks, in the same order, with the same descent rules, as loops;
and where at most one task can match, they read it off the task table without walking at all
(every task of the tree is in it; hashing the UUID of each child was most of a walk's cost).

Sub-process workflows keep the library's walks. tests/test_long_running.py runs the programme with
and without these walks and requires byte-identical stores.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

_FINISHED = TaskState.FINISHED_MASK
_NOT_FINISHED = TaskState.NOT_FINISHED_MASK
_WAITING = TaskState.WAITING


def _min_state(state: int) -> int:
    """The lowest state a task must have for `TaskIterator` to descend into its children."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def tasks_in_state(workflow, state: int) -> list:
    """`workflow.get_tasks(state=state)`: `BpmnTaskIterator`'s depth-first order, sub-processes first."""
    min_state = _min_state(state)
    subprocesses = workflow.top_workflow.subprocesses
    if not subprocesses and min_state <= TaskState.FUTURE:
        # Every task of the tree is in `workflow.tasks`, and no predicted task has a definite child,
        # so the walk would reach every match: with at most one there is no order to find.
        matching = [task for task in workflow.tasks.values() if task._state & state]
        if len(matching) <= 1:
            return matching
    found = []
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        sub = subprocesses.get(task.id)
        current = task._state
        if (task._children or sub is not None) and (current >= min_state or sub is not None):
            below = [t for t in map(task.workflow.tasks.get, task._children) if t is not None]
            if sub is not None and not (current >= _FINISHED and state <= _FINISHED):
                below.insert(0, sub.task_tree)
            stack.extend(reversed(below))
        if current & state:
            found.append(task)
    return found


class Workflow(BpmnWorkflow):
    """A `BpmnWorkflow` whose hot task-tree walks are loops; it behaves exactly as its base class."""

    def get_tasks(self, first_task=None, **kwargs) -> list:
        if first_task is None and len(kwargs) == 1 and "state" in kwargs:
            return tasks_in_state(self, kwargs["state"])
        return super().get_tasks(first_task, **kwargs)

    def update_waiting_tasks(self) -> None:
        """Update every WAITING task, visiting them as `TaskIterator(state=WAITING)` does: lazily, so a
        task changed by an earlier update is seen in its new state, children listed before the update."""
        if not any(task._state & _WAITING for task in self.tasks.values()):
            return  # nothing to update, and nothing can become WAITING without an update
        get = self.tasks.get  # one dict lookup per child: hashing a UUID is a Python call
        future = TaskState.FUTURE
        stack = [self.task_tree]
        while stack:
            task = stack.pop()
            if task._children and task._state >= future:
                stack.extend(reversed([t for t in map(get, task._children) if t is not None]))
            if task._state & _WAITING:
                task.task_spec._update(task)

    def is_completed(self) -> bool:
        if not self.completed and not self._has_unfinished_task():
            self.completed = True
        return self.completed

    def _has_unfinished_task(self) -> bool:
        get = self.tasks.get
        stack = [self.task_tree]
        while stack:
            task = stack.pop()
            if task._state & _NOT_FINISHED:
                return True
            stack.extend(t for t in map(get, task._children) if t is not None)
        return False
