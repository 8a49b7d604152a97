"""The programme's forms are the designers' (inline fields in bpmn/*.bpmn, form-js files bpmn/*.form): what a
person enters is refused with the same line the Python forms gave, the named checks included."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.catalog import Catalog
from engine.bpmn.formdefs import START, from_plain
from engine.errors import InvalidForm
from engine.runtime.forms import build_model, validate
from processes.programme import build
from processes.samples import ACTORS, SAMPLES

ROOT = Path(__file__).resolve().parents[1]
MODELS = Catalog(ROOT / "bpmn").parse_all()
VALIDATORS = build().validators
_PEER = SAMPLES["benchmark_peers"]["peers"][0]


def form(process_id: str, key: str):
    return build_model(from_plain(MODELS[process_id].forms[process_id][key]), VALIDATORS)


@pytest.mark.parametrize("process_id,key,overrides,problem", [
    ("business_adjustment", "form_task_force", {"service_members": ["李娜"]}, "form: 专项小组成员不能重复"),
    ("business_adjustment", "form_task_force", {"marketing_members": ["李娜", "张伟", "郑浩"]},
     "marketing_members: List should have at most 2 items after validation, not 3"),
    ("business_adjustment", "collect_feedback", {"crm_export": "data/crm.xlsx"}, "crm_export: 导出文件须为 .csv"),
    ("business_adjustment", "collect_feedback", {"months_covered": 6},
     "months_covered: Input should be greater than or equal to 12"),
    ("business_adjustment", "benchmark_peers", {"peers": [_PEER, _PEER, {**_PEER, "company": "小米"}]},
     "peers: 标杆企业不能重复"),
    ("business_adjustment", "benchmark_peers", {"peers": [_PEER]},
     "peers: List should have at least 3 items after validation, not 1"),
    ("business_adjustment", "draft_proposal", {"swimlane_after": "after.png"}, "swimlane_after: 泳道图须为 .bpmn 文件"),
    ("business_adjustment", "draft_proposal",
     {"roi_table": [{"quarter": "2023Q4", "category": "技术平台升级", "item": "平台", "investment_wan": 1,
                     "saving_wan": 0, "roi_pct": -100}] * 2},
     "roi_table: ROI测算行（季度+投入项目）不能重复"),
    ("business_adjustment", "review_draft", {"draft_decision": "revise"}, "form: 退回修改时必须填写审议意见"),
    ("business_adjustment", "platform_pilot", {"manual_published": False}, "manual_published: 须先发布《平台使用手册》"),
    ("business_adjustment", "batch_decision", {"batch_go": "no_go"}, "form: 暂缓上线时必须说明理由"),
    ("business_adjustment", "warehouse_rollout", {"turnover_baseline": 0},
     "turnover_baseline: Input should be greater than 0"),
    ("business_adjustment", "yearly_summary", {"best_team": "财务部"},
     "best_team: Input should be '市场部', '运营部', '技术部' or '客服中心'"),
    ("service_loop_before", "place_order", {"order_quantity": 0}, "form: 下单时数量至少为1"),
    ("service_loop_after", "confirm_receipt", {"issue_text": ""}, "form: 需要售后时必须描述问题"),
    ("service_loop_after", "submit_inquiry", {}, "inquiry_kind: Field required"),
])
def test_a_designer_form_refuses_what_the_programme_refused(process_id, key, overrides, problem):
    with pytest.raises(InvalidForm) as refused:
        validate(form(process_id, key), {**SAMPLES[key], **overrides}, f"task '{key}'")
    assert refused.value.problems == [problem]


def test_the_samples_pass_every_designer_form_and_come_back_as_entered():
    for process_id, model in MODELS.items():
        for key in model.forms.get(process_id, {}):
            if key == START:
                continue
            values = {**SAMPLES[key], **({"inquiry_kind": "simple"} if process_id == "service_loop_after"
                                         and key == "submit_inquiry" else {})}
            assert validate(form(process_id, key), values, key).keys() >= values.keys(), (process_id, key)


def test_a_start_with_phase_windows_out_of_order_is_one_line_and_starts_nothing(terminal):
    result = terminal.run("start", "business_adjustment", "--set", "pilot_start=2023-09-01", user=ACTORS["专项小组"])
    assert result.exit_code == 6
    assert result.stderr.strip() == ("phasegate: invalid-form: invalid values for starting business_adjustment: "
                                     "form: 阶段时间窗须按 准备→试点→推广 顺序排列，且每阶段开始不晚于结束")
    assert terminal.json("instances", user=ACTORS["专项小组"]) == []


def test_the_service_loops_start_with_an_optional_case_reference(terminal):
    customer = ACTORS["客户"]
    started = terminal.ok("start", "service_loop_after", user=customer, case_ref="  KF-2024-001 ")
    assert terminal.json("show", started["id"], user=customer)["data"]["case_ref"] == "KF-2024-001"
    result = terminal.run("start", "service_loop_before", "--set", f"case_ref={'x' * 65}", user=customer)
    assert result.exit_code == 6
    assert result.stderr.strip().endswith("case_ref: String should have at most 64 characters")
