"""The customer service loop before and after the adjustment, walked to completion on every branch."""

from __future__ import annotations

import pytest

from processes.samples import ACTORS
from test_programme_gates import walk

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set

CUSTOMER = ACTORS["客户"]


def run_loop(terminal, process, steps):
    instance = terminal.ok("start", process, user=CUSTOMER, case_ref="CS-0001")["id"]
    done = walk(terminal, instance, steps)
    return instance, done


@pytest.mark.parametrize("process", ["service_loop_before", "service_loop_after"])
def test_an_inquiry_becomes_an_order_with_after_sales_and_a_technical_fix(terminal, process):
    kind = {"inquiry_kind": "complex"} if process == "service_loop_after" else {}
    steps = [("submit_inquiry", kind), "answer_inquiry", "prepare_quote", "place_order", "deliver_order",
             "confirm_receipt", "handle_after_sales", "tech_support"]
    instance, done = run_loop(terminal, process, steps)
    assert done["instance"]["status"] == "completed"
    lanes = [h["task_id"] for h in terminal.json("history", instance)][1:]
    assert lanes == [s if isinstance(s, str) else s[0] for s in steps]


@pytest.mark.parametrize("process", ["service_loop_before", "service_loop_after"])
def test_a_customer_who_does_not_order_closes_the_loop(terminal, process):
    kind = {"inquiry_kind": "complex"} if process == "service_loop_after" else {}
    _, done = run_loop(terminal, process, [("submit_inquiry", kind), "answer_inquiry", "prepare_quote",
                                           ("place_order", {"order_placed": False, "order_quantity": 0})])
    assert done["instance"]["status"] == "completed"


@pytest.mark.parametrize("process", ["service_loop_before", "service_loop_after"])
def test_a_satisfied_customer_needs_no_after_sales(terminal, process):
    kind = {"inquiry_kind": "complex"} if process == "service_loop_after" else {}
    _, done = run_loop(terminal, process, [("submit_inquiry", kind), "answer_inquiry", "prepare_quote", "place_order",
                                           "deliver_order", ("confirm_receipt", {"has_issue": False, "issue_text": ""})])
    assert done["instance"]["status"] == "completed"


def test_after_the_adjustment_a_simple_inquiry_is_answered_by_the_smart_system(terminal):
    instance, done = run_loop(terminal, "service_loop_after",
                              [("submit_inquiry", {"inquiry_kind": "simple", "inquiry_text": "退款多久到账？"})])
    assert [t["task_id"] for t in done["ready"]] == ["prepare_quote"]
    reply = terminal.json("show", instance)["data"]["smart_reply"]
    assert reply["resolved"] is True and reply["topic"] == "退款"
    assert "answer_inquiry" not in [h["task_id"] for h in terminal.json("history", instance)]


def test_a_simple_inquiry_the_smart_system_cannot_answer_goes_to_a_person(terminal):
    instance, done = run_loop(terminal, "service_loop_after",
                              [("submit_inquiry", {"inquiry_kind": "simple", "inquiry_text": "你们的吉祥物叫什么"})])
    assert [t["task_id"] for t in done["ready"]] == ["answer_inquiry"]
    assert terminal.json("show", instance)["data"]["smart_reply"]["resolved"] is False
    assert [w["task_id"] for w in terminal.json("show", instance)["waiting"]] == ["answer_overdue"]


def test_only_the_after_flow_asks_for_the_inquiry_kind(terminal):
    before = terminal.ok("start", "service_loop_before", user=CUSTOMER)["id"]
    after = terminal.ok("start", "service_loop_after", user=CUSTOMER)["id"]
    assert "inquiry_kind" not in [f["name"] for f in terminal.json("form", before, "submit_inquiry")["fields"]]
    assert "inquiry_kind" in [f["name"] for f in terminal.json("form", after, "submit_inquiry")["fields"]]
