"""A designer declares forms in the Modeler (inline Camunda 7 fields or form-js `.form` files); the
engine turns each into one validating model with the same field-level messages as before."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from engine.bpmn.formdefs import form_reference, read_camunda_form_data, read_form_files, read_form_js
from engine.errors import InvalidForm, ModelInvalid
from engine.runtime.forms import build_model, describe, validate

BUDGET_TASK = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
  <bpmn:process id="budget" isExecutable="true">
    <bpmn:userTask id="Activity_0x7k2q" name="审批预算" camunda:candidateGroups="管理层">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="amount_wan" label="金额（万元）" type="long" defaultValue="0">
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="min" config="0" />
              <camunda:constraint name="max" config="500" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="decision" label="决定" type="enum">
            <camunda:value id="approve" name="批准" />
            <camunda:value id="reject" name="驳回" />
          </camunda:formField>
          <camunda:formField id="due" label="截止日期" type="date" />
          FIELDS
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="Activity_1c" name="填写ROI">
      <bpmn:extensionElements><zeebe:formDefinition formId="roi-plan" /></bpmn:extensionElements>
    </bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>"""

ROI_FORM = {
    "id": "roi-plan", "type": "default", "schemaVersion": 18,
    "exporter": {"name": "Camunda Modeler", "version": "5.30.0"},
    "components": [
        {"id": "Field_0a", "key": "owner", "label": "负责人", "type": "textfield",
         "validate": {"required": True, "maxLength": 20}},
        {"id": "Field_0b", "type": "text", "text": "# 分季度ROI"},
        {"id": "Field_0c", "path": "roi_table", "label": "ROI测算", "type": "dynamiclist",
         "properties": {"minItems": "1", "maxItems": "4"},
         "components": [
             {"id": "Field_1", "key": "quarter", "label": "季度", "type": "textfield",
              "validate": {"required": True, "pattern": "^\\d{4}Q[1-4]$"}},
             {"id": "Field_2", "key": "investment_wan", "label": "投入（万元）", "type": "number",
              "validate": {"min": 0}},
         ]},
        {"id": "Field_0d", "key": "channels", "label": "渠道", "type": "checklist",
         "values": [{"label": "电话", "value": "phone"}, {"label": "在线", "value": "online"}]},
        {"id": "Field_0e", "key": "signed", "label": "已签字", "type": "checkbox"},
    ],
}


def _task(xml: str, task_id: str):
    root = etree.fromstring(xml.encode())
    return next(el for el in root.iter() if el.get("id") == task_id)


def test_designer_inline_fields_validate_like_a_hand_written_form():
    form = read_camunda_form_data(_task(BUDGET_TASK.replace("FIELDS", ""), "Activity_0x7k2q"), "budget.bpmn")
    model = build_model(form)
    assert validate(model, {"amount_wan": 120, "decision": "approve", "due": "31/10/2023"}, "t") == {
        "amount_wan": 120, "decision": "approve", "due": "2023-10-31"}
    with pytest.raises(InvalidForm) as refused:
        validate(model, {"amount_wan": 600, "decision": "maybe"}, "task 'Activity_0x7k2q'")
    assert refused.value.problems == ["amount_wan: Input should be less than or equal to 500",
                                      "decision: Input should be 'approve' or 'reject'"]
    fields = {f["name"]: f for f in describe(model)}
    assert fields["amount_wan"]["title"] == "金额（万元）" and fields["amount_wan"]["limits"] == {"minimum": 0, "maximum": 500}
    assert fields["decision"]["choices"] == ["approve", "reject"]


def test_an_unknown_field_type_is_one_line_naming_file_and_element():
    xml = BUDGET_TASK.replace("FIELDS", '<camunda:formField id="file" type="upload" />')
    with pytest.raises(ModelInvalid) as refused:
        read_camunda_form_data(_task(xml, "Activity_0x7k2q"), "budget.bpmn")
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("budget.bpmn:") and "form field 'file' of 'Activity_0x7k2q'" in message
    assert "unknown field type 'upload'" in message


def test_a_form_js_file_with_repeating_rows_validates_each_row(tmp_path):
    (tmp_path / "roi.form").write_text(json.dumps(ROI_FORM, ensure_ascii=False), encoding="utf-8")
    forms = read_form_files(tmp_path)
    kind, form_id = form_reference(_task(BUDGET_TASK.replace("FIELDS", ""), "Activity_1c"))
    assert (kind, form_id) == ("formId", "roi-plan")
    model = build_model(forms[form_id])
    good = {"owner": "王建国", "roi_table": [{"quarter": "2023Q4", "investment_wan": 80}], "channels": ["phone"],
            "signed": True}
    assert validate(model, good, "t")["roi_table"] == [{"quarter": "2023Q4", "investment_wan": 80.0}]
    with pytest.raises(InvalidForm) as refused:
        validate(model, {**good, "roi_table": [{"quarter": "2031Q9", "investment_wan": -1}]}, "t")
    assert refused.value.problems == ["roi_table.0.quarter: String should match pattern '^\\d{4}Q[1-4]$'",
                                      "roi_table.0.investment_wan: Input should be greater than or equal to 0"]
    with pytest.raises(InvalidForm) as refused:
        validate(model, {**good, "roi_table": []}, "t")
    assert refused.value.problems == ["roi_table: List should have at least 1 item after validation, not 0"]


def test_a_named_cross_field_validator_runs_and_a_missing_one_is_refused():
    form = read_form_js(json.dumps({**ROI_FORM, "properties": {"validator": "within_budget"}}), "roi.form")

    def within_budget(values):
        if sum(row["investment_wan"] or 0 for row in values["roi_table"]) > 500:
            raise ValueError("投入合计超过500万元预算")

    model = build_model(form, {"within_budget": within_budget})
    rows = [{"quarter": "2023Q4", "investment_wan": 300}, {"quarter": "2024Q1", "investment_wan": 300}]
    with pytest.raises(InvalidForm) as refused:
        validate(model, {"owner": "王建国", "roi_table": rows}, "t")
    assert refused.value.problems == ["form: 投入合计超过500万元预算"]
    with pytest.raises(ModelInvalid, match="names the validator 'within_budget', which the programme does not register"):
        build_model(form, {})


@pytest.mark.parametrize("text, words", [
    ("{not json", "not a form-js file: JSONDecodeError"),
    ('{"id": "x"}', 'no "components" list'),
    ('{"components": []}', 'needs an "id"'),
    ('{"id": "x", "components": [{"type": "slider", "key": "a"}]}', "unknown component type 'slider'"),
    ('{"id": "x", "components": [{"type": "radio", "key": "a"}]}', 'needs "values" or "valuesKey"'),
    ('{"id": "x", "components": [{"type": "textfield", "key": "a b"}]}', "variable name"),
    ('[' * 100000 + ']' * 100000, "not a form-js file"),
])
def test_a_broken_form_file_is_one_line(text, words):
    with pytest.raises(ModelInvalid) as refused:
        read_form_js(text, "bad.form")
    assert words in str(refused.value) and "\n" not in str(refused.value)
    assert str(refused.value).startswith("bad.form:")
