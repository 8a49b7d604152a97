"""no-implicit-end: a path ends only in an end event."""

from ..helpers import is_event_sub_process, is_for_compensation, only_definitions_of, parent_is_ad_hoc

DESCRIPTION = "Every event, activity and gateway without outgoing flows is an end event."


def check(model, report):
    associated = {a.get("sourceRef") for a in model.of_type("association")}
    for node in model.of_type("Event", "Activity", "Gateway"):
        if _implicit_end(node, associated):
            report(node, "Element is an implicit end")


def _implicit_end(node, associated) -> bool:
    if is_event_sub_process(node) or parent_is_ad_hoc(node) or node.type == "endEvent":
        return False
    if node.type == "intermediateThrowEvent" and only_definitions_of(node, "linkEventDefinition"):
        return False
    if node.type == "boundaryEvent" and only_definitions_of(node, "compensateEventDefinition") and node.id in associated:
        return False
    if is_for_compensation(node):
        return False
    return not node.outgoing
