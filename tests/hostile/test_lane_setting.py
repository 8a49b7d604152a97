"""A task that sets a lane from its form (`setsLane` + `laneMembersFrom`, the task force's 专项小组)
cannot be turned against the roster: a designer's typo or one form answer must not empty a lane,
invent one, hand over the administrators' lane or seat a "name" holding control characters. Each
refusal is one line, its exit code, and the store (roster included) is unchanged."""

from __future__ import annotations

import shutil

import pytest

from conftest import PM, REPO, Terminal
from test_seed_facts import refused, values

TASK_FORCE = '<spiffworkflow:property name="setsLane" value="专项小组"/>'
MEMBERS_FROM = ('<spiffworkflow:property name="laneMembersFrom" value="project_manager,marketing_members,'
                'operations_members,technology_members,service_members"/>')


def designer_edit(tmp_path, old: str, new: str) -> Terminal:
    """A copy of bpmn/ with one edit a designer might make in the Modeler, and a store over it."""
    models = tmp_path / "models"
    shutil.copytree(REPO / "bpmn", models)
    path = models / "business_adjustment.bpmn"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return Terminal(tmp_path / "store.db", models)


@pytest.mark.parametrize("old, new, code, words", [
    (MEMBERS_FROM, MEMBERS_FROM.replace("project_manager,marketing_members", "nosuch_field"), 2,
     "laneMembersFrom names 'nosuch_field', which is no field of its form"),
    (TASK_FORCE, TASK_FORCE.replace("专项小组", "不存在的泳道"), 2,
     "setsLane names '不存在的泳道', which is no lane of this process"),
    (TASK_FORCE, TASK_FORCE.replace("专项小组", "管理层"), 5,
     "a form may not set the administrators' lane 管理层"),
], ids=["a field the form lacks", "a lane the process lacks", "the administrators' lane"])
def test_a_designers_slip_in_the_lane_setting_is_refused_before_the_roster_changes(tmp_path, old, new, code, words):
    terminal = designer_edit(tmp_path, old, new)
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    people = terminal.json("people")
    refused(terminal, code, words, "complete", instance, "form_task_force", user=PM, values=values("form_task_force"))
    assert terminal.json("people") == people


def test_a_name_with_control_characters_is_not_seated_in_the_task_force(terminal):
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    refused(terminal, 6, "not a person's name", "complete", instance, "form_task_force", user=PM,
            values=values("form_task_force", project_manager="坏\x1b[2J人\n第二行"))
    refused(terminal, 6, "not a person's name", "complete", instance, "form_task_force", user=PM,
            values=values("form_task_force", project_manager="x" * 10_000))
