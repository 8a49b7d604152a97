"""start-event-required: every process and sub-process has a start event (ad-hoc sub-processes excepted)."""

from ..helpers import container_label

DESCRIPTION = "Every process and sub-process has a start event."


def check(model, report):
    for container in model.of_type("process", "SubProcess"):
        if container.type == "adHocSubProcess":
            continue
        if not any(e.type == "startEvent" for e in container.flow_elements):
            report(container, "{container} is missing start event", container=container_label(container))
