"""Every lint rule, told by its fixtures: it flags the element with id "Element" in each invalid-*
file and stays quiet on each valid-* file (bpmnlint's rule tester, as files)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from lxml import etree
from pydantic import BaseModel

from engine.lint import LintContext, lint_paths
from engine.lint.config import LintConfig
from engine.lint.model import Model
from engine.lint.rules import load_rules
from engine.lint.runner import _run_rule

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Decision(BaseModel):
    decision: Literal["approve", "revise"]


FORMS = {"task_with_form": Decision}
CONTEXT = LintContext(people_by_lane={"Lane A": ["ann"], "Nobody": []}, form_for=lambda process, task: FORMS.get(task),
                      handlers=frozenset({"known_operator"}))


def fixture_files():
    for rule in sorted(load_rules()):
        for path in sorted((FIXTURES / rule).glob("*-*.*")):
            yield pytest.param(rule, path, id=f"{rule}/{path.name}")


def offender_line(path: Path) -> int:
    found = etree.parse(str(path)).getroot().xpath("//*[@id='Element']")
    assert found, f"{path.name} has no element with id 'Element'"
    return found[0].sourceline


@pytest.mark.parametrize("rule,path", list(fixture_files()))
def test_rule_flags_the_offender_of_an_invalid_file_and_passes_a_valid_one(rule, path):
    report = lint_paths([path], preset="all", context=CONTEXT, rules={rule}, cwd=path.parent)
    assert not report.unreadable
    assert all(f.rule == rule for f in report.findings), [f.text() for f in report.findings]
    if path.name.startswith("valid-"):
        assert report.findings == [], [f.text() for f in report.findings]
    else:
        line = offender_line(path)
        assert any(f.element_id == "Element" or f.line == line for f in report.findings), \
            [f.text() for f in report.findings]


@pytest.mark.parametrize("rule", sorted(load_rules()))
def test_every_rule_has_a_valid_and_an_invalid_fixture(rule):
    names = [p.name for p in (FIXTURES / rule).glob("*")]
    assert any(n.startswith("valid-") for n in names), f"{rule} has no valid-* fixture"
    assert any(n.startswith("invalid-") for n in names), f"{rule} has no invalid-* fixture"


def test_every_rule_explains_itself_and_bpmnlints_ids_are_all_there():
    rules = load_rules()
    assert all(getattr(module, "DESCRIPTION", "").strip() for module in rules.values())
    bpmnlint = {r for r in rules if not r.startswith("phasegate/")}
    assert len(bpmnlint) == 27 and {"fake-join", "no-implicit-split", "superfluous-termination"} <= bpmnlint


def test_a_rule_that_crashes_is_reported_as_a_rule_error_and_fails_the_run(tmp_path):
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
    report = lint_paths([path], preset="all", rules={"phasegate/lane-has-people", "phasegate/user-task-has-form"},
                        cwd=path.parent)
    assert report.findings == []
    assert isinstance(LintConfig(levels={}), LintConfig)
