"""Moving a running workflow onto a newer version of its model, on SpiffWorkflow's own diff.

`SpiffWorkflow.bpmn.util.diff` aligns the old spec's tasks with the new one's (by BPMN id first,
then by their place in the flow) and `migrate_workflow` swaps the specs and re-predicts the open
branches. Here that is split into a plan (what happens to each open task; nothing changes) and its
application, so the engine can show the plan, refuse it, or carry it out in one transaction.
Waiting timers keep the due instant they already had: a migration must not restart a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class OpenTask:
    """One ready or waiting task and where it goes in the new version."""

    task_id: str
    state: str
    to: str | None          # the new version's BPMN id, None when it has no place there
    how: str                # "kept" (same id), "moved" (aligned elsewhere), "mapped" (--map), "lost"


@dataclass
class Plan:
    """What migrating one workflow does: its open tasks' fates and the specs that changed."""

    tasks: list[OpenTask] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)    # BPMN ids whose spec changed
    diffs: tuple = ()                                   # SpiffWorkflow's (top diff, sub-workflow diffs)

    @property
    def lost(self) -> list[OpenTask]:
        return [t for t in self.tasks if t.how == "lost"]


def plan(registry, workflow, spec, subprocess_specs, mapping: dict[str, str]) -> Plan:
    """The plan for moving `workflow` to `spec`; `mapping` sends an old BPMN id to a new one.

    Raises KeyError naming a mapping target the new version does not have.
    """
    for target in mapping.values():
        if target not in spec.task_specs:
            raise KeyError(target)
    top, subs = diff_workflow(registry, workflow, spec, subprocess_specs)
    result = Plan(changed=sorted({t.task_spec.name for t in top.changed if _is_bpmn(t.task_spec)}), diffs=(top, subs))
    for task in workflow.get_tasks(state=OPEN, skip_subprocesses=True):
        if not _is_bpmn(task.task_spec):
            continue
        old = task.task_spec.name
        target = top.alignment.get(task)
        if old in mapping:
            top.alignment[task] = target = spec.task_specs[mapping[old]]
            how = "mapped"
        elif target is None:
            how = "lost"
        else:
            how = "kept" if target.name == old else "moved"
        result.tasks.append(OpenTask(old, TaskState.get_name(task.state), target.name if target else None, how))
    return result


def apply(workflow, spec, subprocess_specs, planned: Plan) -> None:
    """Carry out `planned` on `workflow` in place (the caller saves it, or throws it away)."""
    top, subs = planned.diffs
    due = {task.id: dict(task.internal_data) for task in workflow.get_tasks(state=TaskState.WAITING)}
    migrate_workflow(top, workflow, spec)
    for sub_id, diff in subs.items():
        sub = workflow.subprocesses.get(sub_id)
        if diff is not None and sub is not None and sub.spec.name in subprocess_specs:
            migrate_workflow(diff, sub, subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = subprocess_specs
    for task in workflow.get_tasks(state=TaskState.WAITING | TaskState.FUTURE | TaskState.READY):
        kept = due.get(task.id)
        if kept and "event_value" in kept:
            task.internal_data["event_value"] = kept["event_value"]


def _is_bpmn(task_spec) -> bool:
    return bool(getattr(task_spec, "bpmn_id", None))
