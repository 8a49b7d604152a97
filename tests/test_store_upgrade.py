"""A store written by an earlier phasegate keeps working after the upgrade, and a newer one is refused."""

from __future__ import annotations

import pytest


import shutil
import sqlite3
from pathlib import Path

from conftest import Terminal, store_bytes
from engine.store.store import SCHEMA_VERSION

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set

V1_STORE = Path(__file__).parent / "fixtures" / "stores" / "schema-v1.db"


def schema_1_store(location: str) -> str:
    """The store an earlier phasegate (schema 1) left behind: the SQLite fixture itself, or the same
    tables and rows recreated in a PostgreSQL schema with that version's DDL."""
    if not location.startswith("postgresql://"):
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(V1_STORE, location)
        return location
    import psycopg
    from urllib.parse import parse_qsl, urlsplit

    from engine.store.store import MIGRATIONS, _statement

    schema = dict(parse_qsl(urlsplit(location).query))["schema"]
    source = sqlite3.connect(V1_STORE)
    with psycopg.connect(location.split("?")[0], autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT)")
        for statement in MIGRATIONS[1]:
            conn.execute(_statement(statement, "postgresql"))
        for table in ("schema_version", "memberships", "model_versions", "instances", "open_tasks", "audit"):
            cursor = source.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                f"({', '.join(['%s'] * len(columns))})", rows)
            if "id" in columns:
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    return location


def test_a_schema_1_store_upgrades_in_place_and_every_instance_runs_on(new_store):
    db = schema_1_store(new_store("old"))
    terminal = Terminal(db)
    # The waiting 2-hour timer of instance 1 was not in any table before: the upgrade records it.
    [deadline] = [d for d in terminal.json("deadlines") if d["kind"] == "timer"]
    assert (deadline["instance_id"], deadline["task_id"]) == (1, "answer_overdue")
    from engine.store.store import Store

    store = Store(db)
    versions = [r[0] for r in store._x("SELECT version FROM schema_version ORDER BY version").fetchall()]
    store.close()
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


def test_a_store_from_a_newer_phasegate_is_refused_untouched(new_store):
    from engine.store.store import Store

    db = new_store("new")
    terminal = Terminal(db)
    terminal.json("processes")
    store = Store(db)
    store._x("INSERT INTO schema_version (version, applied_at) VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    store.close()
    before = store_bytes(db)
    result = terminal.run("tasks")
    assert result.exit_code == 8
    shown = db if not db.startswith("postgresql://") else "postgresql://127.0.0.1:5432/test"
    assert result.stderr.strip() == (
        f"phasegate: store-error: {shown}: the store has schema version {SCHEMA_VERSION + 1}, newer than this "
        f"program's {SCHEMA_VERSION} (hint: upgrade phasegate)")
    assert store_bytes(db) == before
