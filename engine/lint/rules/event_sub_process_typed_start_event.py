"""event-sub-process-typed-start-event: the start events of an event sub-process are typed."""

from ..helpers import is_event_sub_process

DESCRIPTION = "Start events of event sub-processes have an event definition."


def check(model, report):
    for container in model.of_type("SubProcess"):
        if not is_event_sub_process(container):
            continue
        for element in container.flow_elements:
            if element.type == "startEvent" and not element.event_definitions:
                report(element, "Start event is missing event definition")
