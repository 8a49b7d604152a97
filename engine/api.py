"""The engine facade: every operation a person or a script performs, in one place.

`cli.py` calls exactly one method per command; a Python user gets the same behaviour:

    engine = Engine.open(".phasegate/phasegate.db", programme)
    engine.start("business_adjustment", "周涛")

Each write command reads, computes in memory, and then writes state, task list and audit entry
in one transaction, guarded by the instance's revision. The pieces live elsewhere: the workflow
cache in `runtime/cache.py`, the task and timer rows in `runtime/schedule.py`, what an upgrade
leaves to do in `runtime/backfill.py`, all SQL in `store/`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.runtime import forms
from engine.runtime.formbook import FormBook
from engine.clock import Clock, SystemClock
from engine.errors import (BadInput, InvalidForm, MigrationRefused, ModelInvalid, NotAllowed, NotFound, TaskNotReady,
                           UnknownInstance, UnknownPerson)
from engine.clock import zone_named as _zone
from engine.i18n import Phrase
from engine.store.listings import Listings, iso, needs_first_open
from engine.programme import Programme
from engine.reader import audit_view, instance_row, instance_view, now_text, version_history
from engine.runtime.cache import WorkflowCache
from engine.runtime.runner import Runner, Scan, scan, task_view
from engine.runtime.schedule import save_schedule
from engine.spiff.serializer import dump_state, load_state, serializer_version
from engine.store.store import Store
from engine.views import (AuditView, CompletionView, DeadlineView, FieldView, FiredTimerView, FormView, InstanceDetail,
                          InstanceView, IssuedTokenView, MembershipView, MigrationView, OpenTaskMove, ProcessView,
                          SignalView, SignalledInstanceView, VersionView, StepView, TaskView, TickView, TokenView)


class Engine:
    """phasegate's engine over one open store and one programme.

    `Engine.open` opens a store and does its first-open work; the constructor takes a store that
    needs none (or whose first-open work the caller does with `prepare_store`).
    """

    def __init__(self, store: Store, programme: Programme, clock: Clock | None = None, zone: str | None = None):
        self.store = store
        self.programme = programme
        self.clock = clock or SystemClock()
        self.zone = _zone(zone or programme.zone)
        from engine.bpmn.catalog import Catalog

        self.catalog = Catalog(programme.bpmn_dir)
        self.forms = FormBook(programme, store, self.catalog)
        self._runner: Runner | None = None
        self._cache = WorkflowCache(store.instance_revision, self._open)
        self._spec_texts: dict[str, tuple[dict, str]] = {}  # process id → (parsed spec, its JSON text)
        self._versions: dict[tuple[str, str], dict] = {}  # (process id, sha256) → its committed version row
        self._noted_files: tuple | None = None  # the models folder as `_note_catalog` last recorded it

    @classmethod
    def open(cls, store: Store | Path | str, programme: Programme, clock: Clock | None = None,
             zone: str | None = None) -> Engine:
        """An engine over the store at `store` (a location, or a store already open), created or
        upgraded as needed, with its first-open work done (`prepare_store`)."""
        opened = store if isinstance(store, Store) else Store(store)
        try:
            engine = cls(opened, programme, clock, zone)
            engine.prepare_store()
        except BaseException:
            if opened is not store:
                opened.close()
            raise
        return engine

    def prepare_store(self) -> None:
        """A store's first-open work (`listings.needs_first_open` says when there is some): after an
        upgrade from schema 1, record every running instance's timers and due times; in a store
        nobody is in yet, seed the programme's roster."""
        from engine.runtime.backfill import backfill_schedules

        store = self.store
        if not needs_first_open(store):
            return
        if store.upgraded_from is not None and store.upgraded_from < 2:
            backfill_schedules(store, self._open)
        if self.programme.roster and not store.has_memberships():
            with store.provisional(), store.atomic():  # a lazy store is not made for a roster alone
                if not store.has_memberships():
                    for lane, people in self.programme.roster.items():
                        for person in people:
                            store.add_membership(person, lane)

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            self._runner = Runner(self.programme.handlers, self.clock, self.zone, self.programme.max_instances)
        return self._runner

    def _now(self) -> str:
        return now_text(self.clock)

    # -- models -----------------------------------------------------------------------------------

    def processes(self) -> list[ProcessView]:
        """Every executable process in the models folder and its versions; read only (issue 17): a
        changed model is listed as the version it becomes, which the next `start` or `migrate` stores."""
        views = []
        for model in self.catalog.parse_all().values():
            versions = self.store.model_versions(model.process_id)
            known = next((v for v in versions if v["sha256"] == model.sha256), None)
            history = self._history(versions, None if known else model)
            views.append(ProcessView(
                process_id=model.process_id, name=model.name, source=model.source,
                version=known["version"] if known else history[-1].version, versions=len(history),
                sha256=model.sha256[:12], lanes=model.lanes, start_lanes=model.start_lanes,
                instances=sum(v["instances"] for v in versions), history=history,
            ))
        skipped = [ProcessView(process_id=item.process_id, name=item.process_id or item.source, source=item.source,
                               version=0, versions=0, sha256="", lanes=[], start_lanes=[], instances=0,
                               status="skipped", reason=item.reason) for item in self.catalog.skipped()]
        return sorted(views, key=lambda v: v.process_id) + skipped

    def _history(self, versions: list[dict], pending=None) -> list[VersionView]:
        return version_history(self.store, versions, pending, self._now())

    def _recorded_model(self, process_id: str, files: tuple):
        """The model as the last parse of these very files recorded it (`_note_catalog`), with the spec its
        stored version keeps: a start in a fresh process need not parse the folder (issue 17). None when
        this engine has parsed already (its catalog remembers), or the store holds no such record."""
        if self._noted_files is not None:
            return None
        from engine.bpmn.digest import digest_of

        summary = self.store.catalog(digest_of(files))
        entry = next((m for m in summary["models"] if m["process_id"] == process_id), None) if summary else None
        version = self.store.find_model_version(process_id, entry["sha256"]) if entry else None
        if version is None:
            return None
        from engine.bpmn.catalog import ParsedModel

        text = self.store.model_spec(version["id"])
        model = ParsedModel(process_id=process_id, name=entry["name"], source=entry["source"], spec=json.loads(text),
                            sha256=entry["sha256"], lanes=entry["lanes"], start_lanes=entry["start_lanes"])
        self._spec_texts[process_id] = (model.spec, text)
        self._noted_files = files  # recorded already
        return model

    def _note_catalog(self, files: tuple) -> None:
        """Record what this parse of the models folder found under the fingerprint of its files, so that
        `processes` lists the models without parsing them (issue 17); once per engine and folder state."""
        if self._noted_files is not None and self._noted_files == files:
            return
        from engine.bpmn.changes import summarize
        from engine.bpmn.digest import digest_of

        summary = self.catalog.summary(files)
        for entry in summary["models"]:  # a version not stored yet: what it changes from the newest stored one
            versions = self.store.model_versions(entry["process_id"])
            if not any(v["sha256"] == entry["sha256"] for v in versions):
                newest = versions[-1] if versions else None
                before = json.loads(self.store.model_spec(newest["id"])) if newest else None
                entry["pending"] = {"after": newest["id"] if newest else None,
                                    "changes": summarize(before, json.loads(self._spec_json(
                                        self.catalog.parse_all(files)[entry["process_id"]])))}
        self.store.add_catalog(digest_of(files), summary, self._now())
        self._noted_files = files

    def _register(self, model) -> dict:
        """The stored version row of a parsed model, added when it is new. Rows are kept per engine once
        committed (a version row is never changed or removed)."""
        key = (model.process_id, model.sha256)
        found = self._versions.get(key)
        if found is not None:
            return found
        row = self.store.find_model_version(model.process_id, model.sha256) or self.store.add_model_version(
            process_id=model.process_id, sha256=model.sha256, name=model.name, source=model.source,
            lanes=model.lanes, start_lanes=model.start_lanes, spec_json=self._spec_json(model), now=self._now(),
        )
        if not self.store.in_transaction:  # inside one, it is kept once the caller's commit succeeded
            self._versions[key] = row
        return row

    def _spec_json(self, model) -> str:
        """A parsed model's spec as JSON text, written once per parse (the catalog reparses on any edit)."""
        found = self._spec_texts.get(model.process_id)
        if found is None or found[0] is not model.spec:
            found = (model.spec, json.dumps(model.spec, ensure_ascii=False, separators=(",", ":")))
            self._spec_texts[model.process_id] = found
        return found[1]

    # -- people -----------------------------------------------------------------------------------

    def lanes_of(self, person: str | None) -> list[str]:
        """The lanes a person is in; raises UnknownPerson when none was named or they are in none."""
        return self._listings().lanes_of(person)

    def _listings(self) -> Listings:
        # issue 6: tasks and deadlines are read by engine/listings.py, which `phasegate tasks` also
        # uses directly without importing this module (pydantic, SpiffWorkflow, the forms).
        return Listings(self.store, self.clock, self.zone)

    def _require_lane(self, person: str, lane: str | None, action: str) -> None:
        lanes = self.lanes_of(person)
        if lane and lane not in lanes:
            members = ", ".join(self.store.members_of(lane)) or "nobody"
            raise NotAllowed("{person} may not {action}: it belongs to lane {lane} (members: {members})", person=person, action=action, lane=lane, members=members)

    def people(self) -> list[MembershipView]:
        return [MembershipView(**row) for row in self.store.memberships()]

    def add_member(self, person: str, lane: str, actor: str) -> MembershipView:
        """Put `person` into `lane`; only members of an admin lane may."""
        _require_names(person=person, lane=lane)
        self._require_admin(actor)
        with self.store.atomic():
            if self.store.add_membership(person, lane):
                self.store.add_audit(at=self._now(), actor=actor, action="people-add", data={"person": person, "lane": lane})
        return MembershipView(person=person, lane=lane)

    def remove_member(self, person: str, lane: str, actor: str) -> MembershipView:
        _require_names(person=person, lane=lane)
        self._require_admin(actor)
        with self.store.atomic():
            if not self.store.remove_membership(person, lane):
                raise UnknownPerson("'{person}' is not in lane {lane}", person=person, lane=lane)
            self.store.add_audit(at=self._now(), actor=actor, action="people-remove", data={"person": person, "lane": lane})
        return MembershipView(person=person, lane=lane)

    def _check_seat(self, seat: tuple[str, list[str]], spec, model, task) -> None:
        """A lane a task's `setsLane` may set: one of its own process's lanes, not an administrators' lane,
        filled from fields its form has, with people's names only (a designer's typo or one form answer
        must not empty a lane, invent one, or hand over the right to change lanes)."""
        from engine.names import LONGEST_NAME, is_person_name

        lane, members = seat
        where = f"task '{spec.bpmn_id}'"
        lanes = {getattr(s, "lane", None) for s in task.workflow.top_workflow.spec.task_specs.values()}
        if lane not in lanes:
            raise ModelInvalid("{where}: setsLane names '{lane}', which is no lane of this process",
                               where=where, lane=lane)
        if lane in self.programme.admin_lanes:
            raise NotAllowed("{where}: a form may not set the administrators' lane {lane}", where=where, lane=lane)
        fields = set(getattr(model, "model_fields", None) or {})
        properties = (getattr(spec, "extensions", None) or {}).get("properties", {})
        for name in (f.strip() for f in str(properties.get("laneMembersFrom", "")).split(",")):
            if name and name not in fields:
                raise ModelInvalid("{where}: laneMembersFrom names '{field}', which is no field of its form",
                                   where=where, field=name)
        if not members:
            raise InvalidForm("invalid values for {what}", [f"lane {lane} would hold no one"], what=where)
        bad = [person for person in members if not is_person_name(person)]
        if bad:
            raise InvalidForm("invalid values for {what}", [
                f"not a person's name (1 to {LONGEST_NAME} printable characters): {bad[0][:40]!r}"], what=where)

    def _set_lane(self, lane: str, members: list[str], *, actor: str, at: str, instance_id: int, task_id: str,
                  revision: int) -> None:
        """Make `lane` hold exactly `members` (inside the caller's transaction), with an audit row."""
        before = self.store.members_of(lane)
        removed = [p for p in before if p not in members]
        added = [p for p in members if p not in before]
        for person in removed:
            self.store.remove_membership(person, lane)
        for person in added:
            self.store.add_membership(person, lane)
        self.store.add_audit(at=at, actor=actor, action="lane-set", instance_id=instance_id, task_id=task_id,
                             revision=revision, data={"lane": lane, "members": members, "added": added, "removed": removed})

    # -- personal access tokens (engine/tokens.py) ---------------------------------------------

    def issue_token(self, person: str, actor: str) -> IssuedTokenView:
        """A new personal access token for `person` (who must be in a lane), issued by an administrator.
        The token text is in the answer only: the store keeps its salted hash."""
        from engine.tokens import new_token

        _require_names(person=person)
        self._require_admin(actor)
        self.lanes_of(person)
        token_id, text, salt, hashed = new_token()
        now = self._now()
        with self.store.atomic():
            self.store.add_token(token_id=token_id, person=person, salt=salt, hash=hashed, issued_by=actor, now=now)
            self.store.add_audit(at=now, actor=actor, action="token-issue",
                                 data={"person": person, "token_id": token_id})
        return IssuedTokenView(token_id=token_id, person=person, issued_by=actor, issued_at=now, token=text)

    def revoke_tokens(self, name_or_id: str, actor: str) -> list[TokenView]:
        """Revoke the token with id `name_or_id`, or else every live token of the person so named."""
        from engine.tokens import id_in, looks_like_id

        name_or_id = id_in(name_or_id) or name_or_id  # a whole token pasted: its id, never its secret echoed
        _require_names(person=name_or_id)
        self._require_admin(actor)
        by_id = looks_like_id(name_or_id) and self.store.token(name_or_id) is not None
        now = self._now()
        with self.store.atomic():
            ids = self.store.revoke_tokens(now=now, **({"token_id": name_or_id} if by_id else {"person": name_or_id}))
            if not ids:
                if by_id:
                    raise NotFound("no live token with id {name}", name=name_or_id)
                raise NotFound("no live token of {name}", name=name_or_id)
            self.store.add_audit(at=now, actor=actor, action="token-revoke", data={"token_ids": ids})
        return [_token_view(self.store.token(token_id)) for token_id in ids]

    def signed_in(self, token: str) -> TokenView:
        """The live personal access token `token` of a person still in a lane; refuses any other
        token with one answer (`engine.tokens.TokenRefused`)."""
        from engine.tokens import token_row

        row = token_row(self.store, token)
        self.lanes_of(row["person"])
        return _token_view(row)

    def token(self, token_id: str) -> TokenView | None:
        """A token by its public id (revoked ones too), or None."""
        row = self.store.token(token_id)
        return _token_view(row) if row else None

    def revision(self, instance_id: int | None = None) -> int:
        """What changes whenever the store (or one instance) changes: the newest audit row's id, or
        the instance's revision. Pages poll it to refresh."""
        if instance_id is None:
            return self.store.latest_audit_id()
        return self._row(instance_id)["revision"]

    def _require_admin(self, actor: str) -> None:
        lanes = self.lanes_of(actor)
        if self.programme.admin_lanes and not set(lanes) & set(self.programme.admin_lanes):
            raise NotAllowed("{actor} may not change lanes: only members of {lanes} may", actor=actor, lanes=', '.join(self.programme.admin_lanes))

    # -- instances --------------------------------------------------------------------------------

    def start(self, process_id: str, actor: str, data: dict[str, Any] | None = None) -> InstanceView:
        """Start an instance of the current version of `process_id` as `actor`."""
        files = self.catalog.snapshot()
        model = self._recorded_model(process_id, files)
        if model is None:
            self.catalog.require(process_id, files)
        lanes = self.lanes_of(actor)
        if model is None:
            model = self.catalog.parse(process_id, files)
        if model.start_lanes and not set(model.start_lanes) & set(lanes):
            raise NotAllowed("{actor} may not start {process_id}: it starts in lane {lanes}", actor=actor, process_id=process_id, lanes=', '.join(model.start_lanes))
        values = forms.validate(self.forms.for_start(model), data or {}, Phrase("starting {process_id}", process_id=process_id))
        from engine.spiff.serializer import restore_spec

        spec, subprocess_specs = restore_spec(self._spec_json(model))
        workflow, found = self.runner.new_scanned(spec, subprocess_specs, values)
        now, status, version_text = self._now(), _status(workflow, found), serializer_version()
        with self.store.atomic():
            self._note_catalog(files)
            version = self._register(model)
            instance_id = self.store.insert_instance(
                model_version_id=version["id"], process_id=process_id, status=status,
                started_by=actor, now=now, serializer_version=version_text,
                state_json=dump_state(workflow))
            schedule = save_schedule(self.store, instance_id, workflow, process_id, now, found, before={})
            self.store.add_audit(at=now, actor=actor, action="start", instance_id=instance_id,
                                 revision=1, data=values)
        if not self.store.in_transaction:  # committed with the instance
            self._versions[(model.process_id, model.sha256)] = version
        # The row as this commit wrote it (Store.instance's columns, in its order)
        row = {"id": instance_id, "model_version_id": version["id"], "process_id": process_id, "status": status,
               "revision": 1, "started_by": actor, "started_at": now, "updated_at": now,
               "serializer_version": version_text, "model_version": version["version"]}
        self._cache.keep(instance_id, 1, row, workflow, found, schedule)
        return self._instance_view(row)

    def instances(self, process_id: str | None = None, status: str | None = None,
                  version: int | None = None) -> list[InstanceView]:
        """Instances, oldest first; only of a process, a status or a model version when given."""
        return [self._instance_view(row) for row in self.store.instances(process_id, status, version)]

    def tasks(self, actor: str | None = None, instance_id: int | None = None, every_lane: bool = False) -> list[TaskView]:
        """Open user tasks from the task table; only the actor's lanes unless `every_lane`."""
        return [TaskView(**row) for row in self._listings().tasks(actor, instance_id, every_lane)]

    def show(self, instance_id: int) -> InstanceDetail:
        """An instance's state: READY, waiting and completed steps, and its latest data."""
        from engine.spiff import TaskState

        row, workflow, _, _ = self._cache.peek(instance_id)
        steps = [t for t in workflow.get_tasks() if getattr(t.task_spec, "bpmn_id", None)]
        completed = sorted((t for t in steps if t.state == TaskState.COMPLETED), key=lambda t: t.last_state_change)
        latest = completed[-1].data if completed else workflow.data
        return InstanceDetail(
            **self._instance_view(row).model_dump(),
            ready=[StepView(**task_view(t)) for t in steps if t.state == TaskState.READY and t.task_spec.manual],
            waiting=[StepView(**task_view(t), due_at=_due_text(t))
                     for t in steps if t.state in (TaskState.WAITING, TaskState.STARTED)],
            completed=[StepView(**task_view(t)) for t in completed],
            data=json.loads(json.dumps(latest, default=str)),
        )

    def form(self, instance_id: int, task_ref: str, actor: str | None = None) -> FormView:
        """The fields a READY task asks for; with `actor`, only for a person in the task's lane."""
        row, workflow, found, _ = self._cache.peek(instance_id)
        task = self.runner.find_ready(workflow, task_ref, found)
        spec = task.task_spec
        if actor is not None:
            self._require_lane(actor, getattr(spec, "lane", None), Phrase("open '{task}'", task=spec.bpmn_id))
        model = self.forms.for_task(row, task)
        return FormView(instance_id=instance_id, task_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
                        lane=getattr(spec, "lane", None), fields=[FieldView.from_plain(f) for f in forms.describe(model)])

    def form_definition(self, instance_id: int, task_ref: str, actor: str) -> dict | None:
        """The designer's form of a READY task as plain data (`engine.bpmn.formdefs.to_plain`), for a
        person in the task's lane; None when the form is the programme's Python model or there is none."""
        row, workflow, found, _ = self._cache.peek(instance_id)
        task = self.runner.find_ready(workflow, task_ref, found)
        self._require_lane(actor, getattr(task.task_spec, "lane", None),
                           Phrase("open '{task}'", task=task.task_spec.bpmn_id))
        return self.forms.plain_for_task(row, task)

    def complete(self, instance_id: int, task_ref: str, data: dict[str, Any], actor: str) -> CompletionView:
        """Complete a READY user task as `actor` with form `data`; refuses before changing anything."""
        # The workflow is changed in place before the save: its cache entry is taken out here and only
        # the saved state goes back, so a refusal or a failure leaves nothing changed in the cache.
        row, workflow, found, schedule = self._cache.checkout(instance_id)
        task = self.runner.find_ready(workflow, task_ref, found)
        spec = task.task_spec
        self._require_lane(actor, getattr(spec, "lane", None), Phrase("complete '{task}'", task=spec.bpmn_id))
        model = self.forms.for_task(row, task)
        values = forms.validate(model, data or {}, Phrase("task '{task}'", task=spec.bpmn_id), context=task.data)
        forms.check_lanes(model, values, self.store.members_of, f"task '{spec.bpmn_id}'")
        seat = lane_setting(spec, values)
        if seat is not None:  # checked before the task runs: a refusal leaves instance and roster as they were
            self._check_seat(seat, spec, model, task)
        done = StepView(**task_view(task))
        found = self.runner.complete(workflow, task, values) or scan(workflow)
        done.state = "COMPLETED"
        now, status = self._now(), _status(workflow, found)
        with self.store.atomic():
            revision = self.store.update_instance(instance_id, expected_revision=row["revision"],
                                                  status=status, now=now, state_json=dump_state(workflow),
                                                  status_before=row["status"])
            schedule = save_schedule(self.store, instance_id, workflow, row["process_id"], now, found, schedule)
            self.store.add_audit(at=now, actor=actor, action="complete", instance_id=instance_id,
                                 task_id=spec.bpmn_id, task_guid=str(task.id), revision=revision, data=values)
            if seat is not None:
                self._set_lane(*seat, actor=actor, at=now, instance_id=instance_id, task_id=spec.bpmn_id,
                               revision=revision)
        # The row as this commit left it (the revision check proved nobody else wrote in between);
        # a later save by another process changes the revision, which the cache checks on next use.
        saved = {**{k: v for k, v in row.items() if k != "state_json"},
                 "revision": revision, "status": status, "updated_at": now}
        self._cache.keep(instance_id, revision, saved, workflow, found, schedule)
        return CompletionView(
            instance=self._instance_view(saved), completed=done,
            ready=[StepView(**view) for view in found.ready_views()],
        )

    def history(self, instance_id: int) -> list[AuditView]:
        self._row(instance_id)
        return [audit_view(row) for row in self.store.audit(instance_id)]

    # -- what reports read -------------------------------------------------------------------------

    def process_audit(self, process_id: str, actions: tuple[str, ...] | None = None) -> list[AuditView]:
        """The audit rows of every instance of `process_id` (only `actions` when given), oldest first."""
        self.catalog.require(process_id)
        return [audit_view(row) for row in self.store.audit_of_process(process_id, actions)]

    def latest_entry(self, process_id: str, task_ids: tuple[str, ...], instance_id: int | None = None) -> AuditView:
        """The newest completion of one of `task_ids`: the values a person last entered there, in any
        instance of `process_id` or only in `instance_id`. UnknownInstance when there is none."""
        if instance_id is not None:
            row = self._row(instance_id)
            if row["process_id"] != process_id:
                raise UnknownInstance("instance {instance_id} is a {actual}, not a {process_id}", instance_id=instance_id, actual=row['process_id'], process_id=process_id)
        found = self.store.latest_completion(process_id, task_ids, instance_id)
        if found is None:
            where = f"instance {instance_id}" if instance_id is not None else f"any instance of {process_id}"
            raise UnknownInstance("{tasks} has not been completed in {where}", tasks=' or '.join(task_ids), where=where)
        return audit_view(found)

    def values_of(self, instance_id: int, name: str) -> list[tuple[str, Any]]:
        """(task id, value) of data `name` in each completed task of an instance that holds it, in
        the order they completed: what a process variable was, step by step."""
        from engine.spiff import TaskState

        _, workflow, _, _ = self._cache.peek(instance_id)
        done = sorted((t for t in workflow.get_tasks() if t.state == TaskState.COMPLETED and name in t.data
                       and getattr(t.task_spec, "bpmn_id", None)), key=lambda t: t.last_state_change)
        return [(t.task_spec.bpmn_id, json.loads(json.dumps(t.data[name], default=str))) for t in done]

    # -- helpers ----------------------------------------------------------------------------------

    def _row(self, instance_id: int, with_state: bool = False) -> dict:
        return instance_row(self.store, instance_id, with_state)

    def _open(self, instance_id: int):
        """(the instance row with its state, its workflow loaded from the store)."""
        row = self._row(instance_id, with_state=True)
        spec_json = self.store.model_spec(row["model_version_id"])
        return row, self._load(spec_json, row["state_json"], row["serializer_version"])

    def _load(self, spec_json: str, state_json: str | None, version: str | None):
        if state_json is None:
            from engine.spiff.serializer import restore_spec
            from engine.spiff.workflow import Workflow

            # hot path (issue 6): the spec is restored once per model version, not on every start
            workflow = Workflow(*restore_spec(spec_json))
        else:
            workflow = load_state(state_json, spec_json, version)
        self.runner.attach(workflow)
        return workflow

    # -- migration --------------------------------------------------------------------------------

    def migrate(self, actor: str, *, instance_id: int | None = None, process_id: str | None = None,
                mapping: dict[str, str] | None = None, apply: bool = False) -> list[MigrationView]:
        """Move one running instance, or every running instance of a process, to the current version
        of its model. Without `apply` it only plans. When any instance would lose a ready or waiting
        task or values already entered, nothing is migrated and MigrationRefused lists each one."""
        from engine.runtime.migration import InstancePlan, check_entered_values, lost_problems
        from engine.spiff import migration as spiff_migration
        from engine.spiff.serializer import restore_spec, serializer

        self._require_admin(actor)
        if instance_id is not None:
            rows = [self._row(instance_id)]
        else:
            self.catalog.require(process_id)
            rows = self.store.instances(process_id, "running")
        files = self.catalog.snapshot()
        plans = []
        for row in rows:
            if row["status"] != "running":
                raise MigrationRefused("instance {id} is {status}: only running instances move", id=row['id'], status=row['status'])
            model = self.catalog.parse(row["process_id"], files)
            known = self.store.find_model_version(model.process_id, model.sha256)
            if known is not None and known["id"] == row["model_version_id"]:
                continue  # already on the current version
            newest = max((v["version"] for v in self.store.model_versions(model.process_id)), default=0)
            _, workflow, _, _ = self._cache.peek(row["id"])
            spec, subs = restore_spec(self._spec_json(model))
            try:
                planned = spiff_migration.plan(serializer().registry, workflow, spec, subs, mapping or {})
            except KeyError as missing:
                raise BadInput("--map: the current version of {process_id} has no task {missing}", process_id=model.process_id, missing=missing) from None
            plan = InstancePlan(row["id"], row["process_id"], row["model_version"],
                                known["version"] if known else newest + 1, planned.tasks, planned.changed)
            lost_problems(plan)
            check_entered_values(plan, self._entered_values(row["id"]),
                                 lambda task_id, m=model: self.forms.for_version_task(m, m.process_id, task_id))
            plans.append((row, model, plan))
        refused = [plan for _, _, plan in plans if plan.refused]
        if refused:
            raise MigrationRefused("\n".join(plan.line() for plan in refused))
        views = []
        if apply and plans:
            self._note_catalog(files)
        for row, model, plan in plans:
            if apply:
                self._migrate_one(row, model, mapping or {}, plan, actor)
            views.append(MigrationView(
                instance_id=plan.instance_id, process_id=plan.process_id, from_version=plan.from_version,
                to_version=plan.to_version, tasks=[OpenTaskMove(**vars(t)) for t in plan.tasks],
                changed=plan.changed, problems=plan.problems, migrated=apply, line=plan.line()))
        return views

    def _migrate_one(self, row: dict, model, mapping: dict, plan, actor: str) -> None:
        """Carry out one instance's plan in one transaction, on the workflow as the store holds it now."""
        from engine.spiff import migration as spiff_migration
        from engine.spiff.serializer import restore_spec, serializer

        instance_id = row["id"]
        current, workflow, _, schedule = self._cache.checkout(instance_id)
        spec, subs = restore_spec(self._spec_json(model))
        planned = spiff_migration.plan(serializer().registry, workflow, spec, subs, mapping)
        spiff_migration.apply(workflow, spec, subs, planned)
        found = self.runner.advance(workflow)
        now, status = self._now(), _status(workflow, found)
        with self.store.atomic():
            version = self._register(model)
            revision = self.store.update_instance(instance_id, expected_revision=current["revision"], status=status,
                                                  now=now, state_json=dump_state(workflow),
                                                  model_version_id=version["id"])
            schedule = save_schedule(self.store, instance_id, workflow, row["process_id"], now, found, schedule)
            self.store.add_audit(at=now, actor=actor, action="migrate", instance_id=instance_id, revision=revision,
                                 data={"from_version": plan.from_version, "to_version": version["version"],
                                       "mapping": mapping, "tasks": [vars(t) for t in plan.tasks]})
        saved = self.store.instance(instance_id)
        self._cache.keep(instance_id, revision, saved, workflow, found, schedule)

    def _entered_values(self, instance_id: int) -> dict[str, dict]:
        """BPMN id → the values last entered there, from the audit log."""
        entered: dict[str, dict] = {}
        for row in self.store.audit(instance_id):
            if row["action"] == "complete" and row["task_id"]:
                entered[row["task_id"]] = json.loads(row["data_json"])
        return entered

    # -- signals ----------------------------------------------------------------------------------

    def signal(self, name: str, actor: str, instance_id: int | None = None) -> SignalView:
        """Send the BPMN signal `name` to one running instance, or to every running instance whose model
        catches it: event sub-processes it starts run beside what is open. One transaction, an audit
        row per instance reached. A name no model of the targets catches is BadInput, and nothing changes."""
        from engine.spiff.signals import signal_names

        self.lanes_of(actor)
        if instance_id is not None:
            row = self._row(instance_id)
            if row["status"] != "running":
                raise TaskNotReady("instance {instance_id} is {status}: a signal reaches only running instances", instance_id=instance_id, status=row['status'])
            rows = [row]
        else:
            rows = self.store.instances(status="running")
        targets, known = [], set()
        for row in rows:
            current, workflow, found, schedule = self._cache.checkout(row["id"])
            names = signal_names(workflow)
            known.update(names)
            if name in names:
                targets.append((current, workflow, schedule))
            else:
                self._cache.keep(row["id"], current["revision"], current, workflow, found, schedule)
        if not targets:
            where = Phrase("instance {id}", id=instance_id) if instance_id is not None else Phrase("no running instance")
            catches = ", ".join(sorted(known)) or "none"
            raise BadInput("unknown signal '{name}': {where} catches it (signals caught: {catches})", name=name, where=where, catches=catches)
        results, saved = [], []
        for row, workflow, schedule in targets:
            before = {str(t.id) for t in scan(workflow).ready}
            caught = self.runner.signal(workflow, name)
            found = self.runner.advance(workflow)
            started = [StepView(**view) for view in found.ready_views() if view["task_guid"] not in before]
            results.append((row, workflow, schedule, found, caught, started))
        now = self._now()
        with self.store.atomic():
            for row, workflow, schedule, found, caught, started in results:
                status = _status(workflow, found)
                revision = self.store.update_instance(row["id"], expected_revision=row["revision"], status=status,
                                                      now=now, state_json=dump_state(workflow))
                schedule = save_schedule(self.store, row["id"], workflow, row["process_id"], now, found, schedule)
                self.store.add_audit(at=now, actor=actor, action="signal", instance_id=row["id"], revision=revision,
                                     data={"signal": name, "caught": caught,
                                           "started": [step.task_id for step in started]})
                saved.append((row, revision, status, workflow, found, schedule))
        views = []
        for (row, revision, status, workflow, found, schedule), result in zip(saved, results):
            kept = {**{k: v for k, v in row.items() if k != "state_json"},
                    "revision": revision, "status": status, "updated_at": now}
            self._cache.keep(row["id"], revision, kept, workflow, found, schedule)
            views.append(SignalledInstanceView(instance_id=row["id"], process_id=row["process_id"],
                                               caught=result[4], started=result[5]))
        return SignalView(signal=name, instances=views)

    # -- deadlines --------------------------------------------------------------------------------

    def deadlines(self, overdue: bool = False, within=None) -> list[DeadlineView]:
        """Waiting timers and due user tasks from the deadline tables, without loading instances.

        `overdue` keeps what is due by now; `within` (a timedelta) keeps what is due by now + within.
        """
        return [DeadlineView(**row) for row in self._listings().deadlines(overdue, within)]

    def _fire_due_timers(self, instance_id: int, now, actor: str):
        """Fire one instance's due timers in one transaction that holds the instance: returns the
        timers fired, or None when another worker holds the instance right now."""
        from engine.runtime.timers import waiting_timers

        with self.store.atomic():
            claimed = self.store.claim_instance(instance_id)
            if claimed is None:
                return None
            # read under the claim: the latest committed state (the cached one if it is that revision)
            row, workflow, found, schedule = self._cache.checkout(instance_id, revision=claimed)
            before = {t.task_guid: t for t in waiting_timers(workflow, found.timers if found else None)
                      if t.due_at <= now}
            untouched = not before
            if untouched:
                hits = []
            else:
                found = self.runner.advance(workflow) or scan(workflow)
                after = {t.task_guid: t for t in waiting_timers(workflow, found.timers)}
                hits = [t for guid, t in before.items() if guid not in after or after[guid].due_at != t.due_at]
            if hits:
                stamp = self._now()
                revision = self.store.update_instance(instance_id, expected_revision=row["revision"],
                                                      status=_status(workflow, found), now=stamp,
                                                      state_json=dump_state(workflow))
                schedule = save_schedule(self.store, instance_id, workflow, row["process_id"], stamp, found, schedule)
                for t in hits:
                    self.store.add_audit(at=stamp, actor=actor, action="timer", instance_id=instance_id,
                                         task_id=t.task_id, task_guid=t.task_guid, revision=revision,
                                         data={"due_at": iso(t.due_at), "kind": t.kind,
                                               "attached_to": t.host_task_id})
        if untouched:  # nothing was due: the workflow did not change
            row = {k: v for k, v in row.items() if k != "state_json"}
            self._cache.keep(instance_id, claimed, row, workflow, found, schedule)
        elif hits:
            self._cache.keep(instance_id, revision, self.store.instance(instance_id), workflow, found, schedule)
        return hits

    def tick(self, actor: str = "phasegate-worker") -> TickView:
        """Fire every timer due by now, across all instances, once. Safe to run from many processes
        and machines: each instance is fired under a lock (SQLite's write lock; PostgreSQL's row lock
        taken with SKIP LOCKED, so workers pass over what another holds), so no timer fires twice."""
        from engine.errors import ChangedMeanwhile

        now = self.clock.now()
        fired: list[FiredTimerView] = []
        skipped = 0
        for instance_id in self.store.instances_with_due_timers(iso(now)):
            try:
                hits = self._fire_due_timers(instance_id, now, actor)
            except ChangedMeanwhile:
                hits = None
            if hits is None:
                skipped += 1
                continue
            fired += [FiredTimerView(instance_id=instance_id, task_id=t.task_id, name=t.name, kind=t.kind,
                                     due_at=iso(t.due_at), attached_to=t.host_task_id) for t in hits]
        return TickView(at=iso(now), fired=fired, skipped=skipped)

    _instance_view = staticmethod(instance_view)


