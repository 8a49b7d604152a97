"""phasegate/lane-has-people: every lane of an executable process maps to a known, non-empty set of people.

A lane name is a group of people (the store's memberships); a lane nobody is in means its tasks
can never be done. Skipped when no programme context is given.
"""

DESCRIPTION = "Every lane of an executable process has people (by lane name) in the store."


def check(model, report):
    people = getattr(model.context, "people_by_lane", None)
    if people is None:
        return
    for lane in model.of_type("lane"):
        if not lane.is_executable or _has_child_lanes(lane):
            continue
        name = (lane.name or lane.id or "").strip()
        if not people.get(name):
            known = ", ".join(sorted(lane for lane, members in people.items() if members)) or "none"
            report(lane, "Lane '{name}' has no people (lanes with people: {known})", name=name, known=known)


def _has_child_lanes(lane) -> bool:
    child = lane.child("childLaneSet")
    return child is not None and any(c.type == "lane" for c in child.children)
