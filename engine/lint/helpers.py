"""Small questions several rules ask of an element (bpmnlint's `rules/helper.js` counterpart)."""

from __future__ import annotations

from engine.bpmn.model import Document, Element
from engine.i18n import Phrase


def is_true(element: Element, attribute: str, default: bool = False) -> bool:
    value = element.get(attribute)
    return default if value is None else value.strip().lower() == "true"


def is_event_sub_process(element: Element) -> bool:
    return element.is_a("SubProcess") and is_true(element, "triggeredByEvent")


def is_for_compensation(element: Element) -> bool:
    return element.is_a("Activity") and is_true(element, "isForCompensation")


def parent_is_ad_hoc(element: Element) -> bool:
    return element.parent is not None and element.parent.type == "adHocSubProcess"


def only_definitions_of(element: Element, kind: str) -> bool:
    """True when the event has event definitions and all of them are `kind` (e.g. linkEventDefinition)."""
    definitions = element.event_definitions
    return bool(definitions) and all(d.type == kind for d in definitions)


def is_in_executable_process(element: Element) -> bool:
    """bpmnlint's reading: the enclosing process says isExecutable="true"."""
    process = element.process
    return process is not None and is_true(process, "isExecutable")


def container_label(element: Element) -> str:
    return Phrase("Sub process") if element.is_a("SubProcess") else Phrase("Process")


def discouraged(model: Document, report, localname: str) -> None:
    """Report every element of a discouraged type, as bpmnlint's checkDiscouragedNodeType does."""
    kind = localname[0].upper() + localname[1:]
    for element in model.of_type(localname):
        report(element, "Element type <bpmn:{kind}> is discouraged", kind=kind)
