"""The store: the only module that runs SQL (schema.py holds the tables' DDL). Embedded SQLite or
PostgreSQL, one transaction per command.

A location is a SQLite file path, a `sqlite:///relative/path` or `sqlite:////absolute/path` URL, or
a `postgresql://` URL.

Tables: model_versions (a spec stored once per version), instances (state without spec, plus a
revision checked on every write), open_tasks (what `tasks` lists, without loading instances),
audit (append-only: triggers refuse UPDATE and DELETE), memberships (person ↔ lane), tokens
(personal access tokens, hashed: `tokens.py`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from engine.errors import ChangedMeanwhile, StoreError
from engine.store.schema import MIGRATIONS, SCHEMA_VERSION, _statement  # noqa: F401 - re-exported for callers
from engine.store.tokens import TokenRows, _rows  # noqa: F401 - one reader of rows as dicts


def is_postgres(location: str | Path) -> bool:
    """Whether a store location names a PostgreSQL server rather than a SQLite file."""
    return str(location).startswith(("postgresql://", "postgres://"))


def sqlite_path(location: str | Path) -> Path:
    """The SQLite file a location names: a path as it is, or the path of a `sqlite:` URL
    (`sqlite:///x.db` is x.db here, `sqlite:////srv/x.db` is /srv/x.db). Other URLs are refused."""
    text = str(location)
    if text.startswith("sqlite:"):
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(text)
        path = unquote(parts.path)[1:] if parts.path.startswith("/") else ""
        if parts.netloc or not path or parts.query:
            raise StoreError("{text}: not a SQLite URL",
                             hint="write sqlite:///relative/path.db or sqlite:////absolute/path.db", text=text)
        return Path(path)
    scheme = text.partition("://")[0]
    if "://" in text and scheme.isidentifier():
        raise StoreError("{text}: unknown kind of store '{scheme}'",
                         hint="use a file path, a sqlite:/// URL or a postgresql:// URL", text=text, scheme=scheme)
    return Path(text)


@lru_cache(maxsize=256)
def _schedule_sql(verb: str, table: str, count: int = 0) -> str:
    """The DELETE of `count` task rows, or the INSERT of one row, of a schedule table (texts made once)."""
    if verb == "DELETE":
        return f"DELETE FROM {table} WHERE instance_id = ? AND task_guid IN ({', '.join('?' * count)})"
    columns = Store.SCHEDULE_COLUMNS[table]
    return (f"INSERT INTO {table} (instance_id, {', '.join(columns)})"
            f" VALUES ({', '.join('?' * (len(columns) + 1))})")


_AUDIT_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps(..., ensure_ascii=False, sort_keys=True)


class _NoStore(Exception):
    """Raised inside `Store.existing` when there is no store to open."""


class _Transaction:
    """`with store.atomic():` as a plain class (a command enters it four or five times, nested)."""

    __slots__ = ("store",)

    def __init__(self, store: "Store"):
        self.store = store

    def __enter__(self) -> None:
        store = self.store
        if store._depth:
            store._depth += 1
            return
        store._x("BEGIN IMMEDIATE" if store.dialect == "sqlite" else "BEGIN")
        store._depth = 1

    def __exit__(self, kind, error, trace) -> bool:
        store = self.store
        if store._depth > 1:
            store._depth -= 1
            return False
        try:
            if kind is None:
                store._x("COMMIT")
            else:
                try:
                    store._x("ROLLBACK")
                except Exception:  # the connection itself failed; the server rolls back on its own
                    pass
        finally:
            store._depth = 0
        if kind is None and store._pending is not None and not store._held:
            store._materialize()
        return False


class _Provisional:
    """`with store.provisional():` commits inside do not bring a lazily opened store into existence."""

    __slots__ = ("store",)

    def __init__(self, store: "Store"):
        self.store = store

    def __enter__(self) -> None:
        self.store._held += 1

    def __exit__(self, kind, error, trace) -> bool:
        self.store._held -= 1
        return False


class Store(TokenRows):
    """An open store: a SQLite file (default) or a PostgreSQL database, through one code path.

    Every write runs in `with store.atomic():`. SQL is written once with `?` placeholders; the
    few statements that differ between the dialects are spelled out per dialect.
    """

    def __init__(self, location: Path | str, *, create: bool = True, lazy: bool = False):
        """Open the store at `location`, creating it or upgrading its schema as needed; with
        `create=False`, open an existing store for reading only (see `existing`).

        With `lazy=True` a SQLite file that is not there yet is not created by the open: the store
        starts in memory and the file (and its folder) appears, whole, when the first write commits
        outside `provisional()`. A command refused before it writes leaves no file behind."""
        self.location = str(location)
        self.dialect = "postgresql" if is_postgres(location) else "sqlite"
        self.path = sqlite_path(location) if self.dialect == "sqlite" else None
        self.read_only = not create
        self._depth = 0
        self._held = 0
        self._pending: Path | None = None  # a lazy store's file, made on the first real commit
        self.upgraded_from: int | None = None  # the schema version this open migrated from, if any
        self.conn = None
        try:
            if self.dialect == "postgresql":
                self._open_postgres()
            elif lazy and create and not self.path.exists() and str(self.path) != ":memory:":
                self._open_sqlite_in_memory()
            else:
                self._open_sqlite()
        except BaseException:
            if self.conn is not None:  # a refused open leaves nothing behind (no stray WAL file)
                self.conn.close()
            raise

    @classmethod
    def existing(cls, location: Path | str) -> "Store | None":
        """The store at `location` opened for reading only, or None when there is none there. Nothing
        is created, migrated or written (lint reads lane members this way)."""
        try:
            return cls(location, create=False)
        except _NoStore:
            return None

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.path is not None:
            return str(self.path)
        from urllib.parse import urlsplit

        parts = urlsplit(self.location)
        return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}{parts.path}"

    def _open_sqlite(self) -> None:
        if self.read_only:
            return self._open_sqlite_read_only()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self._x("PRAGMA busy_timeout = 30000")
            self._x("PRAGMA foreign_keys = ON")
            mode = self._x("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                self._x("PRAGMA journal_mode = WAL")
            self._x("PRAGMA synchronous = NORMAL")
            # Checkpoint every ~16 MB of log instead of 4 MB: an instance's pages, rewritten by each of
            # its commands, are copied into the database file once per checkpoint (issue 6).
            self._x("PRAGMA wal_autocheckpoint = 4000")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise StoreError("{path}: cannot open the store: {err}", path=self.path, err=err) from None

    def _open_sqlite_in_memory(self) -> None:
        """A lazy store whose file is not there: the schema in memory, the file on first commit."""
        self._pending = self.path
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self._x("PRAGMA foreign_keys = ON")
        with self.provisional():
            self._migrate()

    def provisional(self) -> "_Provisional":
        """Commits inside (first-open work: the schema, a seeded roster) keep a lazy store in memory."""
        return _Provisional(self)

    @property
    def materialized(self) -> bool:
        """Whether the store exists where it was named (False: a lazy store still only in memory)."""
        return self._pending is None

    def _materialize(self) -> None:
        """Write a lazy store's memory to its file, which must still not exist, then go on there.

        The file is built beside its place and linked in, so it appears whole; when another command
        made the store meanwhile, nothing is saved (ChangedMeanwhile) and that store is left alone."""
        path = self._pending
        made = []
        folder = path.parent
        while not folder.exists():
            made.append(folder)
            folder = folder.parent
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            target = sqlite3.connect(str(partial), isolation_level=None)
            try:
                self.conn.backup(target)
                target.execute("PRAGMA journal_mode = WAL")
            finally:
                target.close()
            try:
                os.link(partial, path)
            except FileExistsError:
                raise ChangedMeanwhile("{path}: the store was created meanwhile by another command; nothing was saved, try again", path=path) from None
            except OSError:  # a file system without hard links
                if path.exists():
                    raise ChangedMeanwhile("{path}: the store was created meanwhile by another command; nothing was saved, try again", path=path) from None
                os.replace(partial, path)
        except (OSError, sqlite3.DatabaseError) as err:
            for folder in made:  # innermost first: leave no folder this store made
                try:
                    folder.rmdir()
                except OSError:
                    break
            reason = getattr(err, "strerror", None) or str(err)
            raise StoreError("{path}: cannot create the store ({reason})", path=path, reason=reason) from None
        finally:
            for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
                try:
                    leftover.unlink()
                except OSError:
                    pass
        memory, self._pending = self.conn, None
        self.conn = None
        try:
            self._open_sqlite()
        finally:
            memory.close()

    def _open_sqlite_read_only(self) -> None:
        from urllib.parse import quote

        if not self.path.is_file():
            raise _NoStore
        try:
            # Without a write-ahead log (the last writer closed), read the file as it is: a read-only
            # connection to a WAL database would leave an empty log and index file beside it.
            live = self.path.with_name(self.path.name + "-wal").exists()
            self.conn = sqlite3.connect(f"file:{quote(str(self.path.resolve()))}?mode=ro"
                                        + ("" if live else "&immutable=1"), uri=True, isolation_level=None, timeout=30)
            self._x("PRAGMA busy_timeout = 30000")
            self._check_readable()
        except sqlite3.DatabaseError as err:
            raise StoreError("{path}: cannot open the store: {err}", path=self.path, err=err) from None

    def _check_readable(self) -> None:
        """A read-only open: a store without tables counts as none; a newer schema is refused."""
        current = self.schema_version()
        if current == 0:
            raise _NoStore
        if current > SCHEMA_VERSION:
            raise StoreError("{display_name}: the store has schema version {current}, newer than this program's {SCHEMA_VERSION}", hint="upgrade phasegate", display_name=self.display_name, current=current, SCHEMA_VERSION=SCHEMA_VERSION)

    def _open_postgres(self) -> None:
        """Connect in autocommit mode (reads see the latest commit; writes use explicit BEGIN).

        A `schema=NAME` query parameter selects (and creates) a schema, so that several teams or
        test runs can share one database.
        """
        from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

        try:
            import psycopg
        except ImportError:
            raise StoreError("PostgreSQL stores need the psycopg package",
                             hint="pip install 'psycopg[binary]'") from None
        parts = urlsplit(self.location)
        query = dict(parse_qsl(parts.query))
        schema = query.pop("schema", None)
        conninfo = urlunsplit(parts._replace(query=urlencode(query)))
        try:
            self.conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
            if schema:
                if not schema.replace("_", "").isalnum():
                    raise StoreError("invalid schema name '{schema}': use letters, digits and _", schema=schema)
                if not self.read_only:
                    self.conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                self.conn.execute(f'SET search_path TO "{schema}"')
            if self.read_only:
                self._check_readable()
            else:
                self._migrate()
        except psycopg.Error as err:
            raise StoreError("{display_name}: cannot open the store: {reason}", display_name=self.display_name, reason=' '.join(str(err).split())) from None

    def close(self) -> None:
        self.conn.close()

    def _x(self, sql: str, args=()):
        """Execute one statement in this store's dialect."""
        if self.dialect == "postgresql":
            return self.conn.execute(sql.replace("?", "%s"), args)
        return self.conn.execute(sql, args)

    def _many(self, sql: str, rows) -> None:
        if self.dialect == "postgresql":
            with self.conn.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)
        else:
            self.conn.executemany(sql, rows)

    # -- transactions and schema -------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """Whether a write transaction of this store is open (inside `atomic`)."""
        return self._depth > 0

    def atomic(self) -> "_Transaction":
        """One write transaction; nested uses join the outer one. SQLite takes the write lock at once."""
        return _Transaction(self)

    def schema_version(self) -> int:
        if self.dialect == "sqlite":
            exists = self._x("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
        else:
            exists = self._x("SELECT to_regclass('schema_version')").fetchone()[0]
        if not exists:
            return 0
        row = self._x("SELECT MAX(version) FROM schema_version").fetchone()
        return row[0] or 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                "{display_name}: the store has schema version {current}, newer than this program's {SCHEMA_VERSION}",
                hint="upgrade phasegate",
             display_name=self.display_name, current=current, SCHEMA_VERSION=SCHEMA_VERSION)
        if current == SCHEMA_VERSION:
            return
        with self.atomic():
            if self.dialect == "postgresql":
                self._x("SELECT pg_advisory_xact_lock(74310)")  # one migrating process at a time
            current = self.schema_version()  # re-read under the write lock
            if current:
                self.upgraded_from = current
            if current == 0:
                self._x("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT)")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    sql = _statement(statement, self.dialect)
                    if sql:
                        self._x(sql)
                self._x("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                        (version, datetime.now(timezone.utc).isoformat(timespec="seconds")))

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
        return _rows(self._x(sql + " ORDER BY m.process_id, m.version", args))

    def find_model_version(self, process_id: str, sha256: str) -> dict | None:
        rows = _rows(self._x(
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
            (latest,) = self._x(
                "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE process_id = ?", (process_id,)
            ).fetchone()
            self._x(
                "INSERT INTO model_versions (process_id, version, sha256, name, source, lanes_json,"
                " start_lanes_json, spec_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (process_id, latest + 1, sha256, name, source, json.dumps(lanes, ensure_ascii=False),
                 json.dumps(start_lanes, ensure_ascii=False), spec_json, now),
            )
            return self.find_model_version(process_id, sha256)

    def model_spec(self, model_version_id: int) -> str:
        row = self._x("SELECT spec_json FROM model_versions WHERE id = ?", (model_version_id,)).fetchone()
        if row is None:
            raise StoreError("model version {model_version_id} is missing from the store", model_version_id=model_version_id)
        return row[0]

    def catalog(self, digest: str) -> dict | None:
        """What a parse of the models folder whose files have fingerprint `digest` found, if recorded."""
        row = self._x("SELECT summary_json FROM catalogs WHERE digest = ?", (digest,)).fetchone()
        return json.loads(row[0]) if row else None

    def add_catalog(self, digest: str, summary: dict, now: str) -> None:
        """Record what a parse of the models folder found (once per fingerprint)."""
        with self.atomic():
            self._x("INSERT INTO catalogs (digest, created_at, summary_json) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (digest, now, json.dumps(summary, ensure_ascii=False, sort_keys=True)))

    # -- instances -----------------------------------------------------------------------------

    _INSTANCE_COLUMNS = (
        "i.id, i.model_version_id, i.process_id, i.status, i.revision, i.started_by, i.started_at,"
        " i.updated_at, i.serializer_version, m.version AS model_version"
    )

    def insert_instance(self, *, model_version_id, process_id, status, started_by, now, serializer_version, state_json) -> int:
        with self.atomic():
            cur = self._x(
                "INSERT INTO instances (model_version_id, process_id, status, revision, started_by,"
                " started_at, updated_at, serializer_version, state_json)"
                " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id",
                (model_version_id, process_id, status, started_by, now, now, serializer_version, state_json),
            )
            return cur.fetchone()[0]

    def instance(self, instance_id: int, with_state: bool = False) -> dict | None:
        cols = self._INSTANCE_COLUMNS + (", i.state_json" if with_state else "")
        rows = _rows(self._x(
            f"SELECT {cols} FROM instances i JOIN model_versions m ON m.id = i.model_version_id WHERE i.id = ?",
            (instance_id,),
        ))
        return rows[0] if rows else None

    def instance_revision(self, instance_id: int) -> int | None:
        """An instance's revision by its primary key (one indexed read); None when there is none."""
        row = self._x("SELECT revision FROM instances WHERE id = ?", (instance_id,)).fetchone()
        return row[0] if row else None

    def instances(self, process_id: str | None = None, status: str | None = None,
                  version: int | None = None) -> list[dict]:
        where, args = [], []
        if version is not None:
            where.append("m.version = ?")
            args.append(version)
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
        return _rows(self._x(sql, args))

    def update_instance(self, instance_id: int, *, expected_revision: int, status: str, now: str, state_json: str,
                        model_version_id: int | None = None, status_before: str | None = None) -> int:
        """Write a new state (on `model_version_id` when it moves to another version) if nobody else did
        since `expected_revision`; returns the new revision. `status_before`: the status the caller read
        with that revision; when it equals `status` the column (and its index) is left as it is."""
        with self.atomic():
            sets = "state_json = ?, updated_at = ?"
            args: tuple = (state_json, now)
            if status != status_before:
                sets += ", status = ?"
                args += (status,)
            if model_version_id is not None:
                sets += ", model_version_id = ?"
                args += (model_version_id,)
            cur = self._x(f"UPDATE instances SET {sets}, revision = revision + 1 WHERE id = ? AND revision = ?",
                          args + (instance_id, expected_revision))
            if cur.rowcount != 1:
                raise ChangedMeanwhile(
                    "instance {instance_id} was changed meanwhile by someone else; nothing was saved, try again",
                    instance_id=instance_id)
            return expected_revision + 1

    # -- open tasks ------------------------------------------------------------------------------

    SCHEDULE_COLUMNS = {
        "open_tasks": ("task_guid", "task_id", "name", "lane", "process_id", "ready_at", "due_at"),
        "timers": ("task_guid", "task_id", "name", "kind", "due_at", "attached_to", "lane", "interrupting",
                   "process_id"),
    }

    def schedule_rows(self, instance_id: int) -> dict[str, dict[str, dict]]:
        """One instance's rows of the schedule tables: table → task guid → row (`SCHEDULE_COLUMNS`)."""
        found = {}
        for table, columns in self.SCHEDULE_COLUMNS.items():
            rows = _rows(self._x(f"SELECT {', '.join(columns)} FROM {table} WHERE instance_id = ?", (instance_id,)))
            found[table] = {row["task_guid"]: row for row in rows}
        return found

    def write_schedule(self, instance_id: int, before: dict[str, dict[str, dict]], after: dict[str, dict[str, dict]]) -> None:
        """Take one instance's schedule rows from `before` (what the tables hold) to `after`, writing
        only the rows that differ: a completion typically removes one open task and adds the next."""
        with self.atomic():
            for table, columns in self.SCHEDULE_COLUMNS.items():
                old, new = before.get(table) or {}, after.get(table) or {}
                if old == new:
                    continue
                gone = [guid for guid, row in old.items() if new.get(guid) != row]
                added = [row for guid, row in new.items() if old.get(guid) != row]
                for start in range(0, len(gone), 500):  # within any SQL variable limit
                    chunk = gone[start:start + 500]
                    self._x(_schedule_sql("DELETE", table, len(chunk)), (instance_id, *chunk))
                if len(added) == 1:
                    self._x(_schedule_sql("INSERT", table), (instance_id, *map(added[0].__getitem__, columns)))
                elif added:
                    self._many(_schedule_sql("INSERT", table),
                               [(instance_id, *map(row.__getitem__, columns)) for row in added])

    def open_tasks(self, *, lanes: list[str] | None = None, instance_id: int | None = None) -> list[dict]:
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
        return _rows(self._x(sql, args))

    def open_tasks_page(self, *, lanes: list[str] | None, now: str, limit: int, offset: int) -> tuple[int, list[dict]]:
        """How many open tasks there are (of `lanes`, or all), and one page of them: overdue first (due
        by `now`), then by due time (none last), then oldest first. The web tasklist reads it this way."""
        where, args = "", []
        if lanes is not None:
            if not lanes:
                return 0, []
            where, args = f" WHERE lane IN ({', '.join('?' for _ in lanes)})", list(lanes)
        (total,) = self._x("SELECT COUNT(*) FROM open_tasks" + where, args).fetchone()
        sql = ("SELECT instance_id, task_guid, task_id, name, lane, process_id, ready_at, due_at FROM open_tasks" + where
               + " ORDER BY CASE WHEN due_at IS NOT NULL AND due_at <= ? THEN 0 ELSE 1 END, CASE WHEN due_at IS NULL"
               " THEN 1 ELSE 0 END, due_at, ready_at, instance_id, task_id LIMIT ? OFFSET ?")
        return total, _rows(self._x(sql, (*args, now, limit, offset)))

    # -- timers and deadlines --------------------------------------------------------------------
    # Instants are stored as UTC ISO text with microseconds, so text order is time order.

    def claim_instance(self, instance_id: int) -> int | None:
        """Inside a write transaction: lock one instance for this process and return its revision,
        or None when another process holds it (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite's
        write transaction already excludes every other writer)."""
        sql = "SELECT revision FROM instances WHERE id = ?"
        if self.dialect == "postgresql":
            sql += " FOR UPDATE SKIP LOCKED"
        row = self._x(sql, (instance_id,)).fetchone()
        return row[0] if row else None

    def instances_with_due_timers(self, now: str) -> list[int]:
        return [r[0] for r in self._x(
            "SELECT DISTINCT instance_id FROM timers WHERE due_at <= ? ORDER BY instance_id", (now,))]

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
        return _rows(self._x(sql, (until, until) if until else ()))

    # -- audit -----------------------------------------------------------------------------------

    def add_audit(self, *, at, actor, action, instance_id=None, task_id=None, task_guid=None, revision=None, data=None) -> None:
        with self.atomic():
            self._x(
                "INSERT INTO audit (at, actor, instance_id, task_id, task_guid, action, revision, data_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (at, actor, instance_id, task_id, task_guid, action, revision,
                 _AUDIT_JSON.encode(data if data is not None else {})),
            )

    def audit(self, instance_id: int | None = None) -> list[dict]:
        sql = "SELECT id, at, actor, instance_id, task_id, task_guid, action, revision, data_json FROM audit"
        args: tuple = ()
        if instance_id is not None:
            sql += " WHERE instance_id = ?"
            args = (instance_id,)
        return _rows(self._x(sql + " ORDER BY id", args))

    def audit_of_process(self, process_id: str, actions: tuple[str, ...] | None = None) -> list[dict]:
        """Every audit row of every instance of `process_id` (only `actions` when given), oldest first."""
        sql = ("SELECT a.id, a.at, a.actor, a.instance_id, a.task_id, a.task_guid, a.action, a.revision, a.data_json"
               " FROM audit a JOIN instances i ON i.id = a.instance_id WHERE i.process_id = ?")
        args: tuple = (process_id,)
        if actions:
            sql += " AND a.action IN (" + ", ".join("?" for _ in actions) + ")"
            args += tuple(actions)
        return _rows(self._x(sql + " ORDER BY a.id", args))

    def latest_completion(self, process_id: str, task_ids: tuple[str, ...], instance_id: int | None = None) -> dict | None:
        """The newest audit row completing one of `task_ids` in an instance of `process_id` (or in
        `instance_id` only), or None."""
        sql = ("SELECT a.id, a.at, a.actor, a.instance_id, a.task_id, a.task_guid, a.action, a.revision, a.data_json"
               " FROM audit a JOIN instances i ON i.id = a.instance_id WHERE i.process_id = ? AND a.action = 'complete'"
               " AND a.task_id IN (" + ", ".join("?" for _ in task_ids) + ")")
        args: tuple = (process_id, *task_ids)
        if instance_id is not None:
            sql += " AND a.instance_id = ?"
            args += (instance_id,)
        rows = _rows(self._x(sql + " ORDER BY a.id DESC LIMIT 1", args))
        return rows[0] if rows else None

    # -- people and lanes --------------------------------------------------------------------------

    def memberships(self) -> list[dict]:
        return _rows(self._x("SELECT person, lane FROM memberships ORDER BY lane, person"))

    def lanes_of(self, person: str) -> list[str]:
        return [r[0] for r in self._x(
            "SELECT lane FROM memberships WHERE person = ? ORDER BY lane", (person,))]

    def members_of(self, lane: str) -> list[str]:
        return [r[0] for r in self._x(
            "SELECT person FROM memberships WHERE lane = ? ORDER BY person", (lane,))]

    def has_memberships(self) -> bool:
        return self._x("SELECT 1 FROM memberships LIMIT 1").fetchone() is not None

    def add_membership(self, person: str, lane: str) -> bool:
        with self.atomic():
            cur = self._x(
                "INSERT INTO memberships (person, lane) VALUES (?, ?) ON CONFLICT DO NOTHING", (person, lane))
            return cur.rowcount == 1

    def remove_membership(self, person: str, lane: str) -> bool:
        with self.atomic():
            cur = self._x("DELETE FROM memberships WHERE person = ? AND lane = ?", (person, lane))
            return cur.rowcount == 1

    # -- bulk loading ------------------------------------------------------------------------------

    BULK_TABLES = ("instances", "open_tasks", "timers", "audit")

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Bulk-insert `rows` (tuples in `columns` order) into one of `BULK_TABLES`, in one transaction
        (bench/seed.py builds large stores this way)."""
        if table not in self.BULK_TABLES or not all(c.isidentifier() for c in columns):
            raise StoreError("cannot bulk-insert into {table} ({columns})", table=table, columns=', '.join(columns))
        with self.atomic():
            self._many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows)

    def checkpoint(self) -> None:
        """Move the write-ahead log into the database file, so the file size is the store's size (SQLite)."""
        if self.dialect == "sqlite":
            self._x("PRAGMA wal_checkpoint(TRUNCATE)")
