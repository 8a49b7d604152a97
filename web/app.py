"""The `phasegate serve` application: one engine, on one thread, behind sign-in and CSRF checks.

`create_app(WebConfig(...))` builds it; `from_environment()` is the factory uvicorn calls for
`phasegate serve`, reading the same variables the command line documents (PHASEGATE_DB,
PHASEGATE_MODELS, PHASEGATE_NOW, PHASEGATE_TZ).

The engine is not shared between threads: every engine call runs on one worker thread (`EngineThread`),
so requests are served one engine call at a time, in order, while the event loop stays free. Errors
are the engine's own (`engine.errors`), each answered with the HTTP status of its kind and its one
line; a refused request changes nothing, because the engine refuses before it writes.
"""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from engine.i18n import N_
from engine.errors import (BadInput, Conflict, InvalidForm, NotAllowed, NotFound, PhasegateError, StoreError,
                           TaskFailed)
from web.sessions import COOKIE, Session, Sessions

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets" / "node_modules"
BODY_LIMIT = 1024 * 1024  # a form post larger than this is refused (413) before it is read


@dataclass(frozen=True)
class WebConfig:
    """Where the store and models are, and the clock: what the command line's global options say."""

    db: str
    models: str | None = None
    now: str | None = None            # an ISO instant: every request runs at it (the CLI's --now)
    zone: str | None = None           # the programme's zone unless given
    data_dirs: tuple[str, ...] = ()   # folders service tasks may read besides processes/data/ (--data-dir)
    secure_cookies: bool = False      # set the cookie's Secure flag (behind HTTPS)
    poll_ms: int = 2000               # how often pages ask whether their instance changed
    body_limit: int = BODY_LIMIT


class EngineThread:
    """Runs engine calls on one thread of its own, opening the engine there on first use."""

    def __init__(self, config: WebConfig):
        self.config = config
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phasegate-engine")
        self._engine = None

    def _open(self):
        if self._engine is None:
            from engine.api import Engine
            from engine.clock import FixedClock, SystemClock, checked_instant
            from engine.store.listings import zone_named
            from processes.programme import build

            programme = build(Path(self.config.models) if self.config.models else None, self.config.data_dirs)
            zone = self.config.zone or programme.zone
            clock = FixedClock(checked_instant(self.config.now, zone_named(zone))) if self.config.now else SystemClock()
            self._engine = Engine.open(self.config.db, programme, clock, zone)
        return self._engine

    async def __call__(self, work):
        """`work(engine)` on the engine's thread; its result or its error."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, lambda: work(self._open()))

    def close(self) -> None:
        """Close the store (at the server's shutdown); a later call opens the engine again."""
        def shut():
            if self._engine is not None:
                self._engine.store.close()
                self._engine = None
        self._pool.submit(shut).result()


class SignInNeeded(Exception):
    """No signed-in session, or its token was revoked since."""


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token."""


class BodyRefused(Exception):
    """A request body too large, or not the JSON object or form it must be: an English msgid and its
    `{names}`, translated when answered."""

    def __init__(self, status: int, message: str, **params):
        super().__init__(message.format(**params))
        self.status, self.template, self.params = status, message, params


STATUS = ((InvalidForm, 422), (NotFound, 404), (NotAllowed, 403), (Conflict, 409), (BadInput, 400),
          (TaskFailed, 500), (StoreError, 503))


def status_of(error: PhasegateError) -> int:
    return next((code for kind, code in STATUS if isinstance(error, kind)), 500)


def lang_of(request: Request) -> str:
    """The language of the answer: `?lang=`, the page's choice (a cookie), Accept-Language; else Chinese."""
    from web.words import language

    return language(request.headers.get("accept-language"),
                    request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))


LANG_COOKIE = "phasegate_lang"


def refusal_body(error: PhasegateError, lang: str) -> dict:
    """An engine refusal as JSON in `lang`: its reference (never translated), its line, its problems."""
    from engine.i18n import translator

    words = translator(lang)
    body = {"error": error.reference, "message": words.error(error)}
    if isinstance(error, InvalidForm):
        body["message"] = words.format(error.template, **error.params)
        body["problems"] = [words.gettext(problem) for problem in error.problems]
    return body


def said(request: Request, message: str, **params) -> str:
    from engine.i18n import translator

    return translator(lang_of(request)).format(message, **params)


