"""What changed between two stored versions of a model, in one line a person reads.

Works on the plain data a version keeps (the serialized spec and the designers' forms), so listing
versions needs no parser: steps added, removed and changed (by BPMN id), lanes moved, forms changed.
"""

from __future__ import annotations

from engine.i18n import N_

LAYOUT_ONLY = {"inputs", "outputs"}  # where a step sits among the others: counted as a flow change


def _steps(doc: dict) -> dict[str, dict]:
    steps = {}
    for spec in [doc.get("spec", {})] + list(doc.get("subprocess_specs", {}).values()):
        for name, task in spec.get("task_specs", {}).items():
            if task.get("bpmn_id"):
                steps[task["bpmn_id"]] = task
    return steps


def _forms(doc: dict) -> dict[str, dict]:
    return {f"{process}:{key}": form for process, forms in doc.get("forms", {}).items() for key, form in forms.items()}


def summarize(before: dict | None, after: dict) -> str:
    """One line: what `after` changed from `before` ("first version" when there is none)."""
    if before is None:
        return N_("first version")
    old, new = _steps(before), _steps(after)
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed, rewired = [], []
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        if {k: v for k, v in a.items() if k not in LAYOUT_ONLY} != {k: v for k, v in b.items() if k not in LAYOUT_ONLY}:
            changed.append(name)
        elif a != b:
            rewired.append(name)
    old_forms, new_forms = _forms(before), _forms(after)
    forms_changed = sorted(k.split(":", 1)[1] for k in set(old_forms) | set(new_forms)
                           if old_forms.get(k) != new_forms.get(k))
    parts = []
    for label, names in (("added", added), ("removed", removed), ("changed", changed), ("flows into", rewired),
                         ("forms changed", forms_changed)):
        if names:
            shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
            parts.append(f"{label} {shown}")
    return "; ".join(parts) or N_("no step changed (documentation or diagram only)")
