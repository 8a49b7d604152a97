"""phasegate's `BpmnWorkflow`: the library's workflow, whose hot task-tree walks are `tree.walk`.

Where at most one task can match, the walks read it off the task table without walking at all
(every task of the tree is in it). Sub-process workflows keep the library's walks.
tests/test_long_running.py runs the programme with and without these walks and requires
byte-identical stores.
"""

from __future__ import annotations

import logging

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.spiff.tree import min_state, walk

_NOT_FINISHED = TaskState.NOT_FINISHED_MASK
_WAITING = TaskState.WAITING
_WORKFLOW_DETAIL_LOGGER = logging.getLogger("spiff.workflow")


def tasks_in_state(workflow, state: int) -> list:
    """`workflow.get_tasks(state=state)`: `BpmnTaskIterator`'s depth-first order, sub-processes first."""
    if not workflow.top_workflow.subprocesses and min_state(state) <= TaskState.FUTURE:
        # Every task of the tree is in `workflow.tasks`, and no predicted task has a definite child,
        # so the walk would reach every match: with at most one there is no order to find.
        matching = [task for task in workflow.tasks.values() if task._state & state]
        if len(matching) <= 1:
            return matching
    return [task for task in walk(workflow, state) if task._state & state]


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
        for task in walk(self, _WAITING, subprocesses=False):
            if task._state & _WAITING:
                task.task_spec._update(task)  # what the library's loop does (contract 4)

    def is_completed(self) -> bool:
        if not self.completed and not any(t._state & _NOT_FINISHED for t in walk(self, _NOT_FINISHED, False)):
            self.completed = True
        return self.completed

    def collect_log_extras(self, dct=None) -> dict:
        """The library's log details, built only when the `spiff.workflow` logger would log them."""
        if _WORKFLOW_DETAIL_LOGGER.isEnabledFor(logging.INFO):
            return super().collect_log_extras(dct)
        return dct if dct is not None else {}
