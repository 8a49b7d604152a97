"""A designer's own process, written only as BPMN and a `.form` file in the Modeler, with no line of
Python: it starts, asks for the fields the designer declared, refuses what they forbid, and runs."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import MANAGER, MARKETING, REPO, Terminal

DESIGNER = REPO / "tests" / "fixtures" / "designer"
PROCESS = "Process_budget_request"


@pytest.fixture
def designer(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(DESIGNER, models)
    return Terminal(tmp_path / "store" / "phasegate.db", models), models


def test_a_process_with_only_designer_forms_runs_end_to_end(designer):
    terminal, _ = designer
    started = terminal.ok("start", PROCESS, user=MARKETING, campaign="双十一新品推广")
    instance = started["id"]
    fields = {f["name"]: f for f in terminal.json("form", instance, "Activity_0plan7q")["fields"]}
    assert list(fields) == ["amount_wan", "channels", "items"]
    assert fields["amount_wan"]["title"] == "预算金额（万元）" and fields["amount_wan"]["limits"] == {"minimum": 1, "maximum": 50}
    assert fields["channels"]["required"] is True

    plan = {"amount_wan": 30, "channels": ["online", "social"], "items": [{"item": "信息流广告", "cost_wan": 20}]}
    terminal.ok("complete", instance, "Activity_0plan7q", user=MARKETING, **plan)
    terminal.ok("complete", instance, "Activity_0x7k2q", user=MANAGER, decision="rework", comment="请拆分线下费用")
    terminal.ok("complete", instance, "Activity_1rework", user=MARKETING, rework_note="线下费用单列")
    terminal.ok("complete", instance, "Activity_0plan7q", user=MARKETING, **{**plan, "amount_wan": 25})
    done = terminal.ok("complete", instance, "Activity_0x7k2q", user=MANAGER, decision="approve")
    assert done["instance"]["status"] == "completed"
    data = terminal.json("show", instance)["data"]
    assert data["campaign"] == "双十一新品推广" and data["amount_wan"] == 25 and data["decision"] == "approve"


def test_a_value_the_designer_forbids_is_refused_with_the_fields_message_and_nothing_changes(designer):
    terminal, _ = designer
    instance = terminal.ok("start", PROCESS, user=MARKETING, campaign="春季活动")["id"]
    before = terminal.json("show", instance)
    result = terminal.run("complete", instance, "Activity_0plan7q", "--data",
                          json.dumps({"amount_wan": 80, "channels": ["tv"], "items": [{"cost_wan": -1}]}),
                          user=MARKETING)
    assert result.exit_code == 6, result.stderr
    assert result.stderr.strip().splitlines() == [
        "phasegate: invalid-form: invalid values for task 'Activity_0plan7q': "
        "amount_wan: Input should be less than or equal to 50; "
        "channels.0: Input should be 'online', 'store' or 'social'; "
        "items.0.item: Field required; items.0.cost_wan: Input should be greater than or equal to 0"]
    assert terminal.json("show", instance) == before


def test_the_start_form_is_the_designers_too(designer):
    terminal, _ = designer
    result = terminal.run("start", PROCESS, "--set", "campaign=" + "长" * 41, user=MARKETING)
    assert result.exit_code == 6
    assert "campaign: String should have at most 40 characters" in result.stderr
    assert terminal.json("instances") == []


def test_a_link_to_a_form_no_file_has_is_one_line_naming_file_and_element(designer):
    terminal, models = designer
    (models / "budget-plan.form").unlink()
    result = terminal.run("start", PROCESS, "--set", "campaign=x", user=MARKETING)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("phasegate: model-invalid: budget_request.bpmn:")
    assert "'Activity_0plan7q' links form 'budget-plan', which no .form file beside the model has" in lines[0]


def test_an_instance_keeps_the_forms_of_the_version_it_started_on(designer):
    terminal, models = designer
    instance = terminal.ok("start", PROCESS, user=MARKETING, campaign="v1")["id"]
    form = json.loads((models / "budget-plan.form").read_text(encoding="utf-8"))
    form["components"][0]["validate"]["max"] = 100   # the designer raises the limit: a new version
    (models / "budget-plan.form").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    newer = terminal.ok("start", PROCESS, user=MARKETING, campaign="v2")["id"]
    versions = {p["process_id"]: p for p in terminal.json("processes")}
    assert versions[PROCESS]["version"] == 2
    plan = {"amount_wan": 80, "channels": ["store"], "items": []}
    old = terminal.run("complete", instance, "Activity_0plan7q", "--data", json.dumps(plan), user=MARKETING)
    assert old.exit_code == 6 and "less than or equal to 50" in old.stderr
    terminal.ok("complete", newer, "Activity_0plan7q", user=MARKETING, **plan)


def test_the_designers_folder_lints_clean_and_a_broken_link_is_a_lint_error(designer):
    terminal, models = designer
    clean = terminal.run("lint", models)
    assert clean.exit_code == 0, clean.stdout
    (models / "budget-plan.form").rename(models / "old.form.bak")
    broken = terminal.run("lint", models)
    assert broken.exit_code != 0
    assert ("phasegate/user-task-has-form error User task 'Activity_0plan7q' links form 'budget-plan', "
            "which no .form file beside the model has") in broken.stdout


def test_processes_lists_each_version_with_what_changed_and_instances_filter_by_version(designer):
    terminal, models = designer
    first = terminal.ok("start", PROCESS, user=MARKETING, campaign="v1")["id"]
    form = json.loads((models / "budget-plan.form").read_text(encoding="utf-8"))
    form["components"][0]["validate"]["max"] = 100
    (models / "budget-plan.form").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    text = (models / "budget_request.bpmn").read_text(encoding="utf-8")
    (models / "budget_request.bpmn").write_text(text.replace('name="审批预算"', 'name="管理层审批预算"'), encoding="utf-8")
    second = terminal.ok("start", PROCESS, user=MARKETING, campaign="v2")["id"]
    listed = {p["process_id"]: p for p in terminal.json("processes")}[PROCESS]
    assert [(v["version"], v["instances"], v["changes"]) for v in listed["history"]] == [
        (1, 1, "first version"),
        (2, 1, "changed Activity_0x7k2q; forms changed Activity_0plan7q")]
    table = terminal.run("processes", "--versions").stdout
    assert "v2 (current)" in table and "changed Activity_0x7k2q; forms changed Activity_0plan7q" in table
    assert [i["id"] for i in terminal.json("instances", "--version", "1")] == [first]
    assert [i["id"] for i in terminal.json("instances", "--process", PROCESS, "--version", "2")] == [second]


def test_form_shows_the_columns_of_a_table_field_with_their_types_and_limits(designer):
    terminal, _ = designer
    instance = terminal.ok("start", PROCESS, user=MARKETING, campaign="表格")["id"]
    items = {f["name"]: f for f in terminal.json("form", instance, "Activity_0plan7q")["fields"]}["items"]
    assert items["type"] == "list[object(item, cost_wan)]"
    assert [(f["name"], f["type"], f["required"], f["title"], f["limits"]) for f in items["fields"]] == [
        ("item", "string", True, "项目", {"minLength": 1}), ("cost_wan", "number | null", False, "金额（万元）", {"minimum": 0})]
    table = terminal.run("form", instance, "Activity_0plan7q").stdout
    assert "  · item" in table and "  · cost_wan" in table and "金额（万元） (minimum 0)" in table