NOT_SIGNED_IN = N_("sign in first: POST /signin with a token")
NO_CSRF = N_("the request carries no valid CSRF token; nothing was changed")
TOO_LARGE = N_("the request body is larger than {limit} KiB")
NOT_UTF8 = N_("the request body is not UTF-8 text")
NOT_JSON = N_("the request body is not valid JSON: {reason}")
NOT_AN_OBJECT = N_("the request body must be a JSON object of form values")
UNREADABLE_FORM = N_("the form post is not readable")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past `limit` bytes (by its Content-Length or as it streams)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BodyRefused(413, TOO_LARGE, limit=limit // 1024)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyRefused(413, TOO_LARGE, limit=limit // 1024)
        chunks.append(chunk)
    return b"".join(chunks)


async def json_object(request: Request, limit: int) -> dict:
    """The body as a JSON object (a form's values), or 400 naming what is wrong with it."""
    raw = await read_body(request, limit)
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BodyRefused(400, NOT_UTF8) from None
    except (ValueError, RecursionError) as err:
        raise BodyRefused(400, NOT_JSON, reason=type(err).__name__) from None
    if not isinstance(value, dict):
        raise BodyRefused(400, NOT_AN_OBJECT)
    return value


async def form_fields(request: Request, limit: int) -> dict[str, str]:
    """An HTML form post (application/x-www-form-urlencoded) as field → value."""
    from urllib.parse import parse_qsl

    raw = await read_body(request, limit)
    try:
        return dict(parse_qsl(raw.decode("utf-8"), max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        raise BodyRefused(400, UNREADABLE_FORM) from None


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(config: WebConfig) -> FastAPI:
    """The application over the store and models `config` names."""
    from web import api, pages

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        yield
        app.state.engine.close()

    app = FastAPI(lifespan=lifespan, title="phasegate", version="1", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
                  description="The JSON API of `phasegate serve`: the shapes of the command line's `--json`. "
                              "Sign in at /signin; a state-changing call carries the session's CSRF token "
                              "in the X-CSRF-Token header (GET /api/me gives it).")
    app.state.config = config
    app.state.engine = EngineThread(config)
    app.state.sessions = Sessions()

    @app.exception_handler(PhasegateError)
    async def refused(request: Request, error: PhasegateError):
        if wants_json(request):
            return JSONResponse(refusal_body(error, lang_of(request)), status_code=status_of(error))
        return pages.refusal_page(request, error, status_of(error))

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, _error):
        if wants_json(request):
            return JSONResponse({"error": "not-signed-in", "message": said(request, NOT_SIGNED_IN)}, status_code=401)
        return RedirectResponse("/signin", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _error):
        message = said(request, NO_CSRF)
        if wants_json(request):
            return JSONResponse({"error": "csrf", "message": message}, status_code=403)
        return pages.message_page(request, message, 403)

    @app.exception_handler(BodyRefused)
    async def body_refused(request: Request, error: BodyRefused):
        message = said(request, error.template, **error.params)
        if wants_json(request):
            return JSONResponse({"error": "bad-request", "message": message}, status_code=error.status)
        return pages.message_page(request, message, error.status)

    @app.middleware("http")
    async def guarded(request: Request, call_next):
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        static = request.url.path.startswith(("/assets/", "/static/"))  # the libraries: kept an hour
        response.headers.setdefault("Cache-Control", "private, max-age=3600" if static else "no-store")
        return response

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/assets/form-js", StaticFiles(directory=ASSETS / "@bpmn-io" / "form-js" / "dist", check_dir=False),
              name="form-js")
    app.mount("/assets/bpmn-js", StaticFiles(directory=ASSETS / "bpmn-js" / "dist", check_dir=False), name="bpmn-js")
    return app


# -- what every route uses ---------------------------------------------------------------------------

def engine_of(request: Request) -> EngineThread:
    return request.app.state.engine


async def signed_in(request: Request) -> Session:
    """The signed-in session of this request (its token still live), or SignInNeeded."""
    session = request.app.state.sessions.get(request.cookies.get(COOKIE))
    if session is None or session.person is None:
        raise SignInNeeded
    token = await engine_of(request)(lambda e: e.token(session.token_id))
    if token is None or token.revoked_at is not None:
        request.app.state.sessions.close(session.id)
        raise SignInNeeded
    return session


def check_csrf(session: Session, given: str | None) -> None:
    if not session.csrf_matches(given):
        raise CsrfRefused


def from_environment() -> FastAPI:
    """The app `phasegate serve` runs: the store and models the PHASEGATE_* variables name."""
    return create_app(WebConfig(db=os.environ.get("PHASEGATE_DB") or str(Path(".phasegate") / "phasegate.db"),
                                models=os.environ.get("PHASEGATE_MODELS") or None,
                                now=os.environ.get("PHASEGATE_NOW") or None,
                                zone=os.environ.get("PHASEGATE_TZ") or None,
                                data_dirs=tuple(d for d in os.environ.get("PHASEGATE_DATA_DIRS", "").split(os.pathsep) if d),
                                secure_cookies=os.environ.get("PHASEGATE_SECURE_COOKIES") == "1"))
