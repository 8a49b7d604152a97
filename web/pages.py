"""The HTML pages: sign-in, my tasks, a task's form, an instance, the programme.

Each page asks the engine what the API asks (the same calls, in `web/api.py`) and lays it out; the
scripts in static/ render forms (form-js) and diagrams (bpmn-js) and refresh a page when the
revision it was drawn at changes.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.errors import PhasegateError
from web.api import formjs_of
from web.app import LANG_COOKIE, CsrfRefused, check_csrf, engine_of, form_fields, lang_of, signed_in
from web.html import esc, frame, json_block, local, table
from web.sessions import COOKIE, cookie_header
from web.words import words

router = APIRouter(include_in_schema=False)


def page(request: Request, title: str, body: str, status: int = 200, session=None, lanes=None, **more) -> HTMLResponse:
    lang = lang_of(request)
    _ = words(lang)
    response = HTMLResponse(frame(_, lang, _(title) if title else "", body, person=session.person if session else None,
                                  lanes=lanes, csrf=session.csrf if session else None, **more), status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, request.query_params["lang"], samesite="strict", httponly=True)
    return response


def message_page(request: Request, message: str, status: int) -> HTMLResponse:
    """A refusal of the web face itself (`message` already in the reader's language)."""
    _ = words(lang_of(request))
    body = f'<p class="refused" role="alert">{esc(_("Refused:"))} {esc(message)} {esc(_("Nothing was changed."))}</p>'
    return page(request, "phasegate", body, status)


def refusal_page(request: Request, error: PhasegateError, status: int) -> HTMLResponse:
    from engine.i18n import translator

    lang = lang_of(request)
    _ = words(lang)
    body = (f'<p class="refused" role="alert" data-error="{esc(error.reference)}">{esc(_("Refused:"))} '
            f'{esc(translator(lang).error(error))}</p><p><a href="/">{esc(_("Back to my tasks"))}</a></p>')
    return page(request, "phasegate", body, status)


@router.get("/favicon.ico")
async def favicon():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
           'fill="#102a43"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>')
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


# -- sign-in -----------------------------------------------------------------------------------------

@router.get("/signin")
async def signin_page(request: Request):
    return await signin_form(request)


async def signin_form(request: Request, error: str | None = None, status: int = 200):
    """The sign-in page; `error` (already in the reader's language) above the form."""
    sessions = request.app.state.sessions
    session = sessions.get(request.cookies.get(COOKIE))
    fresh = session is None or session.person is not None
    if fresh:
        session = sessions.open()
    _ = words(lang_of(request))
    notice = f'<p class="refused" role="alert">{esc(error)}</p>' if error else ""
    body = (f'{notice}<form method="post" action="/signin" class="signin">'
            f'<input type="hidden" name="csrf" value="{esc(session.csrf)}">'
            f'<label>{esc(_("Personal access token"))}<input type="password" name="token" autocomplete="off" '
            f'autofocus required></label><button type="submit">{esc(_("Sign in"))}</button>'
            f'<p class="hint">{esc(_("An administrator (管理层) issues it with: phasegate people token NAME"))}</p></form>')
    response = page(request, "Sign in", body, status)
    if fresh:
        response.headers.append("set-cookie", cookie_header(session, request.app.state.config.secure_cookies))
    return response


@router.post("/signin")
async def signin(request: Request):
    sessions = request.app.state.sessions
    pending = sessions.get(request.cookies.get(COOKIE))
    fields = await form_fields(request, 16 * 1024)
    if pending is None or pending.person is not None:
        raise CsrfRefused
    check_csrf(pending, fields.get("csrf"))
    from engine.tokens import TokenRefused

    try:
        token = await engine_of(request)(lambda e: e.signed_in(fields.get("token") or ""))
    except TokenRefused as refused:
        from engine.i18n import translator

        return await signin_form(request, translator(lang_of(request)).error(refused), 401)
    sessions.close(pending.id)
    session = sessions.open(token.person, token.token_id)
    response = RedirectResponse("/", status_code=303)
    response.headers.append("set-cookie", cookie_header(session, request.app.state.config.secure_cookies))
    return response