def lint_context(programme: Programme, store: Path | str | None = None):
    """What lint's engine rules know about `programme` (a `LintContext`): who is in each lane as the
    store at `store` says, read only and only if a store is there, else as the programme's roster;
    its forms and its service handlers. Creates nothing."""
    from engine.lint import LintContext

    people: dict[str, list[str]] = {lane: list(members) for lane, members in programme.roster.items()}
    existing = Store.existing(store) if store is not None else None
    if existing is not None:
        try:
            people = {}
            for row in existing.memberships():
                people.setdefault(row["lane"], []).append(row["person"])
        finally:
            existing.close()
    return LintContext(people_by_lane=people, form_for=programme.form_for, handlers=frozenset(programme.handlers))


def _require_names(**names: str) -> None:
    """Refuse a person's or a lane's name phasegate cannot keep (engine.names: 1 to 200 printable
    characters of valid text), as `people add` always did, for every command that takes one."""
    from engine.names import is_person_name

    for kind, value in names.items():
        if not is_person_name(value):
            what = Phrase("a person's name") if kind == "person" else Phrase("a lane's name")
            raise BadInput("{what} is 1 to 200 printable characters, not {value!r}", what=what, value=value[:40])


def lane_setting(spec, values: dict) -> tuple[str, list[str]] | None:
    """What a user task's `setsLane`/`laneMembersFrom` properties ask on completion: (lane, the people
    named by those form fields, in order, each once), or None when the task changes no lane."""
    properties = (getattr(spec, "extensions", None) or {}).get("properties", {})
    lane = properties.get("setsLane")
    if not lane:
        return None
    members: list[str] = []
    for field in (f.strip() for f in str(properties.get("laneMembersFrom", "")).split(",")):
        value = values.get(field) if field else None
        for person in value if isinstance(value, list) else [value]:
            if isinstance(person, str) and person and person not in members:
                members.append(person)
    return lane, members


def _token_view(row: dict) -> TokenView:
    return TokenView(token_id=row["id"], **{k: row[k] for k in ("person", "issued_by", "issued_at", "revoked_at")})




def _due_text(task) -> str | None:
    from engine.runtime.timers import due_of

    from engine.spiff import TaskState

    due = due_of(task) if task.state == TaskState.WAITING else None
    return iso(due) if due else None


def _status(workflow, found: Scan) -> str:
    """An instance with a READY user task or a waiting timer is running; otherwise ask the workflow."""
    if found.ready or found.timers:
        return "running"
    return "completed" if workflow.is_completed() else "running"
