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
                report(task, "Parameter '{name}' has no value", line=node.sourceline, name=name)
                continue
            why = refusal(value)
            if why:
                report(task, "Parameter '{name}' does not compile: {why}", line=node.sourceline, name=name, why=why)
