"""global: messages, signals, errors and escalations are named, used and uniquely named."""

DESCRIPTION = "Global elements (message, signal, error, escalation) are named, referenced and unique."

GLOBAL_TYPES = {"error": "errorRef", "escalation": "escalationRef", "message": "messageRef", "signal": "signalRef"}
DEFINITION_OF = {"error": "errorEventDefinition", "escalation": "escalationEventDefinition",
                 "message": "messageEventDefinition", "signal": "signalEventDefinition"}


def check(model, report):
    roots = [e for e in model.root_elements if e.type in GLOBAL_TYPES]
    used = _references(model)
    for element in roots:
        name = element.name
        if name is not None and name.strip() == "":
            report(element, "Element is missing name")
        if (element.type, element.id) not in used:
            report(element, "Element is unused")
        if sum(1 for other in roots if other.type == element.type and other.name == element.name) != 1:
            report(element, "Element name is not unique")


def _references(model) -> set[tuple[str, str]]:
    used = set()
    for kind, attribute in GLOBAL_TYPES.items():
        for definition in model.of_type(DEFINITION_OF[kind]):
            if definition.parent is not None and definition.parent.is_a("Event"):
                used.add((kind, definition.get(attribute)))
    for element in model.of_type("messageFlow", "sendTask", "receiveTask"):
        used.add(("message", element.get("messageRef")))
    return used
