"""BPMN swimlane diagrams as Graphviz DOT source, with optional marks (instance overlay, diff colours).

`diagram(model)` lays the model out (engine/diagrams/lanelayout.py) and returns DOT source in which
every node, cluster and edge is pinned, so `neato -n2` only draws it; `to_image(dot, fmt)` turns that
into SVG, PNG or PDF bytes, and `picture(model, fmt)` returns those bytes with every Graphviz warning
met on the way (warnings never stop a drawing). Writing files is the caller's job. Every BPMN element becomes exactly one
SVG group whose id is the element id (prefixed when two sides share a picture), with a class
naming its kind, so tests and other tools can find it.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from pathlib import Path

from engine.bpmn.model import Bounds, Model, Node, read_model
from engine.diagrams import limits
from engine.diagrams.fonts import CJK_FONT, SVG_FAMILIES, fit, has_cjk, require_cjk_font
from engine.diagrams.geometry import Geometry
from engine.diagrams.graphviz import q, run_graphviz
from engine.diagrams.labels import (GATEWAY_MARKS, INK, LOOP_MARKS, event_marker, header_text, label_html,
                                    model_language, task_tag)
from engine.diagrams.lanelayout import annotation_label, layout, task_label
from engine.diagrams.marks import Mark
from engine.diagrams.routing import flow_arrows, flow_label

__all__ = ["Canvas", "Frame", "Mark", "Picture", "add_legend", "diagram", "draw", "format_of", "graph",
           "instance_picture", "label_html", "picture", "render", "to_image", "to_picture"]

FORMATS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo"}
log = logging.getLogger("engine.diagrams")


@dataclass
class Frame:
    """Where one picture of a model goes inside a larger drawing (compare draws two)."""

    prefix: str = ""
    dx: float = 0
    dy: float = 0


@dataclass
class Picture:
    """A drawing: the image bytes, their format, and the Graphviz warnings met on the way (never fatal)."""

    data: bytes
    fmt: str
    warnings: list[str] = field(default_factory=list)


class Canvas:
    """Collects DOT statements in a y-down coordinate system of total height `height`."""

    def __init__(self, height: float):
        self.height = height
        self.lines: list[str] = []

    def pos(self, x: float, y: float) -> str:
        return f"{x:.2f},{self.height - y:.2f}"

    def box(self, name: str, b: Bounds, **attrs) -> None:
        attrs.setdefault("shape", "box")
        attrs["pos"] = self.pos(b.cx, b.cy) + "!"
        attrs["width"] = f"{b.w / 72:.4f}"
        attrs["height"] = f"{b.h / 72:.4f}"
        self.lines.append(f"{q(name)} [{_attrs(attrs)}];")

    def cluster(self, name: str, b: Bounds, **attrs) -> None:
        bb = f"{b.x:.2f},{self.height - b.y - b.h:.2f},{b.x + b.w:.2f},{self.height - b.y:.2f}"
        body = "; ".join(f"{k}={v if str(v).startswith('<') else q(v)}" for k, v in attrs.items())
        self.lines.append(f"subgraph {q('cluster_' + name)} {{ bb={q(bb)}; {body}; }}")

    def edge(self, tail: str, head: str, spline: str, **attrs) -> None:
        attrs["pos"] = spline
        self.lines.append(f"{q(tail)} -> {q(head)} [{_attrs(attrs)}];")


def _attrs(attrs: dict) -> str:
    out = []
    for k, v in attrs.items():
        if v is None:
            continue
        out.append(f"{k}={v}" if isinstance(v, str) and v.startswith("<") and v.endswith(">") else f"{k}={q(v)}")
    return " ".join(out)


def draw(canvas: Canvas, model: Model, geo: Geometry, marks: dict[str, Mark] | None = None,
         frame: Frame = Frame(), only: set[str] | None = None) -> None:
    """Add one picture of `model` to `canvas`; `only` limits it to those element ids (compare)."""
    marks = marks or {}
    p, dx, dy = frame.prefix, frame.dx, frame.dy
    language = model_language(model)

    def at(b: Bounds) -> Bounds:
        return Bounds(b.x + dx, b.y + dy, b.w, b.h)

    def shown(eid: str) -> bool:
        return only is None or eid in only

    for pool in model.pools:
        if pool.id not in geo.pools or not shown(pool.id):
            continue
        b = at(geo.pools[pool.id])
        if pool.participant:
            canvas.cluster(p + pool.id, b, id=p + pool.id, **{"class": "pool"}, color=INK, penwidth="1.2",
                           style="filled", fillcolor="#ffffff")
            head = Bounds(b.x, b.y, 30, b.h)
            lines, size = header_text(pool.name, head.w - 8, head.h - 8, (12, 10, 9, 8, 7) if has_cjk(pool.name)
                                      else (9, 8, 7))
            canvas.box(p + "poolhead:" + pool.id, head, id=p + "poolhead:" + pool.id, **{"class": "pool-header"},
                       label="\n".join(lines), fontsize=str(size), style="filled", fillcolor="#e8eaed", color=INK)
        for lane in pool.lanes:
            if not shown(lane.id) or lane.id not in geo.lanes:
                continue
            lb, hb = at(geo.lanes[lane.id]), at(geo.headers[lane.id])
            canvas.cluster(p + lane.id, lb, id=p + lane.id, **{"class": "lane"}, color="#9aa0a6",
                           style="filled", fillcolor="#fbfbfc" if lane.leaf else "#ffffff")
            mark = marks.get(lane.id, Mark())
            room = hb.h - 8 - (14 if mark.note else 0)
            text, size = header_text(lane.name, hb.w - 10, room, (12, 11, 10, 9, 8) if lane.leaf else (11, 10, 9, 8))
            canvas.box(p + "lanehead:" + lane.id, hb, id=p + "lanehead:" + lane.id, **{"class": "lane-header"},
                       label=label_html(text, note=mark.note, note_color=mark.color or INK), fontsize=str(size),
                       style="filled", fillcolor=mark.fill or "#eef0f3", color=mark.color or "#9aa0a6")
    for nid in geo.expanded:
        if not shown(nid):
            continue
        node, mark = model.nodes[nid], marks.get(nid, Mark())
        style = "rounded,filled" + (",dotted" if node.attrs.get("triggeredByEvent") == "true" else "")
        style += ",dashed" if mark.dashed else ""
        canvas.cluster(p + nid, at(geo.nodes[nid]), id=p + nid, **{"class": f"node subprocess {node.tag} {mark.css}".strip()},
                       label=label_html(fit(node.name, geo.nodes[nid].w - 16, 11, 2), task_tag(node, language),
                                        mark.note, mark.color or INK),
                       labeljust="l", fontsize="11", style=style, fillcolor=mark.fill or "#ffffff",
                       color=mark.color or INK, penwidth=str(mark.penwidth or 1.2))
    for flow in model.flows.values():
        route = geo.routes.get(flow.id)
        if route is None or not shown(flow.id):
            continue
        mark = marks.get(flow.id, Mark())
        attrs = flow_arrows(flow, model)
        if mark.dashed:
            attrs["style"] = "dashed"
        label = flow_label(flow)
        canvas.edge(p + "end:" + flow.id + ":s", p + "end:" + flow.id + ":t", _spline(canvas, route, dx, dy),
                    id=p + flow.id, **{"class": f"flow {flow.kind}" + (" default" if flow.default else "")
                                       + (" conditional" if flow.condition else "") + f" {mark.css}".rstrip()},
                    color=mark.color or INK, fontcolor=mark.color or INK, penwidth=str(mark.penwidth or 1),
                    label=label or None, fontsize="10",
                    lp=canvas.pos(route.label_pos[0] + dx, route.label_pos[1] + dy) if label and route.label_pos else None,
                    tooltip=flow.condition or None, **attrs)
        for end, (x, y) in (("s", route.points[0]), ("t", route.points[-1])):
            canvas.lines.append(f"{q(p + 'end:' + flow.id + ':' + end)} [shape=point width=0 style=invis "
                                f"class=anchor label=\"\" pos={q(canvas.pos(x + dx, y + dy) + '!')}];")
    hosts_first = sorted((n for n in model.nodes.values() if n.id in geo.nodes and n.id not in geo.expanded),
                         key=lambda n: n.host is not None)
    for node in hosts_first:
        if shown(node.id):
            _node(canvas, node, at(geo.nodes[node.id]), marks.get(node.id, Mark()), p, language)


def _spline(canvas: Canvas, route, dx: float, dy: float) -> str:
    parts = []     # Graphviz reads the tail tip first, then the head tip, then the 3n+1 points
    if route.start:
        parts.append("s," + canvas.pos(route.start[0] + dx, route.start[1] + dy))
    if route.end:
        parts.append("e," + canvas.pos(route.end[0] + dx, route.end[1] + dy))
    parts += [canvas.pos(x + dx, y + dy) for x, y in route.points]
    return " ".join(parts)


def _node(canvas: Canvas, node: Node, b: Bounds, mark: Mark, prefix: str, language: str) -> None:
    kind = node.kind
    css = f"{kind} {node.tag} {mark.css}".strip()
    color = mark.color or INK
    attrs = {"id": prefix + node.id, "class": css, "color": color, "style": "filled",
             "fillcolor": mark.fill or "#ffffff", "penwidth": str(mark.penwidth or 1.2), "fontsize": "12",
             "fontcolor": color}
    dashed = ",dashed" if mark.dashed else ""
    note_color = mark.color or INK

    def outside(lines: list[str]) -> str | None:     # the name under a small shape
        return label_html(lines, None, mark.note, note_color, 10) or None

    if kind in ("task", "subprocess"):
        tag = task_tag(node, language)
        loop = LOOP_MARKS.get(node.attrs.get("loop", ""), "")
        if kind == "subprocess":
            tag = (tag + " ⊞").strip()
        attrs.update(shape="box", style="rounded,filled" + dashed, label=label_html(
            task_label(node.name).lines + ([loop] if loop else []), tag or None, mark.note, note_color))
        if node.tag == "callActivity":
            attrs["penwidth"] = str(max(mark.penwidth or 0, 3))
    elif kind == "gateway":
        attrs.update(shape="diamond", style="filled" + dashed, label=GATEWAY_MARKS.get(node.tag, ""), fontsize="20",
                     xlabel=outside(fit(node.name, 110, 10, 5)))
    elif kind == "event":
        middle = node.tag in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
        style = "filled" + dashed
        if node.attrs.get("cancelActivity") == "false" or node.attrs.get("isInterrupting") == "false":
            style += ",dashed"
        definition, marker = event_marker(node)
        throw = node.tag in ("endEvent", "intermediateThrowEvent")
        attrs.update(shape="doublecircle" if middle else "circle", style=style, label=marker, fontsize="13",
                     penwidth=str(max(mark.penwidth or 1.2, 3.5 if node.tag == "endEvent" else 0)),
                     **{"class": f"{css} {'throw' if throw else 'catch'}" + (f" {definition}" if definition else "")})
        text = fit(node.name, 110, 10, 5)
        if node.timer:
            text += fit(node.timer.split("=", 1)[-1], 110, 10, 2)
        attrs["xlabel"] = outside(text)
    elif kind == "data":
        attrs.update(shape="cylinder" if node.tag == "dataStoreReference" else "note", style="filled" + dashed,
                     label="", xlabel=outside(fit(node.name, 100, 10, 4)))
    else:  # annotation
        label = annotation_label(node.name)
        cut = label.lines[-1].endswith("…")
        attrs.update(shape="box", style="filled" + (dashed or ",dotted"), fillcolor=mark.fill or "#fffdf2",
                     label=label_html(label.lines, None, mark.note, note_color, align="left"), fontsize="11",
                     tooltip=node.name if cut else None)
    attrs = {k: v for k, v in attrs.items() if v is not None}
    if kind in ("gateway", "event", "data"):
        attrs["fixedsize"] = "true"
    canvas.box(prefix + node.id, b, **attrs)


def graph(canvas: Canvas, width: float, title: str | None = None) -> str:
    """Wrap a canvas into a complete DOT graph."""
    head = ["digraph phasegate {",
            f"graph [bb={q(f'0,0,{width:.2f},{canvas.height:.2f}')} fontname={q(CJK_FONT)} outputorder=nodesfirst "
            f"forcelabels=true pad=0.3 bgcolor=\"#ffffff\"" + (f" label={q(title)} labelloc=t fontsize=16" if title else "")
            + "];",
            f"node [fontname={q(CJK_FONT)} fixedsize=true];",
            f"edge [fontname={q(CJK_FONT)} arrowsize=0.7];"]
    return "\n".join(head + canvas.lines + ["}"]) + "\n"


def diagram(model: Model, marks: dict[str, Mark] | None = None, title: str | None = None,
            legend: list[tuple[str, Mark]] | None = None) -> str:
    """DOT source for one model, every position pinned."""
    return _pinned(model, marks, title, legend)[0]


def _pinned(model: Model, marks: dict[str, Mark] | None, title: str | None,
            legend: list[tuple[str, Mark]] | None) -> tuple[str, list[str]]:
    """(DOT source, layout warnings)."""
    geo = layout(model)
    extra = 40 + 22 * ((len(legend) + 3) // 4) if legend else 0
    canvas = Canvas(geo.height + extra)
    draw(canvas, model, geo, marks)
    if legend:
        add_legend(canvas, legend, Bounds(0, geo.height + 20, min(geo.width, 900), extra - 20))
    return graph(canvas, geo.width, title), geo.warnings


def add_legend(canvas: Canvas, items: list[tuple[str, Mark]], b: Bounds) -> None:
    """A legend: one swatch per mark, four to a row."""
    cells = []
    for text, mark in items:
        style = ' style="dashed"' if mark.dashed else ""
        cells.append(f'<td bgcolor="{mark.fill or "#ffffff"}" color="{mark.color or INK}" border="2"{style} '
                     f'width="28">  </td><td align="left">{html.escape(text)}</td>')
    rows = ["<tr>" + "".join(cells[i:i + 4]) + "</tr>" for i in range(0, len(cells), 4)]
    label = '<<table border="0" cellspacing="6" cellpadding="3">' + "".join(rows) + "</table>>"
    canvas.box("legend", b, id="legend", **{"class": "legend"}, shape="plaintext", label=label, fontsize="11")


def to_picture(dot_source: str, fmt: str) -> Picture:
    """A Picture in `fmt` (svg, png, pdf) from pinned DOT source (checks the CJK font first)."""
    if fmt not in FORMATS:
        from engine.errors import BadInput

        raise BadInput("cannot draw '{fmt}': choose one of {value}", fmt=fmt, value=', '.join(FORMATS))
    if has_cjk(dot_source):
        require_cjk_font()
    out = run_graphviz("neato", dot_source, FORMATS[fmt], "-n2")
    data = out.data
    if fmt == "svg":
        data = data.replace(f'font-family="{CJK_FONT}"'.encode(), f'font-family="{SVG_FAMILIES}"'.encode())
    return Picture(data, fmt, out.warnings)


def to_image(dot_source: str, fmt: str) -> bytes:
    """SVG, PNG or PDF bytes for pinned DOT source (warnings are logged, see `to_picture`)."""
    return to_picture(dot_source, fmt).data


def picture(model: Model | Path | str, fmt: str, marks: dict[str, Mark] | None = None, title: str | None = None,
            legend: list[tuple[str, Mark]] | None = None) -> Picture:
    """Draw a model (or the BPMN file at that path) as `fmt`, with every Graphviz warning met."""
    if not isinstance(model, Model):
        model = read_model(model)
    with limits.drawing():   # the layout's and the picture's Graphviz runs share one time limit
        dot, warnings = _pinned(model, marks, title, legend)
        drawn = to_picture(dot, fmt)
    drawn.warnings = warnings + drawn.warnings
    return drawn


def render(path: Path | str, fmt: str, marks: dict[str, Mark] | None = None,
           legend: list[tuple[str, Mark]] | None = None) -> bytes:
    """Read a BPMN file and draw it as `fmt` bytes (warnings: use `picture`)."""
    return picture(path, fmt, marks, legend=legend).data


def format_of(path: Path | str) -> str:
    """The picture format named by a file's suffix (.svg, .png, .pdf)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        from engine.errors import BadInput

        raise BadInput("{path}: cannot tell the picture format; end the name in .svg, .png or .pdf", path=path)
    return fmt


def instance_picture(path: Path | str, fmt: str, detail, now) -> bytes:
    """`path` drawn with an instance overlay (see engine/diagrams/overlay.py) and its legend."""
    from engine.diagrams.overlay import LEGEND, instance_marks

    model = read_model(path)
    marks = instance_marks(model, detail, now)
    title = f"instance {getattr(detail, 'id', '')} · {getattr(detail, 'status', '')}".strip(" ·")
    return picture(model, fmt, marks, title=title, legend=LEGEND).data
