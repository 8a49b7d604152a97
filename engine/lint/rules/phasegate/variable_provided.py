"""phasegate/variable-provided: every name a condition, script, service parameter or DMN input reads is provided
on every path from the start to it.

A name counts as provided by an upstream form field (a user task's or the start event's form), a
service task's result variable, a script's top-level assignment, a pre/postScript, the outputs of a
called DMN decision, or a multi-instance variable. One missing on some path is reported with the
shortest such path. Builtins and the sandbox's helpers are no reads; what cannot be known (a call
activity, an external form) counts as providing everything (see engine/lint/dataflow.py).
"""

from ...dataflow import EVERYTHING, analysis

DESCRIPTION = "Names that conditions, scripts, service parameters and DMN inputs read are provided on every path to them."


def check(model, report):
    flow = analysis(model)
    for read in flow.reads:
        if not read.strong:
            continue
        state = flow.state(read)
        if state is EVERYTHING:
            continue
        local = flow.pre.get(read.node, set())
        for name in read.names:
            if name in state or (local is not EVERYTHING and name in local):
                continue
            path = flow.missing_path(read, name)
            if not path:
                continue
            report(read.owner, "{what} reads '{name}', which no form or task provides on the path {path}", line=read.line, what=read.what, name=name, path=' → '.join(path))
