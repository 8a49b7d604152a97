"""Shared fixtures: a CLI driven as a person would, on a fresh store per test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
MIWG = SHARED / "corpus" / "miwg"

# The roster shipped in processes/roster.toml, by role in the stories below.
PM = "周涛"            # 项目经理, 专项小组
MANAGER = "孙志强"     # 管理层
TECH = "杨磊"          # 技术部 (and 专项小组)
SERVICE = "黄丽"       # 客服中心 (and 专项小组)
SERVICE_LEAD = "林晓燕"  # 客服中心
MARKETING = "李娜"     # 市场部 (and 专项小组)
OPERATIONS = "王芳"    # 运营部 (and 专项小组)
CUSTOMER = "何佳怡"    # 客户


class Terminal:
    """One person's terminal: runs `phasegate` commands in-process against one store."""

    def __init__(self, db, models: Path | None = None):
        self.db = db
        self.models = models
        self.now: str | None = None  # the simulated instant every command runs at, unless given
        self.runner = CliRunner()

    def run(self, *args, user: str | None = None, now: str | None = None, input: str | None = None):
        head = ["--db", str(self.db)]
        if self.models:
            head += ["--models", str(self.models)]
        if user:
            head += ["--as", user]
        if now or self.now:
            head += ["--now", now or self.now]
        from cli import cli

        env = {"PHASEGATE_USER": None, "PHASEGATE_DB": None, "PHASEGATE_NOW": None, "PHASEGATE_MODELS": None}
        return CliRunner().invoke(cli, head + [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    def json(self, *args, user: str | None = None, now: str | None = None):
        result = self.run(*args, "--json", user=user, now=now)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def ok(self, *args, user: str | None = None, now: str | None = None, **values):
        sets = [x for k, v in values.items() for x in ("--set", f"{k}={json.dumps(v, ensure_ascii=False)}")]
        result = self.run(*args, *sets, "--json", user=user, now=now)
        assert result.exit_code == 0, f"{args}: {result.stderr}"
        return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """The suite reads phasegate's English (the programme's default is Chinese): every command, in
    process or in a subprocess, runs with PHASEGATE_LANG=en unless a test asks otherwise."""
    monkeypatch.setenv("PHASEGATE_LANG", "en")


DIALECT = os.environ.get("PHASEGATE_TEST_DIALECT", "sqlite")


def postgres_url() -> str:
    """The test server: PHASEGATE_TEST_PG; without it PostgreSQL tests skip with a message."""
    url = os.environ.get("PHASEGATE_TEST_PG")
    if not url:
        pytest.skip("PostgreSQL tests need PHASEGATE_TEST_PG=postgresql://postgres@127.0.0.1:5432/test")
    return url


@pytest.fixture
def new_store(tmp_path, request):
    """Makes empty store locations: SQLite files, or fresh schemas on the PostgreSQL test server
    when the suite runs with PHASEGATE_TEST_DIALECT=postgresql (dropped after the test)."""
    schemas = []

    def make(name: str = "phasegate") -> str:
        if DIALECT != "postgresql":
            return str(tmp_path / name / "phasegate.db")
        import uuid

        schema = f"t_{uuid.uuid4().hex[:12]}"
        schemas.append(schema)
        separator = "&" if "?" in postgres_url() else "?"
        return f"{postgres_url()}{separator}schema={schema}"

    yield make
    if schemas:
        import psycopg

        with psycopg.connect(postgres_url(), autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def terminal(new_store) -> Terminal:
    return Terminal(new_store())


def phasegate_process(*args, db: Path, user: str | None = None, cwd: Path | None = None, env_extra=None):
    """Run `phasegate` as a separate OS process, as a person at a terminal does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    env["PHASEGATE_DB"] = str(db)
    env["PHASEGATE_LANG"] = os.environ.get("PHASEGATE_LANG", "en")
    if user:
        env["PHASEGATE_USER"] = user
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=cwd or REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def store_bytes(db) -> dict:
    """A snapshot that proves nothing changed: every file of a SQLite store (db, wal) by name, or
    every row of every table of a PostgreSQL store."""
    if str(db).startswith("postgresql://"):
        import psycopg
        from urllib.parse import parse_qsl, urlsplit

        schema = dict(parse_qsl(urlsplit(db).query))["schema"]
        with psycopg.connect(db.split("?")[0], autocommit=True) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY table_name",
                (schema,)).fetchall()]
            return {t: conn.execute(f'SELECT * FROM "{schema}"."{t}" ORDER BY 1').fetchall() for t in tables}
    db = Path(db)
    return {p.name: p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")) if not p.name.endswith("-shm")}


def need_browser(missing: str | None, install: str = "bash tools/install_browser_test.sh") -> None:
    """Skip when the browser or its npm packages are `missing` (the reason), with the command that
    installs them; under CI=true a missing browser is a failure, not a skip."""
    if missing:
        message = f"{missing}: run {install}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
