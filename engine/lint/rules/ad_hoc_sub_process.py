"""ad-hoc-sub-process: an ad-hoc sub-process may contain neither start nor end events."""

DESCRIPTION = "An <Ad Hoc Sub Process> contains no start or end events."


def check(model, report):
    for container in model.of_type("adHocSubProcess"):
        for element in container.flow_elements:
            if element.type == "startEvent":
                report(element, "A <Start Event> is not allowed in <Ad Hoc Sub Process>")
            if element.type == "endEvent":
                report(element, "An <End Event> is not allowed in <Ad Hoc Sub Process>")
