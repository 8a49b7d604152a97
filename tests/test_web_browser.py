"""The web story in a real browser: Debian's Chromium, driven by puppeteer-core (tests/browser/web.mjs),
against `phasegate serve` running as its own process.

孙志强 (管理层) signs in with a token, sees the draft approval waiting, opens it, sends it back without
a reason (refused with the engine's field message), approves it, and the instance page shows the gate
passed and the next step waiting, refreshed in another tab by itself; 杨磊 (技术部) opening the same
task is refused; a POST without the CSRF token is refused. Screenshots go to out/screenshots/.

Needs Chromium and the npm packages (tools/install_browser_test.sh, and web/assets from `make setup`);
skips with a message when they are missing, except under CI=true, where it fails instead.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import MANAGER, REPO, TECH, need_browser
from test_bpmnjs import BROWSER_DIR, browser_missing
from web_story import SCREENSHOTS, draft_waiting, served


def missing() -> str | None:
    found = browser_missing()
    if found:
        return found
    if not (REPO / "web" / "assets" / "node_modules" / "@bpmn-io" / "form-js" / "dist").is_dir():
        return "web/assets/node_modules is missing (make setup runs npm ci there)"
    return None


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    need_browser(missing(), "bash tools/install_browser_test.sh and make setup")
    db = tmp_path_factory.mktemp("web") / "store" / "phasegate.db"
    terminal, instance, tokens = draft_waiting(db)
    with served(db) as base:
        env = {**os.environ, "BASE": base, "MANAGER_TOKEN": tokens[MANAGER], "OTHER_TOKEN": tokens[TECH],
               "INSTANCE": str(instance), "SHOTS": str(SCREENSHOTS)}
        proc = subprocess.run(["node", str(BROWSER_DIR / "web.mjs")], capture_output=True, text=True, timeout=240,
                              cwd=BROWSER_DIR, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout)
    assert "error" not in seen, seen.get("error")
    return terminal, instance, seen


def test_manager_approves_the_draft_in_the_browser_and_the_next_gate_is_highlighted(story):
    terminal, instance, seen = story
    assert seen["pageErrors"] == []
    # the tasklist shows the draft approval waiting for 管理层
    assert "管理层审议" in seen["tasklist"] and "review_draft" in seen["tasklist"]
    assert "审议结论" in seen["formText"]
    # sent back without a reason: the engine's own line for the field, and nothing saved
    assert seen["invalidStatus"] == "422"
    assert "form: 退回修改时必须填写审议意见" in seen["invalidMessages"] and "未通过校验" in seen["invalidMessages"]
    # approved: the instance page, gate 1 passed, the pilot window waiting next
    assert seen["validStatus"] == "200"
    assert seen["instanceUrl"].endswith(f"/instances/{instance}")
    classes = seen["classes"]
    assert "pg-completed" in classes["review_draft"] and "pg-completed" in classes["draft_decision"]
    assert "pg-completed" in classes["draft_decision_to_draft_published"]   # the path taken
    assert "pg-waiting" in classes["await_pilot_window"]
    assert "到期 2023-10-01 00:00" in seen["notes"]      # the pilot window opens, Shanghai time
    # the other tab refreshed by itself to the new revision
    assert int(seen["watcherRevisionAfter"]) > int(seen["watcherRevisionBefore"])
    assert "管理层审议" not in seen["tasklistAfter"]
    # the store: one completion by 孙志强, with the approved values; the refused post left no trace
    completions = [a for a in terminal.json("history", instance) if a["task_id"] == "review_draft"]
    assert [(a["actor"], a["data"]["draft_decision"]) for a in completions] == [(MANAGER, "approve")]
    # the programme: the instance past 草案发布, waiting for the pilot window
    assert "草案发布" in seen["programme"] and "试点阶段开始" in seen["programme"]
    for name in ("tasklist.png", "form-invalid.png", "instance-overlay.png", "programme.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000


def test_another_lane_is_refused_and_a_forged_post_without_csrf_changes_nothing(story):
    _terminal, _instance, seen = story
    assert seen["other"]["status"] == 403
    assert f"{TECH} 无权打开“review_draft”：该任务属于泳道 管理层" in seen["other"]["text"]
    assert "管理层审议" not in seen["other"]["tasks"]
    assert seen["forged"]["status"] == 403 and seen["forged"]["body"]["error"] == "csrf"
