"""`phasegate serve` refuses what it must, with the right HTTP status, changing nothing and leaking
nothing: sign-in with a wrong, revoked or missing token; a post without (or with a wrong) CSRF token;
another lane's task; a malformed or oversized form post. Driven through Starlette's TestClient, on a
store where the draft waits for 管理层审议 (tests/web_story.py)."""

from __future__ import annotations

import asyncio
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from conftest import MANAGER, TECH, Terminal, store_bytes
from web.app import WebConfig, create_app
from web_story import NOW, draft_waiting


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    db = tmp_path_factory.mktemp("prepared") / "phasegate.db"
    _terminal, instance, tokens = draft_waiting(db)
    return db, instance, tokens


@pytest.fixture
def site(prepared, tmp_path):
    """A copy of the prepared store behind a fresh app; yields (client factory, db, instance, tokens)."""
    source, instance, tokens = prepared
    db = tmp_path / "phasegate.db"
    for part in source.parent.glob(source.name + "*"):
        shutil.copy(part, tmp_path / part.name)
    app = create_app(WebConfig(db=str(db), now=NOW))
    asyncio.run(app.state.engine(lambda engine: None))  # the store open (its -wal file there) before any snapshot
    clients = []

    def client() -> TestClient:
        made = TestClient(app, follow_redirects=False, headers={"Accept-Language": "en"})
        made.__enter__()
        clients.append(made)
        return made

    yield client, db, instance, tokens
    for made in clients:
        made.__exit__(None, None, None)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client: TestClient, token: str | None):
    csrf = csrf_of(client.get("/signin").text)
    return client.post("/signin", data={"csrf": csrf, **({"token": token} if token is not None else {})})


def signed_in(client_factory, token: str) -> tuple[TestClient, str]:
    client = client_factory()
    assert sign_in(client, token).status_code == 303
    return client, client.get("/api/me").json()["csrf"]


def test_a_manager_signs_in_with_a_token_and_the_cookie_is_httponly_and_strict(site):
    make, _db, _instance, tokens = site
    client = make()
    answer = sign_in(client, tokens[MANAGER])
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    me = client.get("/api/me").json()
    assert me["person"] == MANAGER and me["lanes"] == ["管理层"]
    assert [t["task_id"] for t in client.get("/api/tasks").json()] == ["review_draft"]


@pytest.mark.parametrize("token", ["pgt_00000000_" + "A" * 43, "not a token", "", None, "pgt_" + "x" * 300])
def test_sign_in_with_a_wrong_or_missing_token_is_refused_and_changes_nothing(site, token):
    make, db, _instance, _tokens = site
    before = store_bytes(db)
    client = make()
    answer = sign_in(client, token)
    assert answer.status_code == 401
    assert "the token is not valid (wrong, revoked or mistyped)" in answer.text
    assert "pgt_" not in answer.text.replace("phasegate people token", "")   # nothing of the token is echoed
    assert client.get("/api/tasks").status_code == 401
    assert client.get("/").headers["location"] == "/signin"
    assert store_bytes(db) == before


def test_a_revoked_token_signs_in_no_more_and_ends_the_session_it_opened(site):
    make, db, _instance, tokens = site
    client, _csrf = signed_in(make, tokens[TECH])
    assert client.get("/api/tasks").status_code == 200
    revoked = Terminal(db).json("people", "revoke", TECH, user=MANAGER)
    assert [t["person"] for t in revoked] == [TECH] and revoked[0]["revoked_at"]
    assert client.get("/api/tasks").status_code == 401          # the open session ends with its token
    before = store_bytes(db)
    assert sign_in(make(), tokens[TECH]).status_code == 401
    assert store_bytes(db) == before


def test_refusals_are_in_chinese_for_a_chinese_browser_with_the_same_status_and_keys(site):
    make, _db, instance, tokens = site
    client = make()
    client.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
    assert "令牌无效" in sign_in(client, "pgt_00000000_" + "A" * 43).text
    assert sign_in(client, tokens[TECH]).status_code == 303
    answer = client.get(f"/api/instances/{instance}/tasks/review_draft/form")
    assert answer.status_code == 403
    assert answer.json() == {"error": "not-allowed",
                             "message": f"{TECH} 无权打开“review_draft”：该任务属于泳道 管理层（成员：吴秀英, 孙志强）"}


def test_sign_in_without_the_sign_in_page_csrf_is_refused(site):
    make, _db, _instance, tokens = site
    client = make()
    answer = client.post("/signin", data={"token": tokens[MANAGER]})
    assert answer.status_code == 403
    client.get("/signin")
    assert client.post("/signin", data={"token": tokens[MANAGER], "csrf": "forged"}).status_code == 403
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("header", [None, "", "forged-token"])
def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(site, header):
    make, db, instance, tokens = site
    client, _csrf = signed_in(make, tokens[MANAGER])
    before = store_bytes(db)
    answer = client.post(f"/api/instances/{instance}/tasks/review_draft/complete",
                         json={"draft_decision": "approve", "review_comments": ""},
                         headers={} if header is None else {"X-CSRF-Token": header})
    assert answer.status_code == 403 and answer.json()["error"] == "csrf"
    assert store_bytes(db) == before
    signout = client.post("/signout", data={"csrf": "forged"})
    assert signout.status_code == 403 and client.get("/api/me").status_code == 200


