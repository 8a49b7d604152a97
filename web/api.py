"""The JSON API under /api/: the same engine calls as the command line, the same shapes as its
`--json` (the views of `engine.views`), documented at /api/openapi.json.

Every call needs a signed-in session; a call that changes something also needs the session's CSRF
token in the X-CSRF-Token header. Refusals are `{"error": reference, "message": line}` (an invalid
form adds `"problems"`, one line per field, the lines the CLI prints) with the status of their kind.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from engine.views import (AuditView, CompletionView, DeadlineView, FormView, InstanceDetail, InstanceView,
                          MembershipView, ProcessView, TaskView)
from web.app import check_csrf, engine_of, json_object, signed_in
from web.sessions import Session

router = APIRouter(prefix="/api", tags=["api"])


class Refusal(BaseModel):
    error: str
    message: str
    problems: list[str] | None = None


REFUSALS = {code: {"model": Refusal, "description": what} for code, what in (
    (401, "not signed in"), (403, "not allowed (lane) or no CSRF token"), (404, "no such instance or task"),
    (409, "changed meanwhile, or the task is no longer ready"))}


class Me(BaseModel):
    person: str
    lanes: list[str]
    csrf: str


class Revision(BaseModel):
    instance_id: int | None
    revision: int


class Mark(BaseModel):
    css: str                     # completed | ready | waiting | overdue
    note: str = ""


class Overlay(BaseModel):
    instance_id: int
    process_id: str
    marks: dict[str, Mark]       # BPMN element id → its mark (tasks, events, gateways, lanes, flows taken)


class FormJs(BaseModel):
    instance_id: int
    task_id: str
    task_guid: str
    name: str
    lane: str | None
    revision: int
    form_schema: dict[str, Any]  # a form-js schema (https://bpmn.io/toolkit/form-js)
    lists: list[str]             # keys entered one per line, sent as lists


@router.get("/me", response_model=Me, responses=REFUSALS)
async def me(request: Request, session: Session = Depends(signed_in)):
    """Who is signed in, their lanes, and the CSRF token state-changing calls carry."""
    lanes = await engine_of(request)(lambda e: e.lanes_of(session.person))
    return Me(person=session.person, lanes=lanes, csrf=session.csrf)


@router.get("/tasks", response_model=list[TaskView], responses=REFUSALS)
async def tasks(request: Request, instance: int | None = Query(None, ge=1, le=2**63 - 1),
                every_lane: bool = Query(False, alias="all"), session: Session = Depends(signed_in)):
    """Open user tasks in my lanes (`all=true`: every lane), as `phasegate tasks --json`."""
    from fastapi.responses import JSONResponse

    from engine.store.listings import Listings

    # the listing's rows hold exactly TaskView's fields (engine/store/listings.py), as `phasegate tasks`
    # prints them: no model is built per row, so 10,000 tasks answer quickly
    rows = await engine_of(request)(
        lambda e: Listings(e.store, e.clock, e.zone).tasks(session.person, instance, every_lane))
    return JSONResponse([dict(row) for row in rows])


@router.get("/instances", response_model=list[InstanceView], responses=REFUSALS)
async def instances(request: Request, process: str | None = None, status: str | None = Query(None, pattern="^(running|completed)$"),
                    session: Session = Depends(signed_in)):
    """Instances, oldest first, as `phasegate instances --json`."""
    return await engine_of(request)(lambda e: e.instances(process, status))


@router.get("/instances/{instance_id}", response_model=InstanceDetail, responses=REFUSALS)
async def show(request: Request, instance_id: int, session: Session = Depends(signed_in)):
    """An instance's ready, waiting and completed steps and its data, as `phasegate show --json`."""
    return await engine_of(request)(lambda e: e.show(_id(instance_id)))


@router.get("/instances/{instance_id}/history", response_model=list[AuditView], responses=REFUSALS)
async def history(request: Request, instance_id: int, session: Session = Depends(signed_in)):
    """The audit log of an instance, as `phasegate history --json`."""
    return await engine_of(request)(lambda e: e.history(_id(instance_id)))


@router.get("/instances/{instance_id}/overlay", response_model=Overlay, responses=REFUSALS)
async def overlay(request: Request, instance_id: int, session: Session = Depends(signed_in)):
    """The marks of the instance overlay (`engine.diagrams.overlay`), by BPMN element id."""
    return await engine_of(request)(lambda e: overlay_of(e, _id(instance_id)))


@router.get("/instances/{instance_id}/diagram", responses={200: {"content": {"application/xml": {}}}, **REFUSALS})
async def diagram(request: Request, instance_id: int, session: Session = Depends(signed_in)):
    """The BPMN file of the instance's process, for bpmn-js."""
    data = await engine_of(request)(lambda e: diagram_of(e, _id(instance_id))[1])
    return Response(data, media_type="application/xml")


