"""What changed between two BPMN files, as a result object; nothing is printed or written here.

Elements are matched by id first, then by equal name and type, then by label similarity (greedy,
best pair first), and unnamed nodes by their already-matched neighbours. A redrawn element with a
new id therefore shows up as `renamed` (and possibly `changed`), never as removed + added.
Compared: name, type, lane, documentation, timer, event definitions, boundary host, default flow,
what each element does (`behaviour`), and for flows their endpoints, condition and default flag; in
DMN files each decision's name, hit policy, inputs, outputs and rules (by rule id). Pure diagram moves
go to `layout`.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from engine.bpmn.behaviour import behaviour, decisions, without_defaults
from engine.bpmn.model import Model, read_model
from engine.i18n import N_

SIMILAR = 0.6


class FieldChange(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class ElementRef(BaseModel):
    id: str
    element: str          # node | flow | lane | pool
    type: str             # BPMN type: userTask, sequenceFlow, lane, ...
    name: str = ""
    lane: str | None = None


class ElementChange(ElementRef):
    new_id: str
    matched_by: str       # id | name+type | similarity | neighbours | endpoints
    changes: list[FieldChange] = Field(default_factory=list)


class LayoutMove(BaseModel):
    id: str
    name: str = ""
    old: list[float]
    new: list[float]


class DiffResult(BaseModel):
    before: str
    after: str
    added: list[ElementRef] = Field(default_factory=list)
    removed: list[ElementRef] = Field(default_factory=list)
    changed: list[ElementChange] = Field(default_factory=list)
    renamed: list[ElementChange] = Field(default_factory=list)   # matched with a new id
    layout: list[LayoutMove] = Field(default_factory=list)
    matches: dict[str, str] = Field(default_factory=dict, exclude=True)   # before id -> after id

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed or self.renamed)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


def _match(before: dict, after: dict, key, kind, neighbours=None) -> dict[str, tuple[str, str]]:
    """before id -> (after id, how)."""
    out = {b: (b, "id") for b in before if b in after}
    free_b = [b for b in before if b not in out]
    taken = {a for a, _ in out.values()}
    free_a = [a for a in after if a not in taken]
    by_key: dict = {}
    for a in free_a:
        by_key.setdefault(key(after[a]), []).append(a)
    for b in list(free_b):
        k = key(before[b])
        if k[0] and by_key.get(k):
            a = by_key[k].pop(0)
            out[b] = (a, "name+type")
            free_b.remove(b)
            free_a.remove(a)
    pairs = sorted(((_similar(before[b].name, after[a].name), b, a) for b in free_b for a in free_a
                    if kind(before[b]) == kind(after[a])), reverse=True)
    for score, b, a in pairs:
        if score >= SIMILAR and b in free_b and a in free_a:
            out[b] = (a, "similarity")
            free_b.remove(b)
            free_a.remove(a)
    if neighbours:
        for b in list(free_b):
            best = max(((neighbours(b, a, out), a) for a in free_a if before[b].tag == after[a].tag
                        and not (before[b].name and after[a].name)), default=(0, None))
            if best[0] > 0:
                out[b] = (best[1], "neighbours")
                free_b.remove(b)
                free_a.remove(best[1])
    return out


def _lane_name(model: Model, lane_id: str | None) -> str | None:
    lane = model.lanes.get(lane_id) if lane_id else None
    return (lane.name or lane.id) if lane else None


def _default_target(model: Model, node_id: str) -> str | None:
    for flow in model.flows.values():
        if flow.source == node_id and flow.default:
            target = model.nodes.get(flow.target)
            return (target.name or target.id) if target else flow.target
    return None


def _label(model: Model, ref: str) -> str:
    node = model.nodes.get(ref)
    if node is not None:
        return node.name or node.id
    pool = next((p for p in model.pools if p.id == ref), None)
    return (pool.name or pool.id) if pool else ref


def _behaviour_fields(nb, na, folders) -> list[tuple[str, Any, Any]]:
    """Scripts, services, forms, assignments, decisions and loops of two matched nodes, field by field."""
    old = behaviour(nb.el, folders[0]) if nb.el is not None else {}
    new = behaviour(na.el, folders[1]) if na.el is not None else {}
    if _unresolved_form(old) or _unresolved_form(new):  # a linked form file missing on one side: compare the link
        for side in (old, new):
            for key in [k for k in side if k.startswith("form field ") or k == "form validators"]:
                del side[key]
            if isinstance(side.get("form"), dict):
                side["form"] = {"formId": side["form"].get("formId")}
    return [(key, old.get(key), new.get(key)) for key in sorted(set(old) | set(new))]


def _unresolved_form(found: dict) -> bool:
    form = found.get("form")
    return isinstance(form, dict) and form.get("fields") == "(no such form file)"


def diff_models(before: Model, after: Model) -> DiffResult:
    result = DiffResult(before=before.path, after=after.path)
    folders = (Path(before.path).parent, Path(after.path).parent)
    pools_b, pools_a = {p.id: p for p in before.pools}, {p.id: p for p in after.pools}
    pool_map = _match(pools_b, pools_a, lambda p: (p.name, "pool"), lambda p: "pool")
    lane_map = _match(before.lanes, after.lanes, lambda l: (l.name, "lane"), lambda l: "lane")
    edges_b = {(f.source, f.target) for f in before.flows.values()}
    edges_a = {(f.source, f.target) for f in after.flows.values()}

    def neighbours(b: str, a: str, matched: dict) -> int:
        m = {k: v[0] for k, v in matched.items()}
        return sum(1 for s, t in edges_b if (s == b and (a, m.get(t)) in edges_a) or (t == b and (m.get(s), a) in edges_a))

    node_map = _match(before.nodes, after.nodes, lambda n: (n.name, n.tag), lambda n: n.kind, neighbours)
    ends = {**{k: v[0] for k, v in node_map.items()}, **{k: v[0] for k, v in pool_map.items()}}
    flow_map = {f: (f, "id") for f in before.flows if f in after.flows}
    taken = {a for a, _ in flow_map.values()}
    by_ends: dict = {}
    for fid, f in after.flows.items():
        if fid not in taken:
            by_ends.setdefault((f.kind, f.source, f.target), []).append(fid)
    for fid, f in before.flows.items():
        if fid not in flow_map:
            cands = by_ends.get((f.kind, ends.get(f.source), ends.get(f.target)))
            if cands:
                flow_map[fid] = (cands.pop(0), "endpoints")

    def compare(kind: str, b_obj, a_obj, fields: list[tuple[str, Any, Any]], b_id: str, a_id: str, how: str):
        changes = [FieldChange(field=f, old=o, new=n) for f, o, n in fields if o != n]
        ref = dict(id=b_id, element=kind, type=fields[0][1] if fields[0][0] == "type" else kind,
                   name=getattr(b_obj, "name", ""), new_id=a_id, matched_by=how)
        if changes:
            result.changed.append(ElementChange(**ref, changes=changes))
        if a_id != b_id:
            result.renamed.append(ElementChange(**ref, changes=[FieldChange(field="id", old=b_id, new=a_id)]))
        result.matches[b_id] = a_id
        return bool(changes)

    for b_id, (a_id, how) in pool_map.items():
        compare("pool", pools_b[b_id], pools_a[a_id], [("type", "pool", "pool"),
                ("name", _words(pools_b[b_id].name), _words(pools_a[a_id].name))], b_id, a_id, how)
    for b_id, (a_id, how) in lane_map.items():
        lb, la = before.lanes[b_id], after.lanes[a_id]
        compare("lane", lb, la, [("type", "lane", "lane"), ("name", _words(lb.name), _words(la.name)),
                ("position", before_index(before, b_id), before_index(after, a_id))], b_id, a_id, how)
    for b_id, (a_id, how) in node_map.items():
        nb, na = before.nodes[b_id], after.nodes[a_id]
        moved = nb.lane != na.lane if nb.lane not in lane_map else lane_map[nb.lane][0] != na.lane
        semantic = compare("node", nb, na, [
            ("type", nb.tag, na.tag), ("name", _words(nb.name), _words(na.name)),
            *([("lane", _lane_name(before, nb.lane), _lane_name(after, na.lane))] if moved else []),
            ("documentation", nb.documentation, na.documentation), ("timer", nb.timer, na.timer),
            ("events", nb.events, na.events),
            ("attached to", _label(before, nb.host) if nb.host else None, _label(after, na.host) if na.host else None),
            ("default flow to", _default_target(before, b_id), _default_target(after, a_id)),
            ("attributes", without_defaults(nb.attrs), without_defaults(na.attrs)),
            *_behaviour_fields(nb, na, folders)], b_id, a_id, how)
        if not semantic and nb.bounds and na.bounds:
            old = [nb.bounds.x, nb.bounds.y, nb.bounds.w, nb.bounds.h]
            new = [na.bounds.x, na.bounds.y, na.bounds.w, na.bounds.h]
            if max(abs(o - n) for o, n in zip(old, new)) > 1:
                result.layout.append(LayoutMove(id=b_id, name=nb.name, old=old, new=new))
    for b_id, (a_id, how) in flow_map.items():
        fb, fa = before.flows[b_id], after.flows[a_id]
        semantic = compare("flow", fb, fa, [
            ("type", fb.kind + "Flow", fa.kind + "Flow"), ("name", _words(fb.name), _words(fa.name)),
            *_endpoint("source", before, after, fb.source, fa.source, ends),
            *_endpoint("target", before, after, fb.target, fa.target, ends),
            ("condition", fb.condition, fa.condition), ("default", fb.default, fa.default),
            ("documentation", fb.documentation, fa.documentation)], b_id, a_id, how)
        if not semantic and fb.waypoints and fa.waypoints and fb.waypoints != fa.waypoints:
            result.layout.append(LayoutMove(id=b_id, name=fb.name, old=[c for p in fb.waypoints for c in p],
                                            new=[c for p in fa.waypoints for c in p]))
    tables_b, tables_a = _decision_tables(before), _decision_tables(after)
    for d_id in [d for d in tables_b if d in tables_a]:
        b, a = tables_b[d_id], tables_a[d_id]
        rules = sorted(set(b["rules"]) | set(a["rules"]), key=lambda r: (r not in b["rules"], r))
        compare("decision", _Named(b["name"]), _Named(a["name"]), [
            ("type", "decision", "decision"), ("name", b["name"], a["name"]), ("hit policy", b["hit policy"], a["hit policy"]),
            ("inputs", b["inputs"], a["inputs"]), ("outputs", b["outputs"], a["outputs"]),
            *((f"rule {r}", b["rules"].get(r), a["rules"].get(r)) for r in rules)], d_id, d_id, "id")
    for tables, target, other in ((tables_b, result.removed, tables_a), (tables_a, result.added, tables_b)):
        target.extend(ElementRef(id=d, element="decision", type="decision", name=t["name"])
                      for d, t in tables.items() if d not in other)
    matched_after = set(result.matches.values())
    for model, target, matched in ((before, result.removed, set(result.matches)), (after, result.added, matched_after)):
        for p in model.pools:
            if p.id not in matched:
                target.append(ElementRef(id=p.id, element="pool", type="pool", name=p.name))
        for lane in model.lanes.values():
            if lane.id not in matched:
                target.append(ElementRef(id=lane.id, element="lane", type="lane", name=lane.name))
        for n in model.nodes.values():
            if n.id not in matched:
                target.append(ElementRef(id=n.id, element="node", type=n.tag, name=n.name, lane=_lane_name(model, n.lane)))
        for f in model.flows.values():
            if f.id not in matched:
                target.append(ElementRef(id=f.id, element="flow", type=f.kind + "Flow",
                                         name=f.name or f"{_label(model, f.source)} → {_label(model, f.target)}"))
    return result


def _words(name: str | None) -> str:
    """A label as it reads: a re-export that writes its line break as `&#10;` instead of `&#13;&#10;` renames nothing."""
    return " ".join((name or "").split())


class _Named:
    def __init__(self, name: str):
        self.name = name


def _decision_tables(model: Model) -> dict[str, dict]:
    document = model.document
    return decisions(document.root) if document is not None and document.kind == "dmn" else {}


def _endpoint(field: str, before: Model, after: Model, old: str, new: str, ends: dict) -> list:
    """A flow end counts as changed only when it points at another element, not a renamed one."""
    if ends.get(old) == new:
        return []
    return [(field, _label(before, old), _label(after, new))]


def before_index(model: Model, lane_id: str) -> int:
    """A lane's position among the leaf lanes of its pool (0-based)."""
    lane = model.lanes[lane_id]
    pool = next(p for p in model.pools if p.id == lane.pool)
    ids = [l.id for l in pool.lanes]
    return ids.index(lane_id)


