"""phasegate/field-unused: a form field that nothing after its form reads.

Reads are conditions, scripts, pre/postScripts, service parameters, DMN inputs, timer and loop
expressions, and a later form with a field of the same key; a call activity may read anything.
Only fields a person answers to steer the process are reported by default: single choices (enum,
radio, select) and yes/no fields. Text, numbers, dates, lists and multi-selects are mostly records
people read later; a misspelt one that code reads is `phasegate/variable-provided`'s error anyway.
The option `{"fields": "all"}` reports every kind. The last forms of a process (after which nothing
reads any data) are often read by people too: their fields are reported only when the process
hands no data on (no data object, data store or data output). A process that a call activity
calls hands all its data back to the caller, so its fields are not reported.
"""

from ...dataflow import analysis

DESCRIPTION = "Form fields are read by something after the form: a condition, script, parameter, DMN input or later form."

DECISIONS = ("choice", "boolean")  # one answer steering the process; multi-selects are mostly records
DATA_OUTPUTS = ("dataObjectReference", "dataStoreReference", "dataOutput", "dataOutputAssociation")


def check(model, report):
    flow = analysis(model)
    every_kind = isinstance(report.options, dict) and report.options.get("fields") == "all"
    reads_at: dict[str, list] = {}
    for read in flow.reads:
        reads_at.setdefault(read.node, []).append(read)
    hands_on = {p.id for p in model.of_type("process") if any(e.type in DATA_OUTPUTS for e in _all(p))}
    for node, fields in flow.fields.items():
        if not fields:
            continue
        element = flow.elements[node]
        if element.process.id in flow.called:
            continue
        after = flow.downstream(node)
        names = {n for read in reads_at.get(node, []) if read.after for n in read.names}
        names |= {n for other in after for read in reads_at.get(other, []) for n in read.names}
        names |= {f.key for other in after if other != node for f in flow.fields.get(other, [])}
        if "*" in names:
            continue
        if not any(reads_at.get(other) for other in after | {node}) and element.process.id in hands_on:
            continue  # the last form of a process that hands its data on
        for item in fields:
            if item.key not in names and (every_kind or item.kind in DECISIONS):
                report(element, "Field '{key}' of '{node}' is read by nothing after it (no condition, script, parameter, DMN input or later form)", key=item.key, node=node)


def _all(element):
    stack = [element]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)
