"""Every refusal: one line on stderr, its own exit code, and the store exactly as it was."""

from __future__ import annotations

import json

import pytest

from conftest import CUSTOMER, MANAGER, SERVICE_LEAD, store_bytes

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set


@pytest.fixture
def inquiry(terminal):
    """A customer has started the before-flow and submitted an inquiry; 客服中心 must answer."""
    started = terminal.ok("start", "service_loop_before", user=CUSTOMER)
    terminal.ok("complete", started["id"], "submit_inquiry", user=CUSTOMER,
                customer_name="何佳怡", inquiry_text="退款多久到账？")
    return started["id"]


def refused(terminal, *args, user=None, code, line):
    before = store_bytes(terminal.db)
    result = terminal.run(*args, user=user)
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == line
    assert len(result.stderr.strip().splitlines()) == 1
    assert store_bytes(terminal.db) == before, "a refused command changed the store"
    return result


def test_a_manager_cannot_answer_an_inquiry_of_the_service_centre(terminal, inquiry):
    refused(terminal, "complete", inquiry, "answer_inquiry", "--set", "answer_text=好的", "--set", "response_minutes=30",
            user=MANAGER, code=5,
            line="phasegate: not-allowed: 孙志强 may not complete 'answer_inquiry': it belongs to lane 客服中心 "
                 "(members: 徐敏, 林晓燕, 黄丽)")


def test_an_invalid_form_value_is_refused_field_by_field(terminal, inquiry):
    refused(terminal, "complete", inquiry, "answer_inquiry", "--set", "answer_text=好的", "--set", "response_minutes=-5",
            user=SERVICE_LEAD, code=6,
            line="phasegate: invalid-form: invalid values for task 'answer_inquiry': "
                 "response_minutes: Input should be greater than or equal to 0")


def test_a_missing_field_and_an_unknown_field_are_both_named(terminal, inquiry):
    result = refused(terminal, "complete", inquiry, "answer_inquiry", "--data", json.dumps({"answer": "好的"}),
                     user=SERVICE_LEAD, code=6,
                     line="phasegate: invalid-form: invalid values for task 'answer_inquiry': "
                          "answer_text: Field required; response_minutes: Field required; "
                          "answer: Extra inputs are not permitted")
    assert "answer_text" in result.stderr


def test_an_unknown_instance_is_not_found(terminal, inquiry):
    refused(terminal, "complete", 999, "answer_inquiry", user=SERVICE_LEAD, code=4,
            line="phasegate: unknown-instance: no instance 999 in the store")


def test_an_unknown_task_is_not_found(terminal, inquiry):
    refused(terminal, "complete", inquiry, "approve_everything", user=SERVICE_LEAD, code=4,
            line="phasegate: unknown-task: the instance's model has no task 'approve_everything'")


def test_a_task_already_completed_is_a_conflict(terminal, inquiry):
    refused(terminal, "complete", inquiry, "submit_inquiry", "--set", "customer_name=何佳怡", "--set", "inquiry_text=再问一次",
            user=CUSTOMER, code=7,
            line="phasegate: task-not-ready: task 'submit_inquiry' is already completed and is not open again")


def test_a_task_not_reached_yet_is_a_conflict(terminal, inquiry):
    refused(terminal, "complete", inquiry, "deliver_order", user="王芳", code=7,
            line="phasegate: task-not-ready: task 'deliver_order' is not open now (not reached yet, or waiting)")


def test_a_person_in_no_lane_is_refused(terminal, inquiry):
    refused(terminal, "complete", inquiry, "answer_inquiry", user="路人甲", code=5,
            line="phasegate: unknown-person: '路人甲' is not in any lane "
                 "(hint: an administrator adds people with `phasegate people add`)")


def test_nobody_named_is_refused(terminal, inquiry):
    refused(terminal, "complete", inquiry, "answer_inquiry", code=5,
            line="phasegate: unknown-person: no person given: use --as NAME or set PHASEGATE_USER")


def test_malformed_json_data_is_a_usage_error(terminal, inquiry):
    result = terminal.run("complete", inquiry, "answer_inquiry", "--data", "{oops", user=SERVICE_LEAD)
    assert result.exit_code == 2
    assert "--data" in result.stderr and "not valid JSON" in result.stderr


def test_an_unknown_process_cannot_be_started(terminal, inquiry):
    refused(terminal, "start", "world_domination", user=CUSTOMER, code=4,
            line="phasegate: unknown-process: unknown process 'world_domination' "
                 "(known: business_adjustment, service_loop_after, service_loop_before)")


def test_only_the_start_lane_may_start_a_process(terminal, inquiry):
    refused(terminal, "start", "business_adjustment", user=CUSTOMER, code=5,
            line="phasegate: not-allowed: 何佳怡 may not start business_adjustment: it starts in lane 专项小组")


def test_only_management_may_change_lanes(terminal, inquiry):
    refused(terminal, "people", "add", "路人甲", "管理层", user=CUSTOMER, code=5,
            line="phasegate: not-allowed: 何佳怡 may not change lanes: only members of 管理层 may")


def test_management_adds_a_person_who_can_then_act(terminal, inquiry):
    result = terminal.run("people", "add", "新同事", "客服中心", user=MANAGER)
    assert result.exit_code == 0, result.stderr
    done = terminal.ok("complete", inquiry, "answer_inquiry", user="新同事", answer_text="3个工作日到账", response_minutes=45)
    assert done["completed"]["task_id"] == "answer_inquiry"
    assert {"person": "新同事", "lane": "客服中心"} in terminal.json("people")


def test_a_missing_data_file_is_a_usage_error(terminal, inquiry, tmp_path):
    before = store_bytes(terminal.db)
    result = terminal.run("complete", inquiry, "answer_inquiry", "--data", f"@{tmp_path}/nope.json", user=SERVICE_LEAD)
    assert result.exit_code == 2
    assert result.stderr == (f"phasegate: usage: Invalid value for --data: {tmp_path}/nope.json: no such file "
                             "(see phasegate complete --help)\n")
    assert store_bytes(terminal.db) == before


def test_removing_someone_from_a_lane_they_are_not_in_is_refused(terminal, inquiry):
    refused(terminal, "people", "remove", "路人甲", "客服中心", user=MANAGER, code=5,
            line="phasegate: unknown-person: '路人甲' is not in lane 客服中心")


def test_management_removes_a_person_who_then_may_no_longer_act(terminal, inquiry):
    assert terminal.run("people", "remove", "徐敏", "客服中心", user=MANAGER).exit_code == 0
    result = terminal.run("complete", inquiry, "answer_inquiry", "--set", "answer_text=好", "--set",
                          "response_minutes=5", user="徐敏")
    assert result.exit_code == 5 and "'徐敏' is not in any lane" in result.stderr
