"""single-blank-start-event: a process or sub-process has at most one blank start event."""

from ..helpers import container_label

DESCRIPTION = "A process or sub-process has at most one start event without an event definition."


def check(model, report):
    for container in model.of_type("FlowElementsContainer"):
        blank = [e for e in container.flow_elements if e.type == "startEvent" and not e.event_definitions]
        if len(blank) > 1:
            report(container, "{container} has multiple blank start events", container=container_label(container))
