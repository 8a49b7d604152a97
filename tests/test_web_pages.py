"""The pages a signed-in person reads: my tasks (overdue first, paged), an instance, the programme
with the draft bundle to download, in Chinese or, when asked, English."""

from __future__ import annotations

import io
import zipfile

from conftest import MANAGER, PM
from test_web_security import prepared, signed_in, site  # noqa: F401 - the same prepared store and app


def test_the_programme_page_lists_the_instance_at_its_phase_and_gate_and_offers_the_draft_bundle(site):
    make, _db, instance, tokens = site
    client, _csrf = signed_in(make, tokens[MANAGER])
    page = client.get("/programme?lang=zh")
    assert page.status_code == 200
    assert "整体进度" in page.text and f'href="/instances/{instance}"' in page.text
    assert "业务调整启动" in page.text and "管理层审议" in page.text      # phase: the start event; gate: the review
    bundle = client.get("/programme/proposal.zip")
    assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    assert any(n.endswith(".svg") for n in names) and any(n.endswith(".md") for n in names)


def test_an_instance_page_shows_its_steps_history_and_data_in_english_when_asked(site):
    make, _db, instance, tokens = site
    client, _csrf = signed_in(make, tokens[MANAGER])
    page = client.get(f"/instances/{instance}?lang=en")
    assert page.status_code == 200
    assert f"Instance {instance}" in page.text and "History" in page.text and "Data" in page.text
    assert f'href="/tasks/{instance}/' in page.text and "review_draft" in page.text   # my lane's ready task, linked
    assert PM in page.text                                                              # the history's actors
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert client.get(f"/instances/{instance}").cookies.get("phasegate_lang") is None
    assert "实例" not in client.get(f"/instances/{instance}").text.split("<main>")[1][:40]  # the cookie kept English
    missing = client.get("/instances/999")
    assert missing.status_code == 404 and "999" in missing.text


def test_my_tasks_shows_my_lanes_only_and_every_lane_on_request(site):
    make, _db, _instance, tokens = site
    client, _csrf = signed_in(make, tokens[MANAGER])
    mine = client.get("/?lang=en").text
    assert "review_draft" in mine and "Open tasks of my lanes, overdue first" in mine
    everyone = client.get("/?all=1").text
    assert "review_draft" in everyone
