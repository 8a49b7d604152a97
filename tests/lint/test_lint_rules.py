"""Every lint rule, told by its fixtures (bpmnlint's rule tester, as files): each valid-* file gives no
finding for the rule, and each invalid-* file gives exactly the findings listed in its folder's
expected.json, as (element id, message) pairs in report order (same count, same words)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest
from lxml import etree
from pydantic import BaseModel

from engine.lint import LintContext, lint_paths
from engine.lint.model import Model
from engine.lint.rules import load_rules
from engine.lint.runner import _run_rule

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Decision(BaseModel):
    decision: Literal["approve", "revise"]


FORMS = {"task_with_form": Decision}
CONTEXT = LintContext(people_by_lane={"Lane A": ["ann"], "Nobody": []}, form_for=lambda process, task: FORMS.get(task),
                      handlers=frozenset({"known_operator"}))


def expected(rule: str) -> dict[str, list[list]]:
    path = FIXTURES / rule / "expected.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def fixture_files():
    for rule in sorted(load_rules()):
        for path in sorted((FIXTURES / rule).glob("*-*.*")):
            if path.suffix not in (".bpmn", ".dmn"):  # e.g. a .form file a fixture links
                continue
            yield pytest.param(rule, path, id=f"{rule}/{path.name}")


def findings(rule: str, path: Path) -> list[tuple]:
    report = lint_paths([path], preset="all", context=CONTEXT, rules={rule}, cwd=path.parent)
    assert report.unreadable == []
    return [(f.element_id, f.rule, f.message) for f in report.findings]


@pytest.mark.parametrize("rule,path", list(fixture_files()))
def test_a_fixture_gives_exactly_the_findings_expected_of_it(rule, path):
    if path.name.startswith("valid-"):
        want = []
    else:
        assert path.name in expected(rule), f"{rule}/expected.json has no entry for {path.name}"
        want = [(element_id, rule, message) for element_id, message in expected(rule)[path.name]]
    assert findings(rule, path) == want


@pytest.mark.parametrize("rule", sorted(load_rules()))
def test_every_rule_has_a_valid_and_an_invalid_fixture_and_each_expectation_a_file(rule):
    names = {p.name for p in (FIXTURES / rule).glob("*-*.*")}
    assert any(n.startswith("valid-") for n in names), f"{rule} has no valid-* fixture"
    invalid = {n for n in names if n.startswith("invalid-")}
    assert invalid, f"{rule} has no invalid-* fixture"
    assert set(expected(rule)) == invalid
    assert all(expected(rule).values()), f"{rule}/expected.json lists an invalid fixture with no finding"


def test_every_invalid_fixture_names_its_offender_element():
    for rule in load_rules():
        for name, pairs in expected(rule).items():
            ids = {element_id for element_id, _message in pairs}
            assert "Element" in ids or ids == {None}, f"{rule}/{name}: no finding on the element with id 'Element'"
            assert etree.parse(str(FIXTURES / rule / name)).getroot().xpath("//*[@id='Element']") or ids == {None}


def test_every_rule_explains_itself_and_bpmnlints_ids_are_all_there():
    rules = load_rules()
    assert [r for r, module in rules.items() if not getattr(module, "DESCRIPTION", "").strip()] == []
    bpmnlint = {r for r in rules if not r.startswith("phasegate/")}
    assert len(bpmnlint) == 27 and {"fake-join", "no-implicit-split", "superfluous-termination"} <= bpmnlint


def test_a_rule_that_crashes_is_reported_as_a_rule_error_and_fails_the_run():
    class Broken:
        @staticmethod
        def check(model, report):
            raise KeyError("oops")

    path = FIXTURES / "label-required" / "valid-all-named.bpmn"
    model = Model(path, etree.parse(str(path)))
    findings = _run_rule(Broken, "label-required", "warn", model, None)
    assert [(f.rule, f.severity, f.message) for f in findings] == [
        ("rule-error", "error", "rule label-required crashed: KeyError: 'oops'")]


def test_engine_rules_skip_what_they_cannot_know_without_a_programme():
    path = FIXTURES / "phasegate" / "lane-has-people" / "invalid-empty-lane.bpmn"
    rules = {"phasegate/lane-has-people", "phasegate/user-task-has-form"}
    assert lint_paths([path], preset="all", rules=rules, cwd=path.parent).findings == []
    with_programme = lint_paths([path], preset="all", rules=rules, cwd=path.parent, context=CONTEXT)
    assert [(f.element_id, f.rule) for f in with_programme.findings] == [("Element", "phasegate/lane-has-people")]
