"""The one walk of a task tree, written as a loop (issue 6).

Every step a workflow takes walks its whole task tree several times: `do_engine_steps` lists the
READY tasks, every completed task re-checks the WAITING ones, `is_completed` looks for an unfinished
one, and each save scans for open tasks and timers. SpiffWorkflow 3.2 walks with `TaskIterator`, a
Python iterator that spends most of its time per task on bookkeeping phasegate does not use (depth
counting for a depth limit lifted anyway, filters with every option off). `walk` visits the same
tasks in the same order with the same descent rules, and reads the tree's fields directly (contract
3 in `engine/spiff/__init__.py`).
"""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

FINISHED = TaskState.FINISHED_MASK


def min_state(query: int) -> int:
    """The lowest state a task must have for `TaskIterator(state=query)` to descend into its children."""
    if query & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if query & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def walk(workflow, query: int, subprocesses: bool = True):
    """The tasks of `workflow`'s tree, depth first, in the order `BpmnTaskIterator(state=query)` visits
    them (`subprocesses`: descending into a sub-process's tree before the host's children) or
    `TaskIterator(state=query)` does (not `subprocesses`); yielded whatever their state.

    A task's children are listed before the task is yielded, as the library's iterators list them
    before returning it: a caller that changes the task (an update) changes what is below it only
    for later walks.
    """
    lowest = min_state(query)
    hosts = workflow.top_workflow.subprocesses if subprocesses else None
    stack = [workflow.task_tree]
    pop, push = stack.pop, stack.append
    while stack:
        task = pop()
        state = task._state
        sub = hosts.get(task.id) if hosts else None
        if task._children and (state >= lowest or sub is not None):
            get = task.workflow.tasks.get  # one dict lookup per child: hashing a UUID is a Python call
            for child in reversed(task._children):
                node = get(child)
                if node is not None:
                    push(node)
        if sub is not None and not (state >= FINISHED and query <= FINISHED):
            push(sub.task_tree)
        yield task
