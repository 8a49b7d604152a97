"""phasegate/process-executable: a process marked `isExecutable="false"` is one `start` will not run.

Many tools export documentation-only models that way; the warning says why `start` refuses the
process, before someone tries.
"""

from engine.bpmn.namespaces import BPMN

DESCRIPTION = 'A process with isExecutable="false" does not run: `phasegate start` refuses it.'


def check(model, report):
    if model.kind != "bpmn":
        return
    for process in model.root.iter(f"{{{BPMN}}}process"):
        if (process.get("isExecutable") or "true").lower() == "false":
            report(process.get("id"), 'Process \'{process}\' is not executable (isExecutable="false"): `phasegate start` will not run it; tick "Executable" in the Modeler to run it', process=process.get('id'))
