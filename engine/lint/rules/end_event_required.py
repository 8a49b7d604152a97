"""end-event-required: every process and sub-process has an end event (ad-hoc sub-processes excepted)."""

from ..helpers import container_label

DESCRIPTION = "Every process and sub-process has an end event."


def check(model, report):
    for container in model.of_type("process", "SubProcess"):
        if container.type == "adHocSubProcess":
            continue
        if not any(e.type == "endEvent" for e in container.flow_elements):
            report(container, "{container} is missing end event", container=container_label(container))
