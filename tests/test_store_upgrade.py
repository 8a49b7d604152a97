"""A store written by an earlier phasegate keeps working after the upgrade, and a newer one is refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import Terminal, store_bytes
from engine.store import SCHEMA_VERSION

V1_STORE = Path(__file__).parent / "fixtures" / "stores" / "schema-v1.db"


def test_a_schema_1_store_upgrades_in_place_and_every_instance_runs_on(tmp_path):
    db = tmp_path / "old" / "phasegate.db"
    db.parent.mkdir()
    shutil.copy(V1_STORE, db)
    terminal = Terminal(db)
    # The waiting 2-hour timer of instance 1 was not in any table before: the upgrade records it.
    [deadline] = [d for d in terminal.json("deadlines") if d["kind"] == "timer"]
    assert (deadline["instance_id"], deadline["task_id"]) == (1, "answer_overdue")
    versions = [r[0] for r in sqlite3.connect(db).execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    fired = terminal.json("tick", now="2030-01-01T00:00:00+08:00")["fired"]
    assert [(f["instance_id"], f["task_id"]) for f in fired] == [(1, "answer_overdue")]
    done = terminal.ok("complete", 3, "answer_inquiry", user="林晓燕", answer_text="7天无理由退货", response_minutes=30)
    assert done["ready"][0]["task_id"] == "prepare_quote"
    # Instance 2 keeps the model version it started with: the old programme had no phase-window timer.
    step = terminal.ok("complete", 2, "form_task_force", user="周涛", project_manager="周涛",
                       marketing_members=["李娜", "张伟"], operations_members=["王芳", "刘洋", "陈静"],
                       technology_members=["杨磊", "赵敏"], service_members=["黄丽"])
    assert step["instance"]["model_version"] == 1


def test_a_store_from_a_newer_phasegate_is_refused_untouched(tmp_path):
    db = tmp_path / "new.db"
    terminal = Terminal(db)
    terminal.json("processes")
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    before = store_bytes(db)
    result = terminal.run("tasks")
    assert result.exit_code == 8
    assert result.stderr.strip() == (
        f"phasegate: store-error: {db}: the store has schema version {SCHEMA_VERSION + 1}, newer than this "
        f"program's {SCHEMA_VERSION} (hint: upgrade phasegate)")
    assert store_bytes(db) == before
