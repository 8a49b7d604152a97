"""A person names the store with `--db`: a file path, a `sqlite:///` URL, or a PostgreSQL URL."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import CUSTOMER, PM
from engine.store.store import Store

NO_ENV = {"PHASEGATE_USER": None, "PHASEGATE_DB": None, "PHASEGATE_NOW": None, "PHASEGATE_MODELS": None}


def phasegate(*args):
    from cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=NO_ENV, catch_exceptions=False)


def test_a_relative_sqlite_url_names_a_file_below_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = phasegate("--db", "sqlite:///stores/team.db", "--as", CUSTOMER, "start", "service_loop_after", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stores"]  # no folder called "sqlite:"
    store = Store(tmp_path / "stores" / "team.db")
    assert [r["process_id"] for r in store.instances()] == ["service_loop_after"]
    store.close()


def test_an_absolute_sqlite_url_has_four_slashes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "abs" / "phasegate.db"
    result = phasegate("--db", f"sqlite:///{target}", "--as", "孙志强", "people", "add", "新同事", "客服中心")
    assert result.exit_code == 0, result.stderr
    listed = phasegate("--db", f"sqlite:///{target}", "people", "--json")
    assert {"person": PM, "lane": "专项小组"} in json.loads(listed.stdout)
    assert target.is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["abs"]


def test_a_store_url_of_another_kind_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = phasegate("--db", "mysql://db.internal/programme", "people")
    assert result.exit_code == 8
    assert result.stdout == ""
    assert result.stderr == ("phasegate: store-error: mysql://db.internal/programme: unknown kind of store 'mysql' "
                             "(hint: use a file path, a sqlite:/// URL or a postgresql:// URL)\n")
    result = phasegate("--db", "sqlite://host/x.db", "people")
    assert result.exit_code == 8
    assert result.stderr == ("phasegate: store-error: sqlite://host/x.db: not a SQLite URL "
                             "(hint: write sqlite:///relative/path.db or sqlite:////absolute/path.db)\n")
    assert list(tmp_path.iterdir()) == []


def test_sqlite_urls_and_paths_name_the_same_files():
    from pathlib import Path

    from engine.store.store import sqlite_path

    assert sqlite_path("sqlite:///x.db") == Path("x.db")
    assert sqlite_path("sqlite:////srv/phasegate/x.db") == Path("/srv/phasegate/x.db")
    assert sqlite_path("sqlite:///my%20store.db") == Path("my store.db")
    assert sqlite_path(".phasegate/phasegate.db") == Path(".phasegate/phasegate.db")
