"""The before/after picture: one layout of the union of both versions, each side drawn with its own
elements, so whatever did not change sits at the same place on both sides.

Added elements are green (after side), removed ones red and dashed (before side), changed ones amber
(both sides). An element that moved to another lane, or a flow that got other ends, is laid out
twice (once per side), since one place cannot show both. `comparison(before, after)` returns DOT
source; `engine.render.to_image` draws it. The titles and the legend are in the caller's words
(`Programme.wording`; English by default).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from engine.bpmn.model import Bounds, Model, Pool, read_model
from engine.bpmn.diff import DiffResult, diff_models
from engine.diagrams import limits
from engine.diagrams.lanelayout import layout
from engine.diagrams.render import Canvas, Frame, Mark, add_legend, draw, graph
from engine.programme import Wording

ADDED = Mark(color="#2e7d32", fill="#e8f5e9", penwidth=2.5, css="added")
REMOVED = Mark(color="#c62828", fill="#ffebee", penwidth=2.5, dashed=True, css="removed")
CHANGED = Mark(color="#e69500", fill="#fff4d6", penwidth=2.5, css="changed")
GAP = 60
TITLE_H = 40


def _union(before: Model, after: Model, result: DiffResult) -> tuple[Model, Model, dict[str, str]]:
    """(union model, after model in union ids, after id -> union id)."""
    back = {a: b for b, a in result.matches.items()}
    used = set(before.nodes) | set(before.flows) | set(before.lanes) | {p.id for p in before.pools}
    uid: dict[str, str] = {}

    def fresh(aid: str) -> str:
        new = aid if aid not in used else "after~" + aid
        used.add(new)
        return new

    for p in after.pools:
        uid[p.id] = back.get(p.id) or fresh(p.id)
    for lane in after.lanes.values():
        uid[lane.id] = back.get(lane.id) or fresh(lane.id)
    nodes_b = before.nodes
    pending = list(after.nodes.values())
    for attempt in range(3):      # hosts and containers first, so their children can follow them
        for n in pending:
            b = back.get(n.id)
            ok = (b in nodes_b and uid.get(n.lane) == nodes_b[b].lane and uid.get(n.pool) == nodes_b[b].pool
                  and (n.host is None or uid.get(n.host) == nodes_b[b].host)
                  and (n.parent is None or uid.get(n.parent) == nodes_b[b].parent))
            if ok or attempt == 2:
                uid.setdefault(n.id, b if ok else fresh(n.id))
    for f in after.flows.values():
        b = back.get(f.id)
        ok = b in before.flows and uid.get(f.source) == before.flows[b].source and uid.get(f.target) == before.flows[b].target
        uid[f.id] = b if ok else fresh(f.id)

    def m(x):
        return uid.get(x, x) if x else x

    pools = []
    for p in after.pools:
        lanes = [replace(l, id=uid[l.id], pool=uid[p.id], parent=m(l.parent)) for l in p.lanes]
        pools.append(replace(p, id=uid[p.id], lanes=lanes))
    mapped = Model(path=after.path, pools=pools,
                   nodes={uid[n.id]: replace(n, id=uid[n.id], pool=m(n.pool), lane=m(n.lane), host=m(n.host),
                                             parent=m(n.parent)) for n in after.nodes.values()},
                   flows={uid[f.id]: replace(f, id=uid[f.id], source=m(f.source), target=m(f.target))
                          for f in after.flows.values()})
    union_pools: list[Pool] = [replace(p, lanes=list(p.lanes)) for p in before.pools]
    by_id = {p.id: p for p in union_pools}
    for p in mapped.pools:
        if p.id not in by_id:
            by_id[p.id] = replace(p, lanes=list(p.lanes))
            union_pools.append(by_id[p.id])
            continue
        target = by_id[p.id]
        have = {l.id for l in target.lanes}
        prev = None
        for lane in p.lanes:
            if lane.id not in have:
                at = next((i + 1 for i, l in enumerate(target.lanes) if l.id == prev), len(target.lanes) if prev else 0)
                target.lanes.insert(at, lane)
                have.add(lane.id)
            prev = lane.id
    nodes = dict(before.nodes)
    nodes.update({k: v for k, v in mapped.nodes.items() if k not in nodes})
    flows = dict(before.flows)
    flows.update({k: v for k, v in mapped.flows.items() if k not in flows})
    return Model(path="union", pools=union_pools, nodes=nodes, flows=flows), mapped, uid


def _ids(model: Model) -> set[str]:
    return set(model.nodes) | set(model.flows) | set(model.lanes) | {p.id for p in model.pools}


def legend(wording: Wording) -> list[tuple[str, Mark]]:
    """The comparison's legend: each kind of change in `wording`, with its mark."""
    return [(wording.added, ADDED), (wording.removed, REMOVED), (wording.changed, CHANGED),
            (wording.unchanged, Mark())]


def comparison(before_path: Path | str, after_path: Path | str, arrange: str = "auto",
               result: DiffResult | None = None, wording: Wording = Wording()) -> str:
    """DOT source of the before/after picture; `arrange` is side, stacked or auto."""
    return compared(before_path, after_path, arrange, wording, result)[1]


def compared(before_path: Path | str, after_path: Path | str, arrange: str = "auto", wording: Wording = Wording(),
             result: DiffResult | None = None) -> tuple[DiffResult, str]:
    """(the change list, DOT source of the before/after picture), each file read once; models too
    large to draw are refused before they are compared (`limits.check`)."""
    before = read_model(before_path)
    limits.check(before)
    after = read_model(after_path)
    limits.check(after)
    result = result or diff_models(before, after)
    return result, _picture(before, after, arrange, result, wording)


def _picture(before: Model, after: Model, arrange: str, result: DiffResult, wording: Wording) -> str:
    union, mapped, uid = _union(before, after, result)
    geo = layout(union)
    changed_b = {c.id for c in result.changed}
    changed_a = {uid[c.new_id] for c in result.changed if c.new_id in uid}
    marks_b = {**{i: CHANGED for i in changed_b}, **{r.id: REMOVED for r in result.removed}}
    marks_a = {**{i: CHANGED for i in changed_a}, **{uid[r.id]: ADDED for r in result.added if r.id in uid}}
    if arrange == "auto":
        arrange = "stacked" if geo.width > geo.height * 1.2 else "side"
    if arrange == "side":
        second = Frame(prefix="after/", dx=geo.width + GAP, dy=TITLE_H)
        width, height = 2 * geo.width + GAP, geo.height + TITLE_H
    else:
        second = Frame(prefix="after/", dx=0, dy=2 * TITLE_H + geo.height + GAP)
        width, height = geo.width, 2 * (geo.height + TITLE_H) + GAP
    first = Frame(prefix="before/", dx=0, dy=TITLE_H)
    canvas = Canvas(height + 90)
    for frame, title in ((first, f"{wording.before}: {Path(before.path).name}"),
                         (second, f"{wording.after}: {Path(after.path).name}")):
        canvas.box(frame.prefix + "title", Bounds(frame.dx, frame.dy - TITLE_H, min(geo.width, 700), TITLE_H - 8),
                   shape="plaintext", label=title, fontsize="16", id=frame.prefix + "title", **{"class": "title"},
                   labeljust="l")
    draw(canvas, before, geo, marks_b, first, only=_ids(before))
    draw(canvas, mapped, geo, marks_a, second, only=_ids(mapped))
    add_legend(canvas, legend(wording), Bounds(0, height + 20, min(width, 720), 60))
    return graph(canvas, width)
