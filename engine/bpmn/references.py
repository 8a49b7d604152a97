"""References written as QNames, read as the plain ids SpiffWorkflow looks up.

BPMN types `messageRef`, `attachedToRef`, `calledElement` and their kin as QNames, and tools write them
so: `tns:Message_1` (Zeebe's model API), `semantic:sid-…` (Trisotech). SpiffWorkflow searches the bare
id and, when a message, signal, error or escalation is not found, fails inside its own error path
(`raise_validation_exception() got an unexpected keyword argument 'node'`). Here a prefixed reference
whose prefix the file declares becomes its local id, and an event reference that still names nothing
in the file is refused with the element and the missing id.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import ModelInvalid
from engine.bpmn.namespaces import BPMN

QNAME_ATTRIBUTES = ("messageRef", "signalRef", "errorRef", "escalationRef", "attachedToRef", "processRef",
                    "calledElement", "dataStoreRef", "itemSubjectRef", "structureRef", "operationRef",
                    "sourceRef", "targetRef", "dataObjectRef", "default")
EVENT_REFERENCES = {"messageEventDefinition": ("messageRef", "message"),
                    "signalEventDefinition": ("signalRef", "signal"),
                    "errorEventDefinition": ("errorRef", "error"),
                    "escalationEventDefinition": ("escalationRef", "escalation")}


def unprefix_references(tree) -> None:
    """Rewrite, in memory, every `prefix:id` reference whose prefix is declared in scope to `id`
    (XML ids cannot hold a colon, so a colon always marks a QName)."""
    for element in tree.getroot().iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in QNAME_ATTRIBUTES:
            value = element.get(attribute)
            if value and ":" in value:
                prefix, local = value.split(":", 1)
                if prefix in (element.nsmap or {}) and local:
                    element.set(attribute, local)


def check_event_references(tree, path: Path | str) -> None:
    """Refuse an event definition that refers to a message, signal, error or escalation the file
    does not define (SpiffWorkflow looks them up in the same file only)."""
    root = tree.getroot()
    for tag, (attribute, kind) in EVENT_REFERENCES.items():
        defined = {el.get("id") for el in root.iter(f"{{{BPMN}}}{kind}")}
        for definition in root.iter(f"{{{BPMN}}}{tag}"):
            ref = definition.get(attribute)
            if ref and ref not in defined:
                owner = definition.getparent()
                name = owner.get("id") if owner is not None else definition.get("id")
                raise ModelInvalid("{file}:{sourceline}: event '{event}' refers to {kind} '{ref}', which this file does not "
                                   "define; pick the {kind} in the Modeler's properties panel",
                                   file=Path(path).name, sourceline=definition.sourceline, event=name, kind=kind, ref=ref)
