"""label-required: flow nodes, conditional flows, participants and lanes carry a label."""

DESCRIPTION = "Flow nodes, conditional flows, pools and lanes have a name (joins and sub-processes excepted)."

UNLABELLED_GATEWAYS = {"parallelGateway", "eventBasedGateway"}


def check(model, report):
    for element in model.of_type("FlowNode", "sequenceFlow", "participant", "lane"):
        if element.type in UNLABELLED_GATEWAYS:
            continue
        if element.is_a("Gateway") and len(element.outgoing) <= 1:
            continue
        if element.is_a("SubProcess"):
            continue
        if element.type == "sequenceFlow" and not model.has_condition(element):
            continue
        if not (element.name or "").strip():
            report(element, "Element is missing label/name")
