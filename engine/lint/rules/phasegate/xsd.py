"""phasegate/xsd: a BPMN file is valid against the BPMN 2.0 schema with the spiffworkflow extension.

This is the same validation the engine runs before it parses a model. DMN files are not checked here.
"""

import copy
import re

from engine.bpmn.namespaces import PREFIX

DESCRIPTION = "BPMN files validate against the BPMN 2.0 XSD and the spiffworkflow extension schema."

MAX_FINDINGS = 20


def check(model, report):
    if model.kind != "bpmn":
        return
    from engine.spiff import VALIDATOR

    tree = copy.deepcopy(model.root)
    VALIDATOR.preprocess(tree)
    schema = VALIDATOR.validator
    if schema.validate(tree):
        return
    errors = list(schema.error_log)
    for error in errors[:MAX_FINDINGS]:
        report(None, _short(error.message), line=error.line)
    if len(errors) > MAX_FINDINGS:
        report(None, "... and {count} more schema errors", line=errors[MAX_FINDINGS].line, count=len(errors) - MAX_FINDINGS)


def _short(message: str) -> str:
    for uri, prefix in PREFIX.items():
        message = message.replace(f"{{{uri}}}", f"{prefix}:")
    message = re.sub(r"\{[^}]*\}", "", message)
    message = re.sub(r"Expected is one of \((.{0,80})[^)]*\)", lambda m: f"Expected is one of ({m.group(1).strip()} ...)"
                     if len(m.group(0)) > 100 else m.group(0), message)
    return " ".join(message.split())
