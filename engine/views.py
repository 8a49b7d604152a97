"""Typed shapes of what the engine returns; the CLI prints them as tables or `--json`.

Plain dataclasses (issue 17): a read command builds a few of these in a fresh process, and pydantic's
53 model classes took 0.5 s to build at import. They are outputs, made by the engine from data it
already checked; input is checked at the edge where it enters (forms, `engine.runtime.forms`).
`model_dump()` gives the JSON shape the pydantic models gave: fields in declaration order, nested
views and lists of them as dicts and lists."""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass, field


def _plain(value):
    if isinstance(value, View):
        return value.model_dump()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class View:
    """What every view can do: dump itself as plain data (`mode` is accepted for pydantic's signature)."""

    __slots__ = ()

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {name: _plain(getattr(self, name)) for name in self.__dataclass_fields__}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)


view = dataclass(kw_only=True)


@view
class VersionView(View):
    version: int
    sha256: str
    created_at: str
    instances: int
    changes: str        # what this version changed from the one before, in one line


@view
class ProcessView(View):
    process_id: str | None
    name: str
    source: str
    version: int
    versions: int
    sha256: str
    lanes: list[str]
    start_lanes: list[str]
    instances: int
    status: str = "ready"        # "skipped": the file or process does not run, `reason` says why
    reason: str | None = None
    history: list[VersionView] = field(default_factory=list)


@view
class TaskView(View):
    instance_id: int
    task_guid: str
    task_id: str
    name: str
    lane: str | None
    process_id: str
    ready_at: str
    due_at: str | None = None


@view
class InstanceView(View):
    id: int
    process_id: str
    model_version: int
    status: str
    revision: int
    started_by: str
    started_at: str
    updated_at: str


@view
class StepView(View):
    task_guid: str
    task_id: str
    name: str
    lane: str | None
    state: str
    changed_at: str
    due_at: str | None = None


@view
class InstanceDetail(InstanceView):
    ready: list[StepView]
    waiting: list[StepView]
    completed: list[StepView]
    data: dict[str, Any]


@view
class FieldView(View):
    name: str
    type: str
    required: bool
    default: Any = None
    title: str
    description: str | None = None
    choices: list[Any] | None = None
    limits: dict[str, Any] | None = None
    fields: list["FieldView"] | None = None   # a row's or group's own fields

    @classmethod
    def from_plain(cls, plain: dict) -> "FieldView":
        """A field as `forms.describe` gives it (plain dicts, nested for rows and groups)."""
        inner = plain.get("fields")
        return cls(**{**plain, "fields": None if inner is None else [cls.from_plain(f) for f in inner]})


@view
class FormView(View):
    instance_id: int | None
    task_id: str
    name: str
    lane: str | None
    fields: list[FieldView]


@view
class CompletionView(View):
    instance: InstanceView
    completed: StepView
    ready: list[StepView]


@view
class AuditView(View):
    id: int
    at: str
    actor: str
    instance_id: int | None
    task_id: str | None
    action: str
    revision: int | None
    data: dict[str, Any]


@view
class MembershipView(View):
    person: str
    lane: str


@view
class DeadlineView(View):
    kind: str  # timer | task
    instance_id: int
    process_id: str
    task_id: str
    name: str
    lane: str | None
    due_at: str
    attached_to: str | None = None
    overdue: bool


@view
class FiredTimerView(View):
    instance_id: int
    task_id: str
    name: str
    kind: str
    due_at: str
    attached_to: str | None = None


@view
class TickView(View):
    at: str
    fired: list[FiredTimerView]
    skipped: int


@view
class OpenTaskMove(View):
    task_id: str
    state: str
    to: str | None
    how: str            # kept, moved, mapped or lost


@view
class MigrationView(View):
    instance_id: int
    process_id: str
    from_version: int
    to_version: int
    tasks: list[OpenTaskMove]
    changed: list[str]
    problems: list[str]
    migrated: bool
    line: str


@view
class SignalledInstanceView(View):
    """One instance a signal reached: what it started there (the READY user tasks it added)."""

    instance_id: int
    process_id: str
    caught: int
    started: list[StepView]


@view
class SignalView(View):
    signal: str
    instances: list[SignalledInstanceView]


@view
class TokenView(View):
    token_id: str
    person: str
    issued_by: str
    issued_at: str
    revoked_at: str | None = None


@view
class IssuedTokenView(TokenView):
    token: str          # shown once: the store keeps only its salted hash


@view
class DocumentView(View):
    """A document a command wrote: its title, the folder, every file, and the figures it shows."""

    title: str
    directory: str
    files: list[str]
    figures: dict[str, Any] = field(default_factory=dict)
