"""phasegate/user-task-has-form: every user task of an executable process has a form the engine can build.

A designer's form counts (inline `camunda:formData`, or a form-js file linked by `zeebe:formDefinition
formId` / `camunda:formRef` beside the model); otherwise the programme's form by task id, when a
programme context is given. A link to no file, or a field the engine cannot build, is reported here,
before anything runs.
"""

from engine.bpmn.formdefs import form_reference, read_camunda_form_data, read_form_files
from engine.errors import ModelInvalid

DESCRIPTION = "Every user task of an executable process has a form: the designer's (inline or a .form file) or the programme's."


def check(model, report):
    form_for = getattr(model.context, "form_for", None)
    form_files = None
    for task in model.of_type("userTask"):
        if not task.is_executable:
            continue
        try:
            if read_camunda_form_data(task.node, model.path.name) is not None:
                continue
        except ModelInvalid as err:
            report(task, str(err).split(": ", 1)[-1])
            continue
        link = form_reference(task.node)
        if link is not None and link[0] == "formId":
            if form_files is None:
                try:
                    form_files = read_form_files(model.path.parent)
                except ModelInvalid as err:
                    report(task, "The form files beside the model cannot be read: {err}", err=err)
                    form_files = {}
            if link[1] not in form_files:
                report(task, "User task '{id}' links form '{link}', which no .form file beside the model has", id=task.id, link=link[1])
            continue
        if link is not None:
            continue
        if form_for is not None and form_for(task.process.id, task.id) is None:
            report(task, "User task '{id}' has no form: declare its fields in the Modeler or link a .form file", id=task.id)
