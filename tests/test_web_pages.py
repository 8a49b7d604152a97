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


def test_my_tasks_puts_overdue_first_then_the_soonest_due_and_pages_by_a_hundred(site):
    """Open tasks with and without due times (rows as the schedule writes them) in 管理层's lane."""
    from engine.store.store import Store

    make, db, instance, tokens = site
    store = Store(db)
    columns = ("instance_id", "task_guid", "task_id", "name", "lane", "process_id", "ready_at", "due_at")
    rows = [(instance, f"00000000-0000-4000-8000-{n:012d}", f"extra_{n}", f"额外任务{n}", "管理层", "business_adjustment",
             f"2023-09-{1 + n % 20:02d}T01:00:00.000000+00:00", due)
            for n, due in [(1, "2023-09-26T02:00:00.000000+00:00"), (2, "2023-09-20T02:00:00.000000+00:00"),
                           (3, None)] + [(n, None) for n in range(4, 121)]]
    store.insert_rows("open_tasks", columns, rows)
    store.close()
    client, _csrf = signed_in(make, tokens[MANAGER])
    first = client.get("/?lang=en").text
    order = [part.split("</code>")[0] for part in first.split("<code>")[1:]]
    assert order[:2] == ["extra_2", "extra_1"]               # overdue (due 09-20), then the soonest due (09-26)
    assert first.count('<tr class="row-overdue">') == 1 and "121 open tasks, page 1 of 2" in first
    assert len(order) == 100
    second = client.get("/?lang=en&page=2").text
    assert len(second.split("<code>")) - 1 == 21 and "review_draft" in first + second


def test_serve_hands_the_administrators_data_folders_to_the_pages(monkeypatch, tmp_path):
    """`phasegate --data-dir DIR serve` passes DIR on as PHASEGATE_DATA_DIRS; the app's service
    tasks then read there too, as the command line's do."""
    import os

    from web.app import from_environment

    monkeypatch.setenv("PHASEGATE_DB", str(tmp_path / "store.db"))
    monkeypatch.setenv("PHASEGATE_DATA_DIRS", os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")]))
    app = from_environment()
    assert app.state.config.data_dirs == (str(tmp_path / "a"), str(tmp_path / "b"))