@router.get("/instances/{instance_id}/tasks/{task}/form", response_model=FormView, responses=REFUSALS)
async def form(request: Request, instance_id: int, task: str, session: Session = Depends(signed_in)):
    """The fields a READY task of my lanes asks for, as `phasegate form --json`."""
    return await engine_of(request)(lambda e: e.form(_id(instance_id), task, session.person))


@router.get("/instances/{instance_id}/tasks/{task}/formjs", response_model=FormJs, responses=REFUSALS)
async def formjs(request: Request, instance_id: int, task: str, session: Session = Depends(signed_in)):
    """The same form as a form-js schema, for the task page's viewer."""
    return await engine_of(request)(lambda e: formjs_of(e, _id(instance_id), task, session.person))


@router.post("/instances/{instance_id}/tasks/{task}/complete", response_model=CompletionView,
             responses={**REFUSALS, 413: {"model": Refusal}, 422: {"model": Refusal, "description": "invalid values"}})
async def complete(request: Request, instance_id: int, task: str, session: Session = Depends(signed_in)):
    """Complete a READY task of my lanes with the form values in the body (a JSON object), as
    `phasegate complete --data`. Lands in the audit log under my name."""
    check_csrf(session, request.headers.get("x-csrf-token"))
    values = await json_object(request, request.app.state.config.body_limit)
    return await engine_of(request)(lambda e: e.complete(_id(instance_id), task, values, session.person))


@router.get("/deadlines", response_model=list[DeadlineView], responses=REFUSALS)
async def deadlines(request: Request, overdue: bool = False, session: Session = Depends(signed_in)):
    """Waiting timers and due tasks, soonest first, as `phasegate deadlines --json`."""
    return await engine_of(request)(lambda e: e.deadlines(overdue))


@router.get("/processes", response_model=list[ProcessView], responses=REFUSALS)
async def processes(request: Request, session: Session = Depends(signed_in)):
    """The process models and their versions, as `phasegate processes --json`."""
    return await engine_of(request)(lambda e: e.processes())


@router.get("/people", response_model=list[MembershipView], responses=REFUSALS)
async def people(request: Request, session: Session = Depends(signed_in)):
    """Who is in which lane, as `phasegate people --json`."""
    return await engine_of(request)(lambda e: e.people())


@router.get("/revision", response_model=Revision, responses=REFUSALS)
async def revision(request: Request, instance: int | None = Query(None, ge=1, le=2**63 - 1),
                   session: Session = Depends(signed_in)):
    """A number that changes whenever the store (or the instance) changes: pages poll it."""
    return Revision(instance_id=instance, revision=await engine_of(request)(lambda e: e.revision(instance)))


# -- what pages and the API share ------------------------------------------------------------------

def _id(instance_id: int) -> int:
    from engine.errors import UnknownInstance

    if not 1 <= instance_id < 2**63:
        raise UnknownInstance("no instance {id} in the store", id=instance_id)
    return instance_id


def diagram_of(engine, instance_id: int):
    """(the instance row, the bytes of its process's BPMN file, its path)."""
    from engine.files import read_regular
    from engine.bpmn.loader import MAX_BYTES

    detail = engine.show(instance_id)
    path = engine.catalog.require(detail.process_id)
    return detail, read_regular(path, MAX_BYTES, "model file"), path


def overlay_of(engine, instance_id: int) -> Overlay:
    from engine.bpmn.model import read_model
    from engine.diagrams.overlay import instance_marks

    detail = engine.show(instance_id)
    model = read_model(engine.catalog.require(detail.process_id))
    marks = instance_marks(model, detail, engine.clock.now(), engine.zone)
    return Overlay(instance_id=instance_id, process_id=detail.process_id,
                   marks={key: Mark(css=m.css or "", note=m.note or "") for key, m in marks.items()})


def formjs_of(engine, instance_id: int, task: str, person: str, submit: str = "Submit") -> FormJs:
    from web.formjs import schema_of, schema_of_fields

    view = engine.form(instance_id, task, person)
    plain = engine.form_definition(instance_id, task, person)
    if plain is not None or not view.fields:
        schema, lists = schema_of(plain, view.name, submit)
    else:
        schema, lists = schema_of_fields([f.model_dump() for f in view.fields], view.name, submit)
    ready = next(t for t in engine.tasks(person, instance_id, every_lane=True)
                 if t.task_guid.startswith(task) or t.task_id == view.task_id)
    return FormJs(instance_id=instance_id, task_id=view.task_id, task_guid=ready.task_guid, name=view.name,
                  lane=view.lane, revision=engine.revision(instance_id), form_schema=schema, lists=lists)
