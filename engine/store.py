"""The store: the only module that holds SQL. Embedded SQLite, one transaction per command.

Tables: model_versions (a spec stored once per version), instances (state without spec, plus a
revision checked on every write), open_tasks (what `tasks` lists, without loading instances),
audit (append-only: triggers refuse UPDATE and DELETE), memberships (person ↔ lane).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from .errors import ChangedMeanwhile, StoreError

SCHEMA_VERSION = 2

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE model_versions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            process_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            name TEXT NOT NULL,
            source TEXT NOT NULL,
            lanes_json TEXT NOT NULL,
            start_lanes_json TEXT NOT NULL,
            spec_json TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (process_id, version),
            UNIQUE (process_id, sha256))""",
        """CREATE TABLE instances (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
            process_id TEXT NOT NULL,
            status TEXT NOT NULL,
            revision INTEGER NOT NULL,
            started_by TEXT NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            serializer_version TEXT NOT NULL,
            state_json TEXT NOT NULL)""",
        "CREATE INDEX instances_by_process ON instances (process_id, status)",
        """CREATE TABLE open_tasks (
            instance_id INTEGER NOT NULL REFERENCES instances(id),
            task_guid TEXT NOT NULL,
            task_id TEXT NOT NULL,
            name TEXT NOT NULL,
            lane TEXT,
            process_id TEXT NOT NULL,
            ready_at TEXT NOT NULL,
            due_at TEXT,
            PRIMARY KEY (instance_id, task_guid))""",
        "CREATE INDEX open_tasks_by_lane ON open_tasks (lane, instance_id)",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            instance_id INTEGER,
            task_id TEXT,
            task_guid TEXT,
            action TEXT NOT NULL,
            revision INTEGER,
            data_json TEXT NOT NULL)""",
        "CREATE INDEX audit_by_instance ON audit (instance_id, id)",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TABLE memberships (
            person TEXT NOT NULL,
            lane TEXT NOT NULL,
            PRIMARY KEY (person, lane))""",
        "CREATE INDEX memberships_by_lane ON memberships (lane)",
    ],
    2: [
        """CREATE TABLE timers (
            instance_id INTEGER NOT NULL REFERENCES instances(id),
            task_guid TEXT NOT NULL,
            task_id TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            due_at TEXT NOT NULL,
            attached_to TEXT,
            lane TEXT,
            interrupting INTEGER NOT NULL,
            process_id TEXT NOT NULL,
            PRIMARY KEY (instance_id, task_guid))""",
        "CREATE INDEX timers_by_due ON timers (due_at)",
        "CREATE INDEX open_tasks_by_due ON open_tasks (due_at)",
    ],
}


