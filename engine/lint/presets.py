"""Rule presets as data: bpmnlint's `recommended`, `correctness` and `all`, plus phasegate's engine rules.

The bpmnlint tables copy the rule levels of bpmnlint 11.13 (`config/*.js`) so a `.bpmnlintrc` means
the same here. phasegate's own rules (ids starting `phasegate/`) check what the engine needs to run
a model; they are part of every preset and a config file turns them off by id like any other rule.
"""

from __future__ import annotations

BPMNLINT_RECOMMENDED = {
    "ad-hoc-sub-process": "error",
    "conditional-flows": "error",
    "end-event-required": "error",
    "event-based-gateway": "error",
    "event-sub-process-typed-start-event": "error",
    "fake-join": "warn",
    "global": "warn",
    "label-required": "error",
    "link-event": "error",
    "no-bpmndi": "error",
    "no-complex-gateway": "error",
    "no-disconnected": "error",
    "no-duplicate-sequence-flows": "error",
    "no-gateway-join-fork": "error",
    "no-implicit-split": "error",
    "no-implicit-end": "error",
    "no-implicit-start": "error",
    "no-inclusive-gateway": "warn",
    "no-overlapping-elements": "warn",
    "single-blank-start-event": "error",
    "single-event-definition": "error",
    "start-event-required": "error",
    "sub-process-blank-start-event": "error",
    "superfluous-gateway": "warn",
    "superfluous-termination": "warn",
}

BPMNLINT_CORRECTNESS = {
    "ad-hoc-sub-process": "error",
    "conditional-event": "error",
    "event-based-gateway": "error",
    "event-sub-process-typed-start-event": "error",
    "link-event": "error",
    "no-duplicate-sequence-flows": "warn",
    "sub-process-blank-start-event": "error",
    "single-blank-start-event": "error",
}

BPMNLINT_ALL = {rule: "error" for rule in sorted(set(BPMNLINT_RECOMMENDED) | {"conditional-event", "standard-size"})}

ENGINE = {
    "phasegate/xsd": "error",
    "phasegate/condition-compiles": "error",
    "phasegate/script-compiles": "error",
    "phasegate/timer-compiles": "error",
    "phasegate/dmn-cell-compiles": "error",
    "phasegate/parameter-compiles": "error",
    "phasegate/reference-resolves": "error",
    "phasegate/lane-has-people": "error",
    "phasegate/user-task-has-form": "error",
    "phasegate/gateway-covers-cases": "error",
    "phasegate/engine-accepts": "error",
    "phasegate/process-executable": "warn",
    "phasegate/variable-provided": "error",
    "phasegate/field-unused": "warn",
    "phasegate/choice-reachable": "error",
}

PRESETS = {
    "recommended": {**BPMNLINT_RECOMMENDED, **ENGINE},
    "correctness": {**BPMNLINT_CORRECTNESS, **ENGINE},
    "all": {**BPMNLINT_ALL, **ENGINE},
}
"""Preset name → rule id → level. `extends` accepts "NAME", "bpmnlint:NAME" and "phasegate:NAME"."""

DEFAULT_PRESET = "recommended"
