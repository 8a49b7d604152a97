"""no-disconnected: every task, gateway, sub-process and event is connected by a sequence flow."""

from ..helpers import is_event_sub_process, is_for_compensation, parent_is_ad_hoc

DESCRIPTION = "Tasks, gateways, sub-processes and events have an incoming or outgoing flow."


def check(model, report):
    for node in model.of_type("Task", "Gateway", "SubProcess", "Event"):
        if is_event_sub_process(node) or _compensation_linked(node) or parent_is_ad_hoc(node):
            continue
        if not node.incoming and not node.outgoing:
            report(node, "Element is not connected")


def _compensation_linked(node) -> bool:
    definitions = node.event_definitions
    boundary = node.type == "boundaryEvent" and len(definitions) == 1 and definitions[0].type == "compensateEventDefinition"
    return boundary or is_for_compensation(node)