def test_another_lanes_task_is_refused_and_its_form_is_not_shown(site):
    make, db, instance, tokens = site
    client, csrf = signed_in(make, tokens[TECH])
    before = store_bytes(db)
    line = f"{TECH} may not open 'review_draft': it belongs to lane 管理层 (members: 吴秀英, 孙志强)"
    for path in ("form", "formjs"):
        answer = client.get(f"/api/instances/{instance}/tasks/review_draft/{path}")
        assert answer.status_code == 403 and answer.json() == {"error": "not-allowed", "message": line}
    page = client.get(f"/tasks/{instance}/review_draft")
    assert page.status_code == 403 and "审议结论" not in page.text and "draft_decision" not in page.text
    answer = client.post(f"/api/instances/{instance}/tasks/review_draft/complete", headers={"X-CSRF-Token": csrf},
                         json={"draft_decision": "approve", "review_comments": ""})
    assert answer.status_code == 403
    assert answer.json()["message"] == line.replace("open", "complete")
    assert store_bytes(db) == before


@pytest.mark.parametrize("body, status, problem", [
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2]", 400, "must be a JSON object"),
    (b"\xff\xfe", 400, "not UTF-8"),
    (b'{"draft_decision": "maybe"}', 422, "draft_decision: Input should be 'approve' or 'revise'"),
    (b'{"draft_decision": "approve", "salary": 1}', 422, "salary: Extra inputs are not permitted"),
    (b'{"draft_decision": "revise", "review_comments": ""}', 422, "form: 退回修改时必须填写审议意见"),
])
def test_a_malformed_form_post_is_refused_with_the_cli_field_messages(site, body, status, problem):
    make, db, instance, tokens = site
    client, csrf = signed_in(make, tokens[MANAGER])
    before = store_bytes(db)
    answer = client.post(f"/api/instances/{instance}/tasks/review_draft/complete", content=body,
                         headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert answer.status_code == status
    found = answer.json()
    assert problem in (found.get("problems") or [found["message"]])[0] or problem in found["message"]
    assert store_bytes(db) == before


def test_an_oversized_body_is_refused_before_it_is_read(site):
    make, db, instance, tokens = site
    client, csrf = signed_in(make, tokens[MANAGER])
    before = store_bytes(db)
    url = f"/api/instances/{instance}/tasks/review_draft/complete"
    big = b'{"review_comments": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = client.post(url, content=big, headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert answer.status_code == 413
    streamed = client.post(url, content=iter([big[:600_000], big[600_000:]]),
                           headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert store_bytes(db) == before


def test_the_manager_completes_through_the_api_and_the_audit_log_names_them(site):
    make, db, instance, tokens = site
    client, csrf = signed_in(make, tokens[MANAGER])
    revision = client.get(f"/api/revision?instance={instance}").json()["revision"]
    answer = client.post(f"/api/instances/{instance}/tasks/review_draft/complete", headers={"X-CSRF-Token": csrf},
                         json={"draft_decision": "approve", "review_comments": ""})
    assert answer.status_code == 200
    done = answer.json()
    assert done["completed"]["task_id"] == "review_draft" and done["instance"]["revision"] == revision + 1
    assert client.get(f"/api/revision?instance={instance}").json()["revision"] == revision + 1
    last = Terminal(db).json("history", instance)[-1]
    assert (last["actor"], last["action"], last["task_id"]) == (MANAGER, "complete", "review_draft")
    again = client.post(f"/api/instances/{instance}/tasks/review_draft/complete", headers={"X-CSRF-Token": csrf},
                        json={"draft_decision": "approve", "review_comments": ""})
    assert again.status_code in (404, 409) and "review_draft" in again.json()["message"]


@pytest.mark.parametrize("path", ["/api/me", "/api/tasks", "/api/instances", "/api/instances/1", "/api/instances/1/history",
                                  "/api/instances/1/overlay", "/api/instances/1/diagram", "/api/deadlines",
                                  "/api/people", "/api/revision", "/api/instances/1/tasks/review_draft/form"])
def test_every_api_call_needs_a_signed_in_session(site, path):
    make, _db, _instance, _tokens = site
    answer = make().get(path)
    assert answer.status_code == 401 and answer.json()["error"] == "not-signed-in"


def test_the_api_is_documented_by_openapi_with_the_cli_json_shapes(site):
    make, _db, _instance, _tokens = site
    spec = make().get("/api/openapi.json").json()
    assert "/api/instances/{instance_id}/tasks/{task}/complete" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert {"TaskView", "InstanceDetail", "CompletionView", "AuditView", "FormView"} <= set(schemas)
    assert list(schemas["TaskView"]["properties"]) == ["instance_id", "task_guid", "task_id", "name", "lane",
                                                       "process_id", "ready_at", "due_at"]


def test_the_api_answers_as_the_cli_json_does(site):
    make, db, instance, tokens = site
    client, _csrf = signed_in(make, tokens[MANAGER])
    terminal = Terminal(db)
    terminal.now = NOW
    assert client.get("/api/tasks").json() == terminal.json("tasks", user=MANAGER)
    assert client.get(f"/api/instances/{instance}").json() == terminal.json("show", instance)
    assert client.get(f"/api/instances/{instance}/tasks/review_draft/form").json() == \
        terminal.json("form", instance, "review_draft")


def test_serve_refuses_a_network_address_without_public(terminal):
    result = terminal.run("serve", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("phasegate: usage: Invalid value for --host: 0.0.0.0 is not a loopback address; "
                                     "add --public to listen there (see phasegate serve --help)")