@router.post("/signout")
async def signout(request: Request):
    session = await signed_in(request)
    check_csrf(session, (await form_fields(request, 16 * 1024)).get("csrf"))
    request.app.state.sessions.close(session.id)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# -- my tasks ----------------------------------------------------------------------------------------

def my_tasks(engine, person: str, every_lane: bool, page: int):
    """One page of the open tasks of my lanes (or every lane), overdue first, and how many there are.
    Read as `phasegate tasks` reads them (the task table, sorted and paged by the store)."""
    from engine.store.listings import Listings

    listings = Listings(engine.store, engine.clock, engine.zone)
    total, rows = listings.tasks_page(person, every_lane, page, PAGE_ROWS)
    return total, rows, engine.lanes_of(person), engine.zone, engine.revision()


PAGE_ROWS = 100  # tasks per page of the tasklist, overdue first


@router.get("/", response_class=HTMLResponse)
async def tasklist(request: Request):
    session = await signed_in(request)
    every_lane = request.query_params.get("all") == "1"
    asked = request.query_params.get("page", "")
    number = min(int(asked), 10**9) if asked.isdigit() and int(asked) > 0 else 1
    total, shown, lanes, zone, revision = await engine_of(request)(
        lambda e: my_tasks(e, session.person, every_lane, number))
    _ = words(lang_of(request))
    pages = max(1, -(-total // PAGE_ROWS))
    cells = [[("row-overdue" if t.overdue else "row-open"),
              f'<a href="/instances/{t.instance_id}">{t.instance_id}</a>',
              f'<a class="task" href="/tasks/{t.instance_id}/{esc(t.task_guid)}">{esc(t.name)}</a>'
              f' <code>{esc(t.task_id)}</code>',
              esc(t.lane), esc(local(zone, t.ready_at)),
              esc(local(zone, t.due_at)) + (f' <span class="badge overdue">{esc(_("overdue"))}</span>' if t.overdue else "")]
             for t in shown]
    toggle = (f'<p><a href="/">{esc(_("My tasks"))}</a></p>' if every_lane else
              f'<p class="sub">{esc(_("Open tasks of my lanes, overdue first"))} · '
              f'<a href="/?all=1">{esc(_("Open tasks of every lane"))}</a></p>')
    base = "/?all=1&page=" if every_lane else "/?page="
    pager = "" if pages == 1 else (
        f'<p class="pager">{esc(_("{count} open tasks, page {page} of {pages}").format(count=total, page=number, pages=pages))}'
        + (f' · <a href="{base}{number - 1}">←</a>' if number > 1 else "")
        + (f' · <a rel="next" href="{base}{number + 1}">→</a>' if number < pages else "") + "</p>")
    body = toggle + pager + table([_("instance"), _("task"), _("lane"), _("ready since"), _("due")], cells,
                                  _("No open tasks in your lanes."), ' id="tasks"') + pager
    return page(request, "My tasks", body, session=session, lanes=lanes, scripts=("/static/live.js",),
                data={"revision-url": "/api/revision", "revision": revision,
                      "poll-ms": request.app.state.config.poll_ms})


# -- a task ------------------------------------------------------------------------------------------

@router.get("/tasks/{instance_id}/{task}", response_class=HTMLResponse)
async def task_page(request: Request, instance_id: int, task: str):
    session = await signed_in(request)
    _ = words(lang_of(request))
    form, lanes = await engine_of(request)(lambda e: (formjs_of(e, instance_id, task, session.person, _("Submit")),
                                                      e.lanes_of(session.person)))
    body = (f'<p class="sub"><a href="/instances/{form.instance_id}">{esc(_("Instance {id}").format(id=form.instance_id))}</a>'
            f' · {esc(_("lane"))}: {esc(form.lane)} · <code>{esc(form.task_id)}</code></p>'
            f'<div id="messages" aria-live="polite"></div><div id="form"></div>'
            + json_block("form-schema", form.form_schema) + json_block("form-lists", form.lists)
            + json_block("form-words", {k: _(k) for k in ("Submit", "The form was not accepted:", "Refused:",
                                                          "Nothing was changed.", "Completed {task}; the instance is now {status}.")}))
    return page(request, form.name, body, session=session, lanes=lanes,
                head='<link rel="stylesheet" href="/assets/form-js/assets/form-js.css">',
                scripts=("/assets/form-js/form-viewer.umd.js", "/static/task.js"),
                data={"complete-url": f"/api/instances/{form.instance_id}/tasks/{form.task_guid}/complete",
                      "instance-url": f"/instances/{form.instance_id}"})


# -- an instance -------------------------------------------------------------------------------------

def instance_facts(engine, instance_id: int, person: str):
    return engine.show(instance_id), engine.history(instance_id), engine.lanes_of(person), engine.zone


@router.get("/instances/{instance_id}", response_class=HTMLResponse)
async def instance_page(request: Request, instance_id: int):
    from web.api import _id

    session = await signed_in(request)
    detail, audit, lanes, zone = await engine_of(request)(lambda e: instance_facts(e, _id(instance_id), session.person))
    _ = words(lang_of(request))

    def steps(items, link: bool):
        if not items:
            return f'<p class="empty">{esc(_("(none)"))}</p>'
        return "<ul>" + "".join(
            "<li>" + (f'<a href="/tasks/{detail.id}/{esc(s.task_guid)}">{esc(s.name)}</a>' if link and s.lane in lanes
                      else esc(s.name)) + f' <code>{esc(s.task_id)}</code> [{esc(s.lane or "-")}]'
            + (f' · {esc(_("due"))} {esc(local(zone, s.due_at))}' if s.due_at else "") + "</li>" for s in items) + "</ul>"

    legend = "".join(f'<span class="key pg-{css}">{esc(_(word))}</span>' for css, word in (
        ("completed", "completed"), ("ready", "ready"), ("waiting", "waiting"), ("overdue", "overdue")))
    history_rows = [[str(a.id), esc(local(zone, a.at)), esc(a.actor), esc(a.action), f"<code>{esc(a.task_id or '')}</code>",
                     f"<code>{esc(json.dumps(a.data, ensure_ascii=False)[:160])}</code>"] for a in audit]
    body = (f'<p class="sub">{esc(detail.process_id)} v{detail.model_version} · {esc(_("status"))}: '
            f'<strong id="status">{esc(detail.status)}</strong> · {esc(_("revision"))} {detail.revision} · '
            f'{esc(_("started by"))} {esc(detail.started_by)} · <span class="hint">{esc(_("The page refreshes when the instance changes."))}</span></p>'
            f'<div class="legend">{legend}</div><div id="diagram" class="diagram"></div>'
            f'<div class="columns"><section><h2>{esc(_("Ready"))}</h2>{steps(detail.ready, True)}</section>'
            f'<section><h2>{esc(_("Waiting"))}</h2>{steps(detail.waiting, False)}</section></div>'
            f'<h2>{esc(_("History"))}</h2>'
            + table(["#", _("at"), _("who"), _("action"), _("task"), _("data")], history_rows, _("(none)"))
            + f'<h2>{esc(_("Data"))}</h2><pre class="data">{esc(json.dumps(detail.data, ensure_ascii=False, indent=2, sort_keys=True))}</pre>')
    return page(request, _("Instance {id}").format(id=detail.id), body, session=session, lanes=lanes,
                head=('<link rel="stylesheet" href="/assets/bpmn-js/assets/diagram-js.css">'
                      '<link rel="stylesheet" href="/assets/bpmn-js/assets/bpmn-js.css">'),
                scripts=("/assets/bpmn-js/bpmn-navigated-viewer.production.min.js", "/static/live.js",
                         "/static/instance.js"),
                data={"revision-url": f"/api/revision?instance={detail.id}", "revision": detail.revision,
                      "poll-ms": request.app.state.config.poll_ms, "diagram-url": f"/api/instances/{detail.id}/diagram",
                      "overlay-url": f"/api/instances/{detail.id}/overlay"})


# -- the programme -----------------------------------------------------------------------------------

PHASE_MARKS = ("startEvent", "intermediateCatchEvent", "intermediateThrowEvent")


def programme_facts(engine, person: str, limit: int = 200):
    """Every running instance with its phase (the last milestone event it passed) and gate (what it
    waits for now), then the completed ones; the deadlines; the store's revision."""
    from engine.bpmn.model import read_model

    models, standing = {}, []
    for row in engine.instances(status="running")[-limit:]:
        detail = engine.show(row.id)
        if detail.process_id not in models:
            models[detail.process_id] = read_model(engine.catalog.require(detail.process_id))
        nodes = models[detail.process_id].nodes
        passed = [s for s in detail.completed if s.task_id in nodes and nodes[s.task_id].tag in PHASE_MARKS]
        phase = passed[-1].name if passed else ""
        gate = [s.name for s in detail.ready] + [s.name for s in detail.waiting]
        standing.append((detail, phase, gate))
    standing.sort(key=lambda x: (x[0].process_id, x[1], x[0].id))
    done = engine.instances(status="completed")
    return standing, done, engine.deadlines(), engine.lanes_of(person), engine.zone, engine.revision()


@router.get("/programme", response_class=HTMLResponse)
async def programme(request: Request):
    session = await signed_in(request)
    standing, done, deadlines, lanes, zone, revision = await engine_of(request)(
        lambda e: programme_facts(e, session.person))
    _ = words(lang_of(request))
    next_due = {}
    for d in deadlines:
        next_due.setdefault(d.instance_id, d)
    rows = [[f'<a href="/instances/{d.id}">{d.id}</a>', esc(d.process_id), esc(phase), esc("、".join(gate)),
             esc(local(zone, next_due[d.id].due_at) + " " + next_due[d.id].name) if d.id in next_due else ""]
            for d, phase, gate in standing]
    rows += [[f'<a href="/instances/{i.id}">{i.id}</a>', esc(i.process_id), esc(_("completed")), "", ""] for i in done]
    due_rows = [[("row-overdue" if d.overdue else "row-open"), esc(local(zone, d.due_at)),
                 f'<span class="badge overdue">{esc(_("overdue"))}</span>' if d.overdue else "", esc(d.kind),
                 f'<a href="/instances/{d.instance_id}">{d.instance_id}</a>', esc(d.name), esc(d.lane or "")]
                for d in deadlines]
    body = (f'<p><a class="download" href="/programme/proposal.zip">{esc(_("Download the draft bundle (《业务调整草案》 diagrams)"))}</a></p>'
            f'<h2>{esc(_("Instances by phase and gate"))}</h2>'
            + table([_("instance"), _("process"), _("phase"), _("gate"), _("next deadline")], rows, _("(none)"), ' id="standing"')
            + f'<h2>{esc(_("Deadlines, soonest first"))}</h2>'
            + table([_("due"), "", _("kind"), _("instance"), _("name"), _("lane")], due_rows, _("(none)"), ' id="deadlines"'))
    return page(request, "The programme", body, session=session, lanes=lanes, scripts=("/static/live.js",),
                data={"revision-url": "/api/revision", "revision": revision, "poll-ms": request.app.state.config.poll_ms})


@router.get("/programme/proposal.zip")
async def proposal(request: Request):
    session = await signed_in(request)  # noqa: F841 - signed in is enough, as for `phasegate proposal`
    data = await engine_of(request)(proposal_zip)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="proposal.zip"'})


def proposal_zip(engine) -> bytes:
    """The newest 《业务调整草案》 (`phasegate proposal`: draft.md, draft.pdf and its pictures) as one zip file."""
    import io
    import tempfile
    import zipfile
    from pathlib import Path

    from processes.proposal import build

    with tempfile.TemporaryDirectory(prefix="phasegate-proposal-") as folder:
        bundle = build(engine, Path(folder))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in bundle.files:
                path = Path(name)
                archive.write(path, path.name)
        return buffer.getvalue()
