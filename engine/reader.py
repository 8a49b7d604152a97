"""The read commands over a store, without the engine: what `show`, `form`, `history`, `instances`,
`tasks`, `deadlines` and `processes` print, from what the store keeps (issue 17).

Each command a person types is a new process; importing the engine (SpiffWorkflow, lxml, pydantic,
the forms) cost ~0.4 s before it read a row. A `Reader` imports none of them: the task and deadline
tables (`store.listings`), the instance rows and the audit log, an instance's state JSON read over its
version's spec JSON (`engine.spiff.stored`), the designers' forms kept with the version (described
from their definitions, no model built) and the catalog of the models folder the last writing
command recorded. Where the store does not hold the answer (a state in an older serializer format,
a version stored without its forms, a programme's Python form, a refusal to word, models changed
since the last write) the reader asks the engine it is given, which answers as it always did.
`Engine` answers the same questions from loaded workflows; tests/test_stored_reads.py compares both.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from engine.errors import UnknownInstance
from engine.store.listings import Listings, iso, needs_first_open, zone_named
from engine.views import (AuditView, FieldView, FormView, InstanceDetail, InstanceView, MembershipView, ProcessView,
                          StepView, VersionView)


class Reader(Listings):
    """The read commands over one open store, at the time `clock` says, shown in `zone`.

    Args:
        engine: returns the engine over the same store, for what the store does not hold.
        programme: returns the programme, asked only for a task whose form is not a designer's form.
        models: the models folder (`processes` fingerprints its files).
    """

    def __init__(self, store, clock, zone, engine: Callable, programme: Callable | None = None, models=None):
        super().__init__(store, clock, zone)
        self._engine = engine
        self._programme = programme
        self._models = models
        self._specs: dict[int, dict] = {}

    @classmethod
    def open(cls, store, clock, zone: str, engine: Callable, programme: Callable | None = None,
             models=None) -> "Reader | None":
        """A reader over an open store, or None when the store first needs the engine's first-open work."""
        if needs_first_open(store):
            return None
        return cls(store, clock, zone_named(zone), engine, programme, models)

    # -- instances and the audit log ------------------------------------------------------------

    def instances(self, process_id: str | None = None, status: str | None = None,
                  version: int | None = None) -> list[InstanceView]:
        """Instances, oldest first; only of a process, a status or a model version when given."""
        return [instance_view(row) for row in self.store.instances(process_id, status, version)]

    def history(self, instance_id: int) -> list[AuditView]:
        """An instance's audit log, oldest first."""
        self._row(instance_id)
        return [audit_view(row) for row in self.store.audit(instance_id)]

    def people(self) -> list[MembershipView]:
        """Who is in which lane."""
        return [MembershipView(person=row["person"], lane=row["lane"]) for row in self.store.memberships()]

    def processes(self) -> list[ProcessView]:
        """The models folder's processes and their versions, from what the last parse of these very files
        recorded (`Store.add_catalog`); the engine parses the folder when a file changed since, or a
        process is at a version not stored yet."""
        from engine.bpmn.digest import models_digest

        summary = self.store.catalog(models_digest(self._models)) if self._models is not None else None
        if summary is None:
            return self._engine().processes()
        views = []
        for model in summary["models"]:
            versions = self.store.model_versions(model["process_id"])
            known = next((v for v in versions if v["sha256"] == model["sha256"]), None)
            history = version_history(self.store, versions)
            if known is None:  # the version the next start stores, as recorded against the newest stored one
                pending = model.get("pending") or {}
                if "after" not in pending or pending["after"] != (versions[-1]["id"] if versions else None):
                    return self._engine().processes()
                history.append(VersionView(version=max((v["version"] for v in versions), default=0) + 1,
                                           sha256=model["sha256"][:12], created_at=self._now(), instances=0,
                                           changes=pending["changes"]))
            views.append(ProcessView(
                process_id=model["process_id"], name=model["name"], source=model["source"],
                version=known["version"] if known else history[-1].version, versions=len(history),
                sha256=model["sha256"][:12], lanes=model["lanes"], start_lanes=model["start_lanes"],
                instances=sum(v["instances"] for v in versions), history=history))
        skipped = [ProcessView(process_id=item["process_id"], name=item["process_id"] or item["source"],
                               source=item["source"], version=0, versions=0, sha256="", lanes=[], start_lanes=[],
                               instances=0, status="skipped", reason=item["reason"]) for item in summary["skipped"]]
        return sorted(views, key=lambda v: v.process_id) + skipped

    # -- one instance's steps -------------------------------------------------------------------

    def show(self, instance_id: int) -> InstanceDetail:
        """An instance's READY, waiting and completed steps and its latest data, from its stored state."""
        row, stored = self._stored(instance_id)
        if stored is None:
            return self._engine().show(instance_id)
        from engine.spiff.stored import COMPLETED, READY, STARTED, WAITING

        steps = stored.steps()
        completed = sorted((s for s in steps if s.state == COMPLETED), key=lambda s: s.task["last_state_change"])
        latest = completed[-1].data() if completed else stored.data
        return InstanceDetail(
            **instance_view(row).model_dump(),
            ready=[StepView(**s.view()) for s in steps if s.state == READY and s.manual],
            waiting=[StepView(**s.view(), due_at=self._due_text(s)) for s in steps if s.state in (WAITING, STARTED)],
            completed=[StepView(**s.view()) for s in completed],
            data=json.loads(json.dumps(latest, default=str)),
        )

    def form(self, instance_id: int, task_ref: str) -> FormView:
        """The fields a READY task asks for, described from the form definition kept with the version."""
        from engine.spiff.stored import READY

        row, stored = self._stored(instance_id)
        forms = None if stored is None else stored.spec.get("forms")
        if forms is None:  # an older format, or a version stored before it kept its forms
            return self._engine().form(instance_id, task_ref)
        ready = [s for s in stored.steps() if s.state == READY and s.manual]
        chosen = [s for s in ready if s.bpmn_id == task_ref]
        if not chosen and len(task_ref) >= 4:
            chosen = [s for s in ready if s.guid.startswith(task_ref)]
        if len(chosen) != 1:  # not READY, unknown, or ambiguous: the engine words the refusal
            return self._engine().form(instance_id, task_ref)
        step = chosen[0]
        plain = forms.get(step.owner, {}).get(step.bpmn_id)
        if plain is None:
            python_form = self._programme().form_for(row["process_id"], step.bpmn_id) if self._programme else True
            if python_form is not None:  # a programme's own model: the engine describes it
                return self._engine().form(instance_id, task_ref)
            fields = []
        else:
            from engine.bpmn.formdefs import from_plain
            from engine.runtime.forms import describe_form

            fields = describe_form(from_plain(plain))
        view = step.view()
        return FormView(instance_id=instance_id, task_id=view["task_id"], name=view["name"], lane=view["lane"],
                        fields=[FieldView.from_plain(f) for f in fields])

    # -- helpers ----------------------------------------------------------------------------------

    def _row(self, instance_id: int, with_state: bool = False) -> dict:
        return instance_row(self.store, instance_id, with_state)

    def _stored(self, instance_id: int):
        """(the instance row, its `StoredWorkflow` or None when its state is in another format)."""
        from engine.spiff.stored import StoredWorkflow

        row = self._row(instance_id, with_state=True)
        spec = self._specs.get(row["model_version_id"])
        if spec is None:
            spec = self._specs[row["model_version_id"]] = json.loads(self.store.model_spec(row["model_version_id"]))
        return row, StoredWorkflow.read(json.loads(row["state_json"]), spec, row["serializer_version"])

    def _now(self) -> str:
        return now_text(self.clock)

    def _due_text(self, step) -> str | None:
        """`api._due_text`: when a WAITING timer task is due, from what its timer keeps."""
        from engine.spiff.stored import WAITING

        if step.state != WAITING:
            return None
        from engine.clock import timer_due

        due = timer_due(step.due_event_value(), self.zone)
        return iso(due) if due is not None else None


