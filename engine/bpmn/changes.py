"""What changed between two stored versions of a model, in one line a person reads.

Works on the plain data a version keeps (the serialized spec and the designers' forms), so listing
versions needs no parser: steps added, removed and changed (by BPMN id), lanes renamed, forms changed.
A lane that only got a new name is one change, not one for every step in it; a name whose line break
a re-export writes differently (`&#13;&#10;` or `&#10;`) is the same name.
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


def _lane_renames(old: dict[str, dict], new: dict[str, dict]) -> dict[str, str]:
    """Old lane name → new, for lanes whose kept steps all moved to one lane of a name the old version
    did not have, and that no other lane's steps moved into."""
    moved: dict = {}
    for name in set(old) & set(new):
        moved.setdefault(old[name].get("lane"), set()).add(new[name].get("lane"))
    before = {task.get("lane") for task in old.values()}
    renames = {a: b for a, (b,) in ((a, to) for a, to in moved.items() if len(to) == 1)
               if a is not None and b is not None and b not in before}
    targets = list(renames.values())
    return {a: b for a, b in renames.items() if targets.count(b) == 1}


def _comparable(task: dict, renames: dict[str, str]) -> dict:
    out = {k: v for k, v in task.items() if k not in LAYOUT_ONLY}
    if isinstance(out.get("bpmn_name"), str):
        out["bpmn_name"] = " ".join(out["bpmn_name"].split())
    if out.get("lane") in renames:
        out["lane"] = renames[out["lane"]]
    return out


def _forms(doc: dict) -> dict[str, dict]:
    return {f"{process}:{key}": form for process, forms in doc.get("forms", {}).items() for key, form in forms.items()}


def summarize(before: dict | None, after: dict) -> str:
    """One line: what `after` changed from `before` ("first version" when there is none)."""
    if before is None:
        return N_("first version")
    old, new = _steps(before), _steps(after)
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    renames = _lane_renames(old, new)
    changed, rewired = [], []
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        if _comparable(a, renames) != _comparable(b, {}):
            changed.append(name)
        elif a.get("inputs") != b.get("inputs") or a.get("outputs") != b.get("outputs"):
            rewired.append(name)
    old_forms, new_forms = _forms(before), _forms(after)
    forms_changed = sorted(k.split(":", 1)[1] for k in set(old_forms) | set(new_forms)
                           if old_forms.get(k) != new_forms.get(k))
    parts = []
    lanes = [f"{a} → {b}" for a, b in sorted(renames.items())]
    for label, names in (("added", added), ("removed", removed), ("changed", changed), ("flows into", rewired),
                         ("lanes renamed", lanes), ("forms changed", forms_changed)):
        if names:
            shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
            parts.append(f"{label} {shown}")
    return "; ".join(parts) or N_("no step changed (documentation or diagram only)")
