"""phasegate/user-task-has-form: every user task of an executable process has a form model in the programme.

Skipped when no programme context is given.
"""

DESCRIPTION = "Every user task of an executable process has a form model (by task id) in the programme."


def check(model, report):
    form_for = getattr(model.context, "form_for", None)
    if form_for is None:
        return
    for task in model.of_type("userTask"):
        if not task.is_executable:
            continue
        if form_for(task.process.id, task.id) is None:
            report(task, f"User task '{task.id}' has no form model in the programme")
