"""link-event: link events are named and pair one catch with its throws in the same scope."""

DESCRIPTION = "Every link event has a name, and each name has exactly one catch event in its scope."


def check(model, report):
    for container in model.of_type("FlowElementsContainer"):
        links = [e for e in container.flow_elements
                 if e.is_a("Event") and any(d.type == "linkEventDefinition" for d in e.event_definitions)]
        by_name: dict[str, list] = {}
        for link in links:
            name = _link_name(link)
            if not name:
                report(link, "Link event is missing link name")
                continue
            by_name.setdefault(name, []).append(link)
        for name, events in by_name.items():
            if len(events) == 1:
                event = events[0]
                missing = "catch" if event.is_a("ThrowEvent") else "throw"
                report(event, "Link {missing} event with link name <{name}> missing in scope", missing=missing, name=name)
                continue
            catches = [e for e in events if e.is_a("CatchEvent")]
            if len(catches) > 1:
                for event in catches:
                    report(event, "Duplicate link catch event with link name <{name}> in scope", name=name)
            elif not catches:
                for event in events:
                    report(event, "Link catch event with link name <{name}> missing in scope", name=name)


def _link_name(event) -> str | None:
    definition = next(d for d in event.event_definitions if d.type == "linkEventDefinition")
    return definition.get("name") or None