def _rows(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class Store:
    """An open SQLite store. Use `with store.atomic():` around every write."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._depth = 0
        self.upgraded_from: int | None = None  # the schema version this open migrated from, if any
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self.conn.execute("PRAGMA busy_timeout = 30000")
            self.conn.execute("PRAGMA foreign_keys = ON")
            mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: cannot open the store: {err}") from None

    def close(self) -> None:
        self.conn.close()

    # -- transactions and schema -------------------------------------------------------------

    @contextmanager
    def atomic(self):
        """One write transaction; nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def schema_version(self) -> int:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
        ).fetchone()
        if not exists:
            return 0
        row = self.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return row[0] or 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: the store has schema version {current}, newer than this program's "
                f"{SCHEMA_VERSION}",
                hint="upgrade phasegate",
            )
        if current == SCHEMA_VERSION:
            return
        with self.atomic():
            current = self.schema_version()  # re-read under the write lock
            if current:
                self.upgraded_from = current
            if current == 0:
                self.conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT)"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, datetime('now'))",
                    (version,),
                )

    # -- model versions ------------------------------------------------------------------------

    def model_versions(self, process_id: str | None = None) -> list[dict]:
        sql = (
            "SELECT m.id, m.process_id, m.version, m.sha256, m.name, m.source, m.lanes_json,"
            " m.start_lanes_json, m.created_at,"
            " (SELECT COUNT(*) FROM instances i WHERE i.model_version_id = m.id) AS instances"
            " FROM model_versions m"
        )
        args: tuple = ()
        if process_id:
            sql += " WHERE m.process_id = ?"
            args = (process_id,)
        return _rows(self.conn.execute(sql + " ORDER BY m.process_id, m.version", args))

    def find_model_version(self, process_id: str, sha256: str) -> dict | None:
        rows = _rows(self.conn.execute(
            "SELECT id, process_id, version, sha256, name, source, lanes_json, start_lanes_json, created_at"
            " FROM model_versions WHERE process_id = ? AND sha256 = ?",
            (process_id, sha256),
        ))
        return rows[0] if rows else None

    def add_model_version(self, *, process_id, sha256, name, source, lanes, start_lanes, spec_json, now) -> dict:
        with self.atomic():
            found = self.find_model_version(process_id, sha256)
            if found:
                return found
            (latest,) = self.conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE process_id = ?", (process_id,)
            ).fetchone()
            self.conn.execute(
                "INSERT INTO model_versions (process_id, version, sha256, name, source, lanes_json,"
                " start_lanes_json, spec_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (process_id, latest + 1, sha256, name, source, json.dumps(lanes, ensure_ascii=False),
                 json.dumps(start_lanes, ensure_ascii=False), spec_json, now),
            )
            return self.find_model_version(process_id, sha256)

    def model_spec(self, model_version_id: int) -> str:
        row = self.conn.execute("SELECT spec_json FROM model_versions WHERE id = ?", (model_version_id,)).fetchone()
        if row is None:
            raise StoreError(f"model version {model_version_id} is missing from the store")
        return row[0]

    # -- instances -----------------------------------------------------------------------------

    _INSTANCE_COLUMNS = (
        "i.id, i.model_version_id, i.process_id, i.status, i.revision, i.started_by, i.started_at,"
        " i.updated_at, i.serializer_version, m.version AS model_version"
    )

    def insert_instance(self, *, model_version_id, process_id, status, started_by, now, serializer_version, state_json) -> int:
        with self.atomic():
            cur = self.conn.execute(
                "INSERT INTO instances (model_version_id, process_id, status, revision, started_by,"
                " started_at, updated_at, serializer_version, state_json)"
                " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)",
                (model_version_id, process_id, status, started_by, now, now, serializer_version, state_json),
            )
            return cur.lastrowid

    def instance(self, instance_id: int, with_state: bool = False) -> dict | None:
        cols = self._INSTANCE_COLUMNS + (", i.state_json" if with_state else "")
        rows = _rows(self.conn.execute(
            f"SELECT {cols} FROM instances i JOIN model_versions m ON m.id = i.model_version_id WHERE i.id = ?",
            (instance_id,),
        ))
        return rows[0] if rows else None

    def instances(self, process_id: str | None = None, status: str | None = None, limit: int | None = None) -> list[dict]:
        where, args = [], []
        if process_id:
            where.append("i.process_id = ?")
            args.append(process_id)
        if status:
            where.append("i.status = ?")
            args.append(status)
        sql = f"SELECT {self._INSTANCE_COLUMNS} FROM instances i JOIN model_versions m ON m.id = i.model_version_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY i.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return _rows(self.conn.execute(sql, args))

    def update_instance(self, instance_id: int, *, expected_revision: int, status: str, now: str, state_json: str) -> int:
        """Write a new state if nobody else did since `expected_revision`; returns the new revision."""
        with self.atomic():
            cur = self.conn.execute(
                "UPDATE instances SET state_json = ?, status = ?, updated_at = ?, revision = revision + 1"
                " WHERE id = ? AND revision = ?",
                (state_json, status, now, instance_id, expected_revision),
            )
            if cur.rowcount != 1:
                raise ChangedMeanwhile(
                    f"instance {instance_id} was changed meanwhile by someone else; nothing was saved, try again"
                )
            return expected_revision + 1

    # -- open tasks ------------------------------------------------------------------------------

    def replace_open_tasks(self, instance_id: int, tasks: list[dict]) -> None:
        with self.atomic():
            self.conn.execute("DELETE FROM open_tasks WHERE instance_id = ?", (instance_id,))
            self.conn.executemany(
                "INSERT INTO open_tasks (instance_id, task_guid, task_id, name, lane, process_id, ready_at, due_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (instance_id, t["task_guid"], t["task_id"], t["name"], t["lane"], t["process_id"],
                     t["ready_at"], t.get("due_at"))
                    for t in tasks
                ],
            )

    def open_tasks(self, *, lanes: list[str] | None = None, instance_id: int | None = None, limit: int | None = None) -> list[dict]:
        where, args = [], []
        if lanes is not None:
            if not lanes:
                return []
            where.append(f"lane IN ({', '.join('?' for _ in lanes)})")
            args.extend(lanes)
        if instance_id is not None:
            where.append("instance_id = ?")
            args.append(instance_id)
        sql = "SELECT instance_id, task_guid, task_id, name, lane, process_id, ready_at, due_at FROM open_tasks"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY instance_id, ready_at, task_id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return _rows(self.conn.execute(sql, args))

    # -- timers and deadlines --------------------------------------------------------------------
    # Instants are stored as UTC ISO text with microseconds, so text order is time order.

    def replace_timers(self, instance_id: int, timers: list[dict]) -> None:
        with self.atomic():
            self.conn.execute("DELETE FROM timers WHERE instance_id = ?", (instance_id,))
            self.conn.executemany(
                "INSERT INTO timers (instance_id, task_guid, task_id, name, kind, due_at, attached_to, lane,"
                " interrupting, process_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (instance_id, t["task_guid"], t["task_id"], t["name"], t["kind"], t["due_at"],
                     t.get("attached_to"), t.get("lane"), int(bool(t.get("interrupting"))), t["process_id"])
                    for t in timers
                ],
            )

    def instances_with_due_timers(self, now: str) -> list[int]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT instance_id FROM timers WHERE due_at <= ? ORDER BY instance_id", (now,))]

    def timers(self, instance_id: int | None = None) -> list[dict]:
        sql = ("SELECT instance_id, task_guid, task_id, name, kind, due_at, attached_to, lane, interrupting,"
               " process_id FROM timers")
        args: tuple = ()
        if instance_id is not None:
            sql += " WHERE instance_id = ?"
            args = (instance_id,)
        return _rows(self.conn.execute(sql + " ORDER BY due_at", args))

    def deadlines(self, until: str | None = None) -> list[dict]:
        """Every waiting timer and every open task with a due time, soonest first, up to `until`."""
        timer_where = "WHERE due_at <= ?" if until else ""
        task_where = "WHERE due_at IS NOT NULL" + (" AND due_at <= ?" if until else "")
        sql = (
            "SELECT 'timer' AS kind, instance_id, process_id, task_id, name, lane, due_at, attached_to"
            f" FROM timers {timer_where}"
            " UNION ALL SELECT 'task' AS kind, instance_id, process_id, task_id, name, lane, due_at, NULL"
            f" FROM open_tasks {task_where} ORDER BY due_at, instance_id, task_id"
        )
        return _rows(self.conn.execute(sql, (until, until) if until else ()))

    # -- audit -----------------------------------------------------------------------------------

    def add_audit(self, *, at, actor, action, instance_id=None, task_id=None, task_guid=None, revision=None, data=None) -> None:
        with self.atomic():
            self.conn.execute(
                "INSERT INTO audit (at, actor, instance_id, task_id, task_guid, action, revision, data_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (at, actor, instance_id, task_id, task_guid, action, revision,
                 json.dumps(data if data is not None else {}, ensure_ascii=False, sort_keys=True)),
            )

    def audit(self, instance_id: int | None = None) -> list[dict]:
        sql = "SELECT id, at, actor, instance_id, task_id, task_guid, action, revision, data_json FROM audit"
        args: tuple = ()
        if instance_id is not None:
            sql += " WHERE instance_id = ?"
            args = (instance_id,)
        return _rows(self.conn.execute(sql + " ORDER BY id", args))

    # -- people and lanes --------------------------------------------------------------------------

    def memberships(self) -> list[dict]:
        return _rows(self.conn.execute("SELECT person, lane FROM memberships ORDER BY lane, person"))

    def lanes_of(self, person: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT lane FROM memberships WHERE person = ? ORDER BY lane", (person,))]

    def members_of(self, lane: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT person FROM memberships WHERE lane = ? ORDER BY person", (lane,))]

    def has_memberships(self) -> bool:
        return self.conn.execute("SELECT 1 FROM memberships LIMIT 1").fetchone() is not None

    def add_membership(self, person: str, lane: str) -> bool:
        with self.atomic():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO memberships (person, lane) VALUES (?, ?)", (person, lane))
            return cur.rowcount == 1

    def remove_membership(self, person: str, lane: str) -> bool:
        with self.atomic():
            cur = self.conn.execute("DELETE FROM memberships WHERE person = ? AND lane = ?", (person, lane))
            return cur.rowcount == 1
