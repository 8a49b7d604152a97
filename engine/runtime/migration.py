"""Running instances follow a changed model: what moving one to a newer version keeps, moves and loses.

Like Camunda 7's migration plans: every ready or waiting task must have a place in the new version —
its own BPMN id, a place SpiffWorkflow's diff aligns it with, or one the person names (`--map
OLD=NEW`) — and the values people already entered must still pass the new version's forms. Otherwise
the instance is refused and stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import InvalidForm
from engine.i18n import Phrase
from engine.runtime import forms


@dataclass
class InstancePlan:
    """One instance's migration: from and to which version, its open tasks' fates, why it is refused."""

    instance_id: int
    process_id: str
    from_version: int
    to_version: int
    tasks: list = field(default_factory=list)     # engine.spiff.migration.OpenTask
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    spiff_plan: object = None

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def line(self) -> str:
        """The one line a person reads about this instance."""
        head = f"instance {self.instance_id} ({self.process_id} v{self.from_version} → v{self.to_version})"
        if self.problems:
            return f"{head}: refused: {'; '.join(self.problems)}"
        fates = [f"{t.task_id} {t.how}" + (f" to {t.to}" if t.how in ("moved", "mapped") else "") for t in self.tasks]
        return f"{head}: " + (", ".join(fates) if fates else "no open task")


def check_entered_values(plan: InstancePlan, entered: dict[str, dict], form_for_new) -> None:
    """Add a problem for every completed user task whose values no longer pass its new form.

    `entered` maps a BPMN id to the values last entered there (from the audit log); `form_for_new`
    gives the new version's form model of a BPMN id (None when it takes none).
    """
    for task_id, values in entered.items():
        model = form_for_new(task_id)
        if model is None:
            continue
        try:
            forms.validate(model, values, Phrase("task '{task}'", task=task_id))
        except InvalidForm as err:
            first = err.problems[0] if getattr(err, "problems", None) else str(err)
            plan.problems.append(f"the form of '{task_id}' changed and the values entered there no longer pass "
                                 f"it ({first})")


def lost_problems(plan: InstancePlan) -> None:
    """Add a problem for every open task the new version has no place for."""
    for task in plan.tasks:
        if task.how == "lost":
            plan.problems.append(f"{task.state.lower()} task '{task.task_id}' has no place in v{plan.to_version} "
                                 f"(name one with --map {task.task_id}=NEW_ID)")
