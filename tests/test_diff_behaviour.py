"""`phasegate diff` sees what a model does, not only how it looks: a designer who edits a script, a
service parameter or a form field learns it from the change list, and a re-export that only drops a
default attribute is not a change."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cli import cli
from conftest import REPO

DESIGNER = REPO / "tests" / "fixtures" / "designer"
SCRIPT_TASK = """<bpmn:scriptTask id="Activity_0calc" name="计算合计" scriptFormat="python">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>rate = 1</spiffworkflow:preScript>
      </bpmn:extensionElements>
      <bpmn:script>total = amount_wan * rate
note = "ok"</bpmn:script>
    </bpmn:scriptTask>"""


def diff(before, after, *extra):
    result = CliRunner().invoke(cli, ["diff", str(before), str(after), *extra])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def pair(tmp_path):
    """Two folders holding the same designer model (and its .form file): the versions to compare."""
    old, new = tmp_path / "v1", tmp_path / "v2"
    shutil.copytree(DESIGNER, old)
    shutil.copytree(DESIGNER, new)
    return old / "budget_request.bpmn", new / "budget_request.bpmn"


def edit(path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def with_script_task(path):
    edit(path, "<bpmn:endEvent", SCRIPT_TASK.replace("spiffworkflow:", "spiffworkflow:") + "\n    <bpmn:endEvent")
    edit(path, 'xmlns:camunda=', 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:camunda=')


def test_an_identical_copy_is_the_same(pair):
    assert diff(*pair)[0] == 0


def test_a_changed_inline_form_field_is_named_with_its_old_and_new_limits(pair):
    before, after = pair
    edit(after, 'config="40"', 'config="60"')
    code, out, _ = diff(before, after, "--json")
    assert code == 11
    change = json.loads(out)["changed"]
    assert [(c["id"], c["changes"]) for c in change] == [("StartEvent_1", [
        {"field": "form field campaign", "old": 'text, required, length 0..40 "活动名称"',
         "new": 'text, required, length 0..60 "活动名称"'}])]


def test_a_changed_form_file_changes_the_task_that_links_it(pair):
    before, after = pair
    form = json.loads((after.parent / "budget-plan.form").read_text(encoding="utf-8"))
    form["components"][0]["validate"]["max"] = 80
    (after.parent / "budget-plan.form").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    code, out, _ = diff(before, after)
    assert code == 11
    assert out.splitlines()[1:] == [
        "~ changed  userTask           Activity_0plan7q  填写预算计划",
        '      form field amount_wan: number, required, 1..50 "预算金额（万元）" → number, required, 1..80 "预算金额（万元）"']


def test_a_line_added_to_a_script_shows_that_line(pair):
    before, after = pair
    with_script_task(before)
    with_script_task(after)
    edit(after, 'note = "ok"', 'note = "ok"\nchecked = True')
    edit(after, "rate = 1", "rate = 2")
    code, out, _ = diff(before, after)
    assert code == 11
    lines = out.splitlines()
    at = lines.index("~ changed  scriptTask         Activity_0calc  计算合计")
    assert lines[at + 1:at + 4] == ["      pre-script: rate = 1 → rate = 2", "      script:", "        +checked = True"]


def test_a_changed_service_parameter_and_assignment_are_changes(tmp_path):
    old, new = tmp_path / "v1", tmp_path / "v2"
    for folder in (old, new):
        folder.mkdir()
        shutil.copy(REPO / "bpmn" / "service_loop_after.bpmn", folder)
    edit(new / "service_loop_after.bpmn", 'id="kind" type="str" value="inquiry_kind"', 'id="kind" type="str" value="\'simple\'"')
    code, out, _ = diff(old / "service_loop_after.bpmn", new / "service_loop_after.bpmn")
    assert code == 11
    assert "      parameters: {question=inquiry_text (str), kind=inquiry_kind (str), customer=customer_name (str)} → " \
           "{question=inquiry_text (str), kind='simple' (str), customer=customer_name (str)}" in out


def test_a_re_export_that_drops_default_attributes_is_the_same(pair):
    before, after = pair
    edit(before, '<bpmn:userTask id="Activity_0x7k2q" name="审批预算"',
         '<bpmn:userTask id="Activity_0x7k2q" name="审批预算" isForCompensation="false" startQuantity="1" '
         'camunda:asyncBefore="false"')
    code, out, _ = diff(before, after)
    assert code == 0, out


def test_a_name_with_a_line_break_stays_on_one_line(pair):
    before, after = pair
    edit(after, 'name="修改预算说明"', 'name="修改&#10;预算说明"')
    code, out, _ = diff(before, after)
    assert code == 11
    assert "      name: 修改预算说明 → 修改 预算说明" in out.splitlines()
