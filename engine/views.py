"""Typed shapes of what the engine returns; the CLI prints them as tables or `--json`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class VersionView(BaseModel):
    version: int
    sha256: str
    created_at: str
    instances: int
    changes: str        # what this version changed from the one before, in one line


class ProcessView(BaseModel):
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
    history: list[VersionView] = []


class TaskView(BaseModel):
    instance_id: int
    task_guid: str
    task_id: str
    name: str
    lane: str | None
    process_id: str
    ready_at: str
    due_at: str | None = None


class InstanceView(BaseModel):
    id: int
    process_id: str
    model_version: int
    status: str
    revision: int
    started_by: str
    started_at: str
    updated_at: str


class StepView(BaseModel):
    task_guid: str
    task_id: str
    name: str
    lane: str | None
    state: str
    changed_at: str
    due_at: str | None = None


class InstanceDetail(InstanceView):
    ready: list[StepView]
    waiting: list[StepView]
    completed: list[StepView]
    data: dict[str, Any]


class FieldView(BaseModel):
    name: str
    type: str
    required: bool
    default: Any = None
    title: str
    description: str | None = None
    choices: list[Any] | None = None
    limits: dict[str, Any] | None = None
    fields: list["FieldView"] | None = None   # a row's or group's own fields


class FormView(BaseModel):
    instance_id: int | None
    task_id: str
    name: str
    lane: str | None
    fields: list[FieldView]


class CompletionView(BaseModel):
    instance: InstanceView
    completed: StepView
    ready: list[StepView]


class AuditView(BaseModel):
    id: int
    at: str
    actor: str
    instance_id: int | None
    task_id: str | None
    action: str
    revision: int | None
    data: dict[str, Any]


class MembershipView(BaseModel):
    person: str
    lane: str


class DeadlineView(BaseModel):
    kind: str  # timer | task
    instance_id: int
    process_id: str
    task_id: str
    name: str
    lane: str | None
    due_at: str
    attached_to: str | None = None
    overdue: bool


class FiredTimerView(BaseModel):
    instance_id: int
    task_id: str
    name: str
    kind: str
    due_at: str
    attached_to: str | None = None


class TickView(BaseModel):
    at: str
    fired: list[FiredTimerView]
    skipped: int


class OpenTaskMove(BaseModel):
    task_id: str
    state: str
    to: str | None
    how: str            # kept, moved, mapped or lost


class MigrationView(BaseModel):
    instance_id: int
    process_id: str
    from_version: int
    to_version: int
    tasks: list[OpenTaskMove]
    changed: list[str]
    problems: list[str]
    migrated: bool
    line: str


class SignalledInstanceView(BaseModel):
    """One instance a signal reached: what it started there (the READY user tasks it added)."""

    instance_id: int
    process_id: str
    caught: int
    started: list[StepView]


class SignalView(BaseModel):
    signal: str
    instances: list[SignalledInstanceView]


class TokenView(BaseModel):
    token_id: str
    person: str
    issued_by: str
    issued_at: str
    revoked_at: str | None = None


class IssuedTokenView(TokenView):
    token: str          # shown once: the store keeps only its salted hash


class DocumentView(BaseModel):
    """A document a command wrote: its title, the folder, every file, and the figures it shows."""

    title: str
    directory: str
    files: list[str]
    figures: dict[str, Any] = {}