def version_history(store, versions: list[dict], pending=None, now: str | None = None) -> list[VersionView]:
    """Each stored version of a process (`Store.model_versions`) with what it changed from the one
    before; `pending`: the parsed model of a version not stored yet, listed last as the next one."""
    from engine.bpmn.changes import summarize

    history, before = [], None
    for row in versions:
        doc = json.loads(store.model_spec(row["id"]))
        history.append(VersionView(version=row["version"], sha256=row["sha256"][:12], created_at=row["created_at"],
                                   instances=row["instances"], changes=summarize(before, doc)))
        before = doc
    if pending is not None:
        history.append(VersionView(version=max((v["version"] for v in versions), default=0) + 1,
                                   sha256=pending.sha256[:12], created_at=now, instances=0,
                                   changes=summarize(before, _as_stored(pending.spec))))
    return history


def _as_stored(spec: dict) -> dict:
    """A parsed spec as the store gives it back (its JSON read again: tuples become lists), so that a
    version not stored yet compares with the stored ones as it will once stored."""
    return json.loads(json.dumps(spec, ensure_ascii=False))


# -- what the engine and the store-only reader both answer from a store row -----------------------

def instance_row(store, instance_id: int, with_state: bool = False) -> dict:
    """The instance's store row; UnknownInstance when the store has none."""
    row = store.instance(int(instance_id), with_state=with_state)
    if row is None:
        raise UnknownInstance("no instance {instance_id} in the store", instance_id=instance_id)
    return row


def instance_view(row: dict) -> InstanceView:
    return InstanceView(**{k: row[k] for k in InstanceView.field_names()})


def audit_view(row: dict) -> AuditView:
    return AuditView(**{k: v for k, v in row.items() if k not in ("data_json", "task_guid")},
                     data=json.loads(row["data_json"]))


def now_text(clock) -> str:
    """The clock's instant as the store's UTC text, to the second."""
    from datetime import timezone

    return clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")
