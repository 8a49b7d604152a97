"""The one table of XML namespace URIs phasegate reads and writes in BPMN and DMN files.

Every module under `engine/` takes its namespace strings from here: `NS` for lxml's
`findall("bpmn:process", NS)`, the constants for Clark names (`f"{{{BPMN}}}process"`).
"""

from __future__ import annotations

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN = DMN13
DMN_MODELS = (DMN13, DMN12, DMN11)  # the DMN versions SpiffWorkflow 3.2 parses, newest first
DMNDI13 = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DMNDI12 = "http://www.omg.org/spec/DMN/20180521/DMNDI/"

SPIFFWORKFLOW = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI = "http://activiti.org/bpmn"  # Camunda 7 still reads its predecessor's extensions as its own
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
MODELER = "http://camunda.org/schema/modeler/1.0"

NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "dmn": DMN, "dmndi": DMNDI13,
      "spiffworkflow": SPIFFWORKFLOW, "camunda": CAMUNDA, "zeebe": ZEEBE, "modeler": MODELER}
PREFIX = {uri: prefix for prefix, uri in NS.items()} | {DMN12: "dmn", DMN11: "dmn", DMNDI12: "dmndi"}


def is_dmn(uri: str | None) -> bool:
    """True for the model namespace of any DMN version, those in DMN_MODELS and newer (a .dmn file's root)."""
    return "/spec/DMN/" in (uri or "")

