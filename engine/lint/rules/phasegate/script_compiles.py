"""phasegate/script-compiles: script tasks and spiffworkflow pre/post scripts compile in the sandbox."""

from ...expressions import refusal

DESCRIPTION = "Scripts (script tasks, spiffworkflow preScript/postScript) compile under the sandbox."


def check(model, report):
    for task in model.of_type("Activity", "Event"):
        if not task.is_executable:
            continue
        if task.type == "scriptTask":
            script = task.child("script")
            if script is None or not (script.node.text or "").strip():
                report(task, "Script task has no script")
            else:
                _check(report, task, script.node.text, script.line, "Script")
        for kind in ("preScript", "postScript"):
            for node in task.extensions(kind):
                if (node.text or "").strip():
                    _check(report, task, node.text, node.sourceline or task.line, kind)


def _check(report, task, text, line, what):
    why = refusal(text, "exec")
    if why:
        report(task, "{what} does not compile: {why}", line=line, what=what, why=why)
