"""Compaction: keep a loop's task tree short, so a command costs the same after 1000 rounds as after 10.

SpiffWorkflow grows the task tree by a few tasks every time a send-back loop goes round, and every
load, run and save walks the whole tree: without compaction the time per completion grows linearly
with the rounds (≈0.5 s after 500 rounds of gate 1). Nothing that runs the workflow needs the deep
completed past, so `compact` splices it out of the tree.

What goes: a task that is COMPLETED, sits in a straight run of the tree (exactly one child, so no
parallel branch or boundary event starts there) and whose step was completed again further down the
same run. What stays: the root, the newest `KEEP` tasks of every run, the latest completion of every
step (so `show` and the diagram overlay still see every step that ran), every open, waiting or
predicted task, every task that hosts a sub-process, and the workflow's last task. Ancestor relations
between the tasks that stay do not change, which is what parallel joins rely on, and each task keeps
its own data (the serializer stores data as a delta from the parent, recomputed on save).

The audit log keeps every completion: it, not the task tree, is the instance's full history.
"""

from __future__ import annotations

KEEP = 16  # newest tasks of a straight run that always stay (a few rounds of a typical loop)


def compact(workflow, keep: int = KEEP) -> int:
    """Splice repeated completed history out of `workflow`'s task tree; returns how many tasks went."""
    from SpiffWorkflow.util.task import TaskState

    from engine.spiff.tree import walk

    completed = TaskState.COMPLETED
    if workflow.subprocesses:  # sub-process hosts tie tasks of two trees together: leave those alone
        return 0
    tasks = workflow.tasks
    # A run longer than `keep` needs more than `keep` completed single-child tasks: most saves have
    # fewer, and counting them is cheaper than walking the tree.
    if sum(1 for t in tasks.values() if t._state == completed and len(t._children) == 1) <= keep:
        return 0
    pinned = {workflow.task_tree.id}
    if workflow.last_task is not None:
        pinned.add(workflow.last_task.id)

    def in_run(task) -> bool:
        return task._state == completed and len(task._children) == 1 and task.id not in pinned

    # A run starts at a task in a run whose parent is not in one (or has another child too).
    heads = [task for task in walk(workflow, TaskState.ANY_MASK, subprocesses=False)
             if in_run(task) and not (task.parent is not None and in_run(task.parent))]
    removed = 0
    for head in heads:
        run = [head]  # a maximal straight run of completed tasks, top to bottom
        node = tasks.get(head._children[0])
        while node is not None and in_run(node):
            run.append(node)
            node = tasks.get(node._children[0])
        if len(run) > keep:
            removed += _prune_run(workflow, run, keep)
    return removed


def _prune_run(workflow, run: list, keep: int) -> int:
    """Remove from `run` each task, above the newest `keep`, whose step recurs further down."""
    seen = {t.task_spec.name for t in run[-keep:]}
    doomed = []
    for task in reversed(run[:-keep]):
        name = task.task_spec.name
        if name in seen:
            doomed.append(task)
        else:
            seen.add(name)
    for task in doomed:
        parent, child = task.parent, task.children[0]
        if parent is None:  # the root never goes (it is pinned); a run cannot start there
            continue
        parent.children = [child if c is task else c for c in parent.children]  # the public setters
        child.parent = parent
        del workflow.tasks[task.id]
    return len(doomed)
