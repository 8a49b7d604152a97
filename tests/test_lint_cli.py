"""A designer runs `phasegate lint` on models: one line per finding, JSON for scripts, a bpmnlint-style
config, exit 9 on errors and 10 when a rule crashed, and the programme's own models and the MIWG reference files
handled. Lint needs no store: it reads lane members from one if it is there, never creating it."""

from __future__ import annotations

import json

import pytest

from conftest import MIWG, REPO, Terminal

FIXTURES = REPO / "tests" / "lint" / "fixtures"
UNNAMED = FIXTURES / "label-required" / "invalid-unnamed-task.bpmn"


@pytest.fixture
def designer(tmp_path) -> Terminal:
    return Terminal(tmp_path / "store" / "phasegate.db")


def test_a_designer_lints_the_programme_models_and_they_are_clean(designer):
    result = designer.run("lint", "--preset", "all")
    assert result.exit_code == 0, result.stdout + result.stderr
    # no errors; the only warnings are choice and yes/no fields nothing after their form reads
    assert [(line.split()[1], line.split()[2], line.split("'")[1], line.split("'")[3])
            for line in result.stdout.splitlines()] == [
        ("phasegate/field-unused", "warn", "manual_published", "platform_pilot"),
        ("phasegate/field-unused", "warn", "best_team", "yearly_summary"),
        ("phasegate/field-unused", "warn", "channel", "submit_inquiry"),
        ("phasegate/field-unused", "warn", "channel", "submit_inquiry")]
    assert result.stderr == ""


def test_a_finding_is_one_line_with_file_line_rule_severity_message_and_element(designer):
    result = designer.run("lint", UNNAMED, "--rule", "label-required")
    assert result.exit_code == 9
    assert result.stdout == f"{UNNAMED}:5 label-required error Element is missing label/name (Element)\n"
    assert result.stderr == "phasegate: lint-findings: 1 problems (1 errors, 0 warnings) in 1 files\n"


def test_a_rule_that_crashes_fails_the_run_with_its_own_exit_code(designer, monkeypatch):
    from engine.lint.rules import load_rules

    def crash(model, report):
        raise KeyError("oops")

    monkeypatch.setattr(load_rules()["label-required"], "check", crash)
    result = designer.run("lint", UNNAMED, "--rule", "label-required")
    assert result.exit_code == 10
    assert result.stdout == f"{UNNAMED}:2 rule-error error rule label-required crashed: KeyError: 'oops'\n"
    assert result.stderr == ("phasegate: rule-error: rule label-required crashed: KeyError: 'oops' "
                             "(hint: a bug in phasegate: please report it)\n")


def test_warnings_alone_do_not_fail_the_run(designer):
    path = FIXTURES / "superfluous-gateway" / "invalid-pass-through.bpmn"
    result = designer.run("lint", path, "--rule", "superfluous-gateway")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"{path}:5 superfluous-gateway warn Gateway is superfluous. It only has one source "
                             f'and target. (Element "Why?")\n')


def test_a_script_reads_findings_as_json(designer):
    findings = json.loads(designer.run("lint", UNNAMED, "--json").stdout)
    assert {"file": str(UNNAMED), "line": 5, "rule": "label-required", "severity": "error",
            "message": "Element is missing label/name", "element_id": "Element", "element_name": None} in findings
    assert all(set(f) == {"file", "line", "rule", "severity", "message", "element_id", "element_name"} for f in findings)


def test_a_bpmnlint_config_turns_a_rule_off_and_another_up(designer, tmp_path):
    config = tmp_path / ".bpmnlintrc"
    config.write_text(json.dumps({"extends": "bpmnlint:recommended",
                                  "rules": {"label-required": "off", "superfluous-gateway": "error"}}))
    assert designer.run("lint", UNNAMED, "--config", config, "--rule", "label-required").exit_code == 0
    path = FIXTURES / "superfluous-gateway" / "invalid-pass-through.bpmn"
    result = designer.run("lint", path, "--config", config, "--rule", "superfluous-gateway")
    assert result.exit_code == 9
    assert " superfluous-gateway error " in result.stdout


