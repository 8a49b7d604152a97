"""State lives in the store: separate terminal processes see each other's work; instances keep their model version."""

from __future__ import annotations

import pytest


import json
import shutil

from conftest import CUSTOMER, REPO, SERVICE_LEAD, Terminal, phasegate_process

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set


def test_two_terminals_in_separate_processes_share_one_instance(new_store):
    db = new_store("team")
    started = phasegate_process("start", "service_loop_before", "--json", db=db, user=CUSTOMER)
    assert started.returncode == 0, started.stderr
    instance = json.loads(started.stdout)["id"]
    step = phasegate_process("complete", instance, "submit_inquiry", "--set", "customer_name=何佳怡",
                             "--set", "inquiry_text=发票怎么开", db=db, user=CUSTOMER)
    assert step.returncode == 0, step.stderr
    listed = phasegate_process("tasks", "--json", db=db, user=SERVICE_LEAD)
    assert [t["task_id"] for t in json.loads(listed.stdout)] == ["answer_inquiry"]
    history = json.loads(phasegate_process("history", instance, "--json", db=db).stdout)
    assert [(h["actor"], h["action"], h["task_id"]) for h in history] == [
        (CUSTOMER, "start", None), (CUSTOMER, "complete", "submit_inquiry")]
    assert history[1]["data"]["inquiry_text"] == "发票怎么开"


def test_db_can_be_given_by_environment_and_is_created_with_its_folder(tmp_path):
    db = tmp_path / "deep" / "folder" / "x.db"
    result = phasegate_process("processes", "--json", db=db)
    assert result.returncode == 0, result.stderr
    assert {p["process_id"] for p in json.loads(result.stdout)} == {
        "business_adjustment", "service_loop_before", "service_loop_after"}
    assert not db.exists()  # a read creates nothing (issue 17); the first write creates the store
    started = phasegate_process("start", "service_loop_before", "--json", db=db, user=CUSTOMER)
    assert started.returncode == 0, started.stderr
    assert db.exists()


def test_an_instance_keeps_the_model_version_it_started_with(tmp_path, new_store):
    models = tmp_path / "bpmn"
    shutil.copytree(REPO / "bpmn", models)
    terminal = Terminal(new_store("s"), models=models)
    old = terminal.ok("start", "service_loop_before", user=CUSTOMER)
    terminal.ok("complete", old["id"], "submit_inquiry", user=CUSTOMER, customer_name="马俊", inquiry_text="怎么退货")
    assert old["model_version"] == 1

    # The designer renames a task in the modeler and saves the file.
    path = models / "service_loop_before.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace('name="人工解答咨询"', 'name="人工答复咨询"'),
                    encoding="utf-8")
    listed = {p["process_id"]: p for p in terminal.json("processes")}
    assert listed["service_loop_before"]["version"] == 2
    assert listed["service_loop_before"]["versions"] == 2
    assert listed["service_loop_after"]["version"] == 1

    new = terminal.ok("start", "service_loop_before", user=CUSTOMER)
    assert new["model_version"] == 2
    assert terminal.json("show", old["id"])["ready"][0]["name"] == "人工解答咨询"
    assert terminal.json("show", old["id"])["model_version"] == 1
    done = terminal.ok("complete", old["id"], "answer_inquiry", user=SERVICE_LEAD, answer_text="7天无理由", response_minutes=20)
    assert done["instance"]["model_version"] == 1


def test_an_unchanged_file_does_not_make_a_new_version(new_store):
    terminal = Terminal(new_store("s"))
    first = terminal.json("processes")
    second = terminal.json("processes")
    assert [p["version"] for p in first] == [p["version"] for p in second] == [1, 1, 1]


def test_processes_lists_a_changed_model_as_its_next_version_and_writes_nothing(tmp_path, new_store):
    from conftest import store_bytes

    models = tmp_path / "bpmn"
    shutil.copytree(REPO / "bpmn", models)
    db = new_store("s")
    terminal = Terminal(db, models=models)
    terminal.ok("start", "service_loop_before", user=CUSTOMER)
    path = models / "service_loop_before.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace('name="人工解答咨询"', 'name="人工答复咨询"'),
                    encoding="utf-8")
    before = store_bytes(db)
    listed = {p["process_id"]: p for p in terminal.json("processes")}
    assert store_bytes(db) == before  # issue 17: a read command; the next start stores the version
    assert [(v["version"], v["instances"]) for v in listed["service_loop_before"]["history"]] == [(1, 1), (2, 0)]
    assert terminal.ok("start", "service_loop_before", user=CUSTOMER)["model_version"] == 2
