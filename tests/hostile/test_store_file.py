"""A refused command on a `--db` that is not there leaves nothing behind: no store file, no folder.

Before issue 13 every write command opened (and so created) the SQLite file before it knew whether
it would write at all: `phasegate --db /srv/x/new.db start no_such_process` left `/srv/x/new.db`
behind. Now a write command's store starts in memory and its file appears, whole, only when a write
commits; reads never make one (they answer from an empty store).
"""

from __future__ import annotations

import sqlite3

import pytest

from bounded import payload, refused, run, within_bounds
from conftest import CUSTOMER, MANAGER, PM

# every write command, refused before it writes: (arguments, who, exit code, what the line says)
REFUSALS = {
    "start an unknown process": (["start", "no_such_process"], CUSTOMER, 4, "unknown process 'no_such_process'"),
    "start in a lane one is not in": (["start", "service_loop_before"], "nobody-here", 5, "is not in any lane"),
    "start with an invalid form value": (["start", "service_loop_before", "--set", "x=1"], CUSTOMER, 6,
                                         "x: Extra inputs are not permitted"),
    "complete on an unknown instance": (["complete", "1", "submit_inquiry"], CUSTOMER, 4, "no instance 1"),
    "migrate by a person who may not": (["migrate", "1"], PM, 5, "may not change lanes"),
    "migrate an unknown instance": (["migrate", "1", "--yes"], MANAGER, 4, "no instance 1"),
    "migrate an unknown process": (["migrate", "--process", "nope", "--yes"], MANAGER, 4, "unknown process 'nope'"),
    "people add by a person who may not": (["people", "add", "赵磊", "技术部"], PM, 5, "may not change lanes"),
    "people remove of someone not there": (["people", "remove", "赵磊", "技术部"], MANAGER, 5, "'赵磊' is not in lane 技术部"),
    "render an unknown instance": (["render", "service_loop_before", "-o", "{tmp}/x.svg", "--instance", "1"],
                                   CUSTOMER, 4, "no instance 1"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_write_on_a_missing_store_creates_no_file(tmp_path, name):
    args, user, code, words = REFUSALS[name]
    db = tmp_path / "new" / "deeper" / "phasegate.db"
    outcome = run(*[a.replace("{tmp}", str(tmp_path)) for a in args], db=db, user=user)
    refused(outcome, code, words)
    assert not (tmp_path / "new").exists()
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("args", [["tick"], ["worker", "--ticks", "1", "--interval", "0"],
                                  ["migrate", "--process", "service_loop_before"]])
def test_a_write_command_that_had_nothing_to_write_creates_no_file(tmp_path, args):
    db = tmp_path / "new" / "phasegate.db"
    outcome = run(*args, db=db, user=MANAGER)
    assert outcome.returncode == 0, outcome.stderr
    within_bounds(outcome)
    assert not (tmp_path / "new").exists()


def test_the_first_write_that_commits_brings_the_store_into_existence(tmp_path):
    db = tmp_path / "new" / "phasegate.db"
    started = run("start", "service_loop_before", "--json", db=db, user=CUSTOMER)
    assert started.returncode == 0, started.stderr
    assert payload(started)["id"] == 1
    assert not list(db.parent.glob(".*partial*"))
    # a real store: the schema, the seeded roster and the instance, readable by the next command
    shown = run("show", "1", "--json", db=db)
    assert shown.returncode == 0 and payload(shown)["started_by"] == CUSTOMER
    people = run("people", "--json", db=db)
    assert {"person": MANAGER, "lane": "管理层"} in payload(people)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_another_command_made_meanwhile_is_not_overwritten(tmp_path):
    from engine.errors import ChangedMeanwhile
    from engine.store.store import Store

    db = tmp_path / "phasegate.db"
    late = Store(db, lazy=True)            # opened while there was no file: still in memory
    assert not db.exists() and not late.materialized
    first = Store(db)                      # another command creates the store and writes to it
    first.add_membership("先到", "管理层")
    first.close()
    before = db.read_bytes()
    with pytest.raises(ChangedMeanwhile, match="created meanwhile by another command; nothing was saved"):
        late.add_membership("后到", "管理层")
    assert db.read_bytes() == before
    late.close()
    again = Store(db)
    assert again.memberships() == [{"person": "先到", "lane": "管理层"}]
    again.close()


def test_commits_of_first_open_work_keep_a_lazy_store_in_memory(tmp_path):
    from engine.store.store import Store

    db = tmp_path / "phasegate.db"
    store = Store(db, lazy=True)
    with store.provisional(), store.atomic():
        store.add_membership("周涛", "专项小组")
    assert not db.exists()
    store.add_membership("孙志强", "管理层")   # a real write: the file appears with both rows
    assert db.exists() and store.materialized
    store.close()
    reopened = Store(db)
    assert [m["person"] for m in reopened.memberships()] == ["周涛", "孙志强"]
    reopened.close()