def test_standard_size_takes_its_sizes_from_the_config_as_in_bpmnlint(designer, tmp_path):
    config = tmp_path / ".phasegaterc"
    config.write_text(json.dumps({"extends": "all", "rules": {
        "standard-size": ["error", {"bpmn:Task": {"width": 120, "height": 80}}]}}))
    path = FIXTURES / "standard-size" / "invalid-wide-task.bpmn"
    result = designer.run("lint", path, "--config", config, "--rule", "standard-size")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize("content,line", [
    ("{not json", "phasegate: config-invalid: {config}:1: not valid JSON: Expecting property name enclosed in double quotes"),
    ('{"extends": "plugin:foo/recommended"}', "phasegate: config-invalid: {config}: 'plugin:foo/recommended': bpmnlint "
                                              "plug-ins are not supported (hint: turn their rules off or remove the plug-in from 'extends')"),
    ('{"rules": {"no-such-rule": "error"}}', "phasegate: config-invalid: {config}: unknown rule 'no-such-rule' "
                                             "(hint: `phasegate lint --list-rules` lists them)"),
    ('{"rules": {"fake-join": "loud"}}', 'phasegate: config-invalid: {config}: rule \'fake-join\' has level "loud"; '
                                         "use off, info, warn or error"),
    ("[1, 2]", "phasegate: config-invalid: {config}: must hold a JSON object with 'extends' and 'rules'"),
])
def test_a_broken_config_is_one_line_and_exit_2(designer, tmp_path, content, line):
    config = tmp_path / ".phasegaterc"
    config.write_text(content)
    result = designer.run("lint", UNNAMED, "--config", config)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == line.format(config=config) + "\n"


def test_an_unknown_preset_is_a_usage_error(designer):
    result = designer.run("lint", UNNAMED, "--preset", "strict")
    assert result.exit_code == 2
    assert result.stderr == "phasegate: config-invalid: --preset: unknown preset 'strict' (known: all, correctness, recommended)\n"


def test_the_rule_list_names_every_bpmnlint_rule_and_the_engine_rules(designer):
    rules = json.loads(designer.run("lint", "--list-rules", "--json").stdout)
    ids = {r["rule"] for r in rules}
    from engine.lint.rules import load_rules

    assert ids == set(load_rules()) and len([r for r in ids if not r.startswith("phasegate/")]) == 27
    assert {"no-implicit-split", "phasegate/gateway-covers-cases", "phasegate/engine-accepts"} <= ids
    assert {"phasegate/variable-provided", "phasegate/field-unused", "phasegate/choice-reachable"} <= ids
    field_unused = next(r for r in rules if r["rule"] == "phasegate/field-unused")
    assert (field_unused["recommended"], field_unused["correctness"], field_unused["all"]) == ("warn", "warn", "warn")
    fake_join = next(r for r in rules if r["rule"] == "fake-join")
    assert (fake_join["recommended"], fake_join["correctness"], fake_join["all"]) == ("warn", "off", "error")


def test_a_file_that_is_not_there_is_one_line_and_exit_2(designer, tmp_path):
    result = designer.run("lint", tmp_path / "nope.bpmn")
    assert result.exit_code == 2
    assert result.stderr == f"phasegate: model-invalid: {tmp_path / 'nope.bpmn'}: no such file\n"


def test_a_folder_without_models_is_a_usage_error(designer, tmp_path):
    result = designer.run("lint", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"phasegate: bad-input: no .bpmn or .dmn files to lint in {tmp_path}\n"


@pytest.mark.skipif(not MIWG.is_dir(), reason=f"the MIWG corpus is not at {MIWG}")
@pytest.mark.parametrize("path", sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else [], ids=lambda p: p.name)
def test_every_miwg_reference_file_lints_without_a_crash(designer, path):
    result = designer.run("lint", path, "--preset", "all", "--json")
    assert result.exit_code in (0, 9), result.stderr
    findings = json.loads(result.stdout)
    assert not [f for f in findings if f["rule"] in ("rule-error", "phasegate/xml")]