def diff_files(before: Path | str, after: Path | str) -> DiffResult:
    """Compare two BPMN files; raises ModelInvalid (exit 2) when either cannot be read."""
    return diff_models(read_model(before), read_model(after))


def _english(template: str, /, **params) -> str:
    return template.format(**params) if params else template


def to_text(result: DiffResult, markdown: bool = False, say=_english) -> str:
    """A readable change list (plain text, or Markdown tables with `markdown=True`).

    `say(template, **params)` words it: English by default; the face passes its translator's `format`.
    """
    counts = say(N_("{added} added, {removed} removed, {changed} changed, {renamed} with a new id, "
                    "{layout} layout-only moves"), added=len(result.added), removed=len(result.removed),
                 changed=len(result.changed), renamed=len(result.renamed), layout=len(result.layout))
    if markdown:
        out = [f"# {Path(result.before).name} → {Path(result.after).name}", "", counts, ""]
        sections = ((say(N_("Added")), result.added), (say(N_("Removed")), result.removed))
        for title, refs in sections:
            out += [f"## {title}", "", say(N_("| element | type | id | name | lane |")), "|---|---|---|---|---|"]
            out += [f"| {r.element} | {r.type} | `{r.id}` | {_md(r.name)} | {_md(r.lane or '')} |" for r in refs] or ["| – | | | | |"]
            out.append("")
        out += ["## " + say(N_("Changed")), "", say(N_("| element | id | name | what | old | new |")),
                "|---|---|---|---|---|---|"]
        for c in result.changed:
            for ch in c.changes:
                out.append(f"| {c.type} | `{c.id}` | {_md(c.name)} | {ch.field} | {_md(_fmt(ch.old))} | {_md(_fmt(ch.new))} |")
        if not result.changed:
            out.append("| – | | | | | |")
        out += ["", "## " + say(N_("New ids for the same element")), ""]
        out += ["- " + say(N_("`{id}` → `{new_id}` ({name}; matched by {matched_by})"), id=c.id, new_id=c.new_id,
                           name=c.name, matched_by=c.matched_by) for c in result.renamed] or ["- " + say(N_("none"))]
        out += ["", "## " + say(N_("Layout-only moves")), ""]
        out += [f"- `{m.id}` {m.name}" for m in result.layout] or ["- " + say(N_("none"))]
        return "\n".join(out) + "\n"
    out = [f"{result.before} → {result.after}: {counts}"]
    lane = lambda r: f"  [{r.lane}]" if r.lane else ""  # noqa: E731
    out += [say(N_("+ added    {type} {id}  {name}"), type=f"{r.type:<18}", id=r.id, name=_one_line(r.name)) + lane(r)
            for r in result.added]
    out += [say(N_("- removed  {type} {id}  {name}"), type=f"{r.type:<18}", id=r.id, name=_one_line(r.name)) + lane(r)
            for r in result.removed]
    for c in result.changed:
        out.append(say(N_("~ changed  {type} {id}  {name}"), type=f"{c.type:<18}", id=c.id, name=_one_line(c.name)))
        for ch in c.changes:
            out += _change_lines(ch)
    out += [say(N_("= new id   {type} {id} → {new_id}  {name} (matched by {matched_by})"), type=f"{c.type:<18}",
                id=c.id, new_id=c.new_id, name=_one_line(c.name), matched_by=c.matched_by)
            for c in result.renamed]
    if result.layout:
        out.append(say(N_("layout-only moves:")))
        out += [f"  {m.id}  {_one_line(m.name)}" for m in result.layout]
    return "\n".join(out)


def _one_line(text) -> str:
    """Names may hold line breaks (`&#10;` in a modeler's label): one line of output per element."""
    return " ".join(str(text or "").split())


TEXT_FIELDS = {"script", "pre-script", "post-script", "instructions", "documentation", "condition"}


def _change_lines(change: FieldChange) -> list[str]:
    """A field's old → new on one line, or for texts of several lines (scripts) the lines that differ."""
    old, new = change.old, change.new
    if change.field in TEXT_FIELDS and isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        from difflib import unified_diff

        body = [line for line in unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
                if not line.startswith(("---", "+++", "@@"))]
        return [f"      {change.field}:"] + [f"        {line}" for line in body]
    return [f"      {change.field}: {_one_line(_fmt(old))} → {_one_line(_fmt(new))}"]


def _fmt(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(_fmt(v) if isinstance(v, (dict, list)) else str(v) for v in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def _md(text: str) -> str:
    return _one_line(text).replace("|", "\\|")
