"""superfluous-termination: a terminate end event that ends the only path left is a plain end event."""

from ..helpers import is_event_sub_process, is_true

DESCRIPTION = "A terminate end event is not the only way a process or sub-process ends."


def check(model, report):
    for container in model.of_type("process", "SubProcess"):
        ends = [e for e in container.flow_elements if e.is_a("FlowNode") and not e.outgoing]
        terminates = [e for e in ends if _is_terminate_end(e)]
        if len(terminates) != 1:
            continue
        if all(_is_terminate_end(e) or _is_interrupting_event_sub(e) for e in ends):
            for end in terminates:
                report(end, "Termination is superfluous.")


def _is_terminate_end(element) -> bool:
    return element.type == "endEvent" and any(d.type == "terminateEventDefinition" for d in element.event_definitions)


def _is_interrupting_event_sub(element) -> bool:
    return is_event_sub_process(element) and any(
        e.type == "startEvent" and is_true(e, "isInterrupting", default=True) for e in element.flow_elements)
