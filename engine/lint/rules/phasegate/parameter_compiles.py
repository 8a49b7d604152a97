"""phasegate/parameter-compiles: service-task parameter values are expressions that compile in the sandbox."""

from ...expressions import refusal

DESCRIPTION = "Service-task parameter values (spiffworkflow:parameter value) compile under the sandbox."


def check(model, report):
    for task in model.of_type("serviceTask"):
        if not task.is_executable:
            continue
        for node in task.extensions("parameter"):
            value = (node.get("value") or "").strip()
            name = node.get("id") or node.get("name") or "?"
            if not value:
                report(task, f"Parameter '{name}' has no value", line=node.sourceline)
                continue
            why = refusal(value)
            if why:
                report(task, f"Parameter '{name}' does not compile: {why}", line=node.sourceline)
