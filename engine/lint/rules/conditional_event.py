"""conditional-event: a conditional event in an executable process needs a condition."""

from ..helpers import is_in_executable_process

DESCRIPTION = "Conditional events of executable processes have a condition."


def check(model, report):
    for event in model.of_type("Event"):
        if not is_in_executable_process(event):
            continue
        definition = next((d for d in event.event_definitions if d.type == "conditionalEventDefinition"), None)
        if definition is not None and not definition.text_of("condition"):
            report(event, "Conditional event is missing a condition")
