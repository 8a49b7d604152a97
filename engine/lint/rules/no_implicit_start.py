"""no-implicit-start: a path starts only at a start event (or a boundary event)."""

from ..helpers import is_event_sub_process, is_for_compensation, only_definitions_of, parent_is_ad_hoc

DESCRIPTION = "Every event, activity and gateway without incoming flows is a start or boundary event."


def check(model, report):
    for node in model.of_type("Event", "Activity", "Gateway"):
        if _implicit_start(node):
            report(node, "Element is an implicit start")


def _implicit_start(node) -> bool:
    if is_for_compensation(node) or parent_is_ad_hoc(node) or is_event_sub_process(node):
        return False
    if node.type == "intermediateCatchEvent" and only_definitions_of(node, "linkEventDefinition"):
        return False
    if node.type in ("startEvent", "boundaryEvent"):
        return False
    return not node.incoming
