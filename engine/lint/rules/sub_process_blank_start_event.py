"""sub-process-blank-start-event: an (embedded, non-event) sub-process starts with a blank start event."""

from ..helpers import is_event_sub_process

DESCRIPTION = "Start events of sub-processes (other than event sub-processes) have no event definition."


def check(model, report):
    for container in model.of_type("SubProcess"):
        if is_event_sub_process(container):
            continue
        for element in container.flow_elements:
            if element.type == "startEvent" and element.event_definitions:
                report(element, "Start event must be blank")
