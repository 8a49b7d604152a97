"""The store's tables: one list of statements per schema version, applied in order by `Store`.

A version, once released, never changes: a later version alters what an earlier one created. A
statement is one SQL text for both dialects (`{serial_id}` is filled in per dialect) or a mapping
dialect → SQL for what differs (a dialect without an entry skips the step).
"""

from __future__ import annotations

SCHEMA_VERSION = 5

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE model_versions (
            id {serial_id},
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
            id {serial_id},
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
            id {serial_id},
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            instance_id INTEGER,
            task_id TEXT,
            task_guid TEXT,
            action TEXT NOT NULL,
            revision INTEGER,
            data_json TEXT NOT NULL)""",
        "CREATE INDEX audit_by_instance ON audit (instance_id, id)",
        {"sqlite": """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
         "postgresql": """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
                          $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"""},
        {"sqlite": """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
         "postgresql": """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
                          FOR EACH ROW EXECUTE FUNCTION audit_append_only()"""},
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
    # 3 (issue 6): fewer pages written per command. Open tasks are stored in their primary key's order
    # (SQLite: WITHOUT ROWID, one b-tree instead of a table and its key index); only tasks with a due
    # time are in the due index; the audit log's ids need no AUTOINCREMENT counter (rows are never
    # deleted, so the largest id + 1 never repeats one).
    3: [
        {"sqlite": """CREATE TABLE open_tasks_v3 (
            instance_id INTEGER NOT NULL REFERENCES instances(id),
            task_guid TEXT NOT NULL,
            task_id TEXT NOT NULL,
            name TEXT NOT NULL,
            lane TEXT,
            process_id TEXT NOT NULL,
            ready_at TEXT NOT NULL,
            due_at TEXT,
            PRIMARY KEY (instance_id, task_guid)) WITHOUT ROWID"""},
        {"sqlite": "INSERT INTO open_tasks_v3 SELECT instance_id, task_guid, task_id, name, lane, process_id,"
                   " ready_at, due_at FROM open_tasks"},
        {"sqlite": "DROP TABLE open_tasks"},
        {"sqlite": "ALTER TABLE open_tasks_v3 RENAME TO open_tasks"},
        {"sqlite": "CREATE INDEX open_tasks_by_lane ON open_tasks (lane, instance_id)",
         "postgresql": "DROP INDEX open_tasks_by_due"},
        "CREATE INDEX open_tasks_by_due ON open_tasks (due_at) WHERE due_at IS NOT NULL",
        {"sqlite": """CREATE TABLE audit_v3 (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            instance_id INTEGER,
            task_id TEXT,
            task_guid TEXT,
            action TEXT NOT NULL,
            revision INTEGER,
            data_json TEXT NOT NULL)"""},
        {"sqlite": "INSERT INTO audit_v3 SELECT id, at, actor, instance_id, task_id, task_guid, action, revision,"
                   " data_json FROM audit"},
        {"sqlite": "DROP TABLE audit"},  # its triggers go with it; an implicit DELETE fires none
        {"sqlite": "ALTER TABLE audit_v3 RENAME TO audit"},
        {"sqlite": "CREATE INDEX audit_by_instance ON audit (instance_id, id)"},
        {"sqlite": """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""},
        {"sqlite": """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""},
    ],
    # 4 (issue 15): personal access tokens for `phasegate serve`. Only a salted hash of each token's
    # secret is kept (scrypt, a salt per token); `id` is the public part a person may name to revoke it.
    4: [
        """CREATE TABLE tokens (
            id TEXT PRIMARY KEY,
            person TEXT NOT NULL,
            salt TEXT NOT NULL,
            hash TEXT NOT NULL,
            issued_by TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT)""",
        "CREATE INDEX tokens_by_person ON tokens (person)",
    ],
    # 5 (issue 17): what a parse of the models folder found, under the fingerprint of the folder's files
    # (engine/bpmn/digest.py), written by the commands that parse (start, migrate), so that `processes`
    # lists the models without parsing while the files stay as they were; and the instances of each model
    # version counted from an index instead of a scan of every instance's row (a completion does not
    # touch it: only a migration moves an instance to another version).
    5: [
        """CREATE TABLE catalogs (
            digest TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            summary_json TEXT NOT NULL)""",
        "CREATE INDEX instances_by_version ON instances (model_version_id)",
    ],
}


def _statement(statement, dialect: str) -> str | None:
    """One migration step's SQL in `dialect`, or None when that dialect skips it."""
    if isinstance(statement, dict):
        return statement.get(dialect)
    return statement.format(serial_id=SERIAL_ID[dialect])


SERIAL_ID = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
}
