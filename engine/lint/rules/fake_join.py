"""fake-join: an activity or event with several incoming flows does not wait for them all."""

DESCRIPTION = "Activities and events have at most one incoming flow; join with a gateway."


def check(model, report):
    for node in model.of_type("Activity", "Event"):
        if len(node.incoming) > 1:
            report(node, "Incoming flows do not join")
