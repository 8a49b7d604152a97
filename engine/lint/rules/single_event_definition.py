"""single-event-definition: an event has at most one event definition."""

DESCRIPTION = "An event has at most one event definition."


def check(model, report):
    for event in model.of_type("Event"):
        if len(event.event_definitions) > 1:
            report(event, "Event has multiple event definitions")
