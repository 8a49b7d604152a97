"""BPMN swimlane diagrams as Graphviz DOT source, with optional marks (instance overlay, diff colours).

`diagram(model)` lays the model out (engine/lanelayout.py) and returns DOT source in which every
node, cluster and edge is pinned, so `neato -n2` only draws it; `to_image(dot, fmt)` turns that into
SVG, PNG or PDF bytes. Writing files is the caller's job. Every BPMN element becomes exactly one
SVG group whose id is the element id (prefixed when two sides share a picture), with a class
naming its kind, so tests and other tools can find it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from engine.bpmn.model import Bounds, Model, Node, read_model
from engine.diagrams.fonts import CJK_FONT, SVG_FAMILIES, has_cjk, require_cjk_font
from engine.diagrams.lanelayout import Geometry, layout, q, run_graphviz, wrap
from engine.diagrams.routing import flow_arrows, flow_label

TASK_TAGS = {"userTask": "人工", "serviceTask": "服务", "scriptTask": "脚本", "businessRuleTask": "规则",
             "manualTask": "手工", "sendTask": "发送", "receiveTask": "接收", "callActivity": "调用",
             "subProcess": "子流程", "transaction": "事务", "adHocSubProcess": "自由子流程"}
GATEWAY_MARKS = {"exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○",
                 "eventBasedGateway": "◇", "complexGateway": "✱"}
EVENT_MARKS = {"timer": "◷", "message": "✉", "signal": "△", "error": "ϟ", "escalation": "⇧",
               "compensate": "«", "conditional": "☰", "link": "⇨", "terminate": "●", "cancel": "✕"}
LOOP_MARKS = {"standard": "↻", "parallel": "|||", "sequential": "≡"}
INK = "#333333"
FORMATS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo"}


@dataclass
class Mark:
    """How one element is emphasised: outline colour, fill, line width, dashes, a note under it."""

    color: str | None = None
    fill: str | None = None
    penwidth: float | None = None
    dashed: bool = False
    note: str | None = None
    css: str = ""


@dataclass
class Frame:
    """Where one picture of a model goes inside a larger drawing (compare draws two)."""

    prefix: str = ""
    dx: float = 0
    dy: float = 0


def label_html(lines: list[str], tag: str | None = None, note: str | None = None, note_color: str = INK,
               size: int | None = None) -> str:
    """An HTML-like label: an optional small type tag, the text lines, an optional bold note."""
    rows = []
    if tag:
        rows.append(f'<font point-size="8" color="#777777">{html.escape(tag)}</font>')
    font = f'<font point-size="{size}">' if size else ""
    rows += [font + html.escape(line) + ("</font>" if size else "") for line in lines]
    if note:
        rows.append(f'<font point-size="9" color="{note_color}"><b>{html.escape(note)}</b></font>')
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{cells}</table>>'


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
            name = "\n".join(pool.name) if has_cjk(pool.name) else "\n".join(wrap(pool.name, 26, 9))
            canvas.box(p + "poolhead:" + pool.id, head, id=p + "poolhead:" + pool.id, **{"class": "pool-header"},
                       label=name, fontsize="12" if has_cjk(pool.name) else "8", style="filled",
                       fillcolor="#e8eaed", color=INK)
        for lane in pool.lanes:
            if not shown(lane.id) or lane.id not in geo.lanes:
                continue
            lb, hb = at(geo.lanes[lane.id]), at(geo.headers[lane.id])
            canvas.cluster(p + lane.id, lb, id=p + lane.id, **{"class": "lane"}, color="#9aa0a6",
                           style="filled", fillcolor="#fbfbfc" if lane.leaf else "#ffffff")
            mark = marks.get(lane.id, Mark())
            size = 12 if lane.leaf else 11
            text = wrap(lane.name, hb.w - 8, size) if hb.w > 40 else list(lane.name)
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
                       label=label_html([node.name], TASK_TAGS.get(node.tag), mark.note, mark.color or INK),
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
            _node(canvas, node, at(geo.nodes[node.id]), marks.get(node.id, Mark()), p)


def _spline(canvas: Canvas, route, dx: float, dy: float) -> str:
    parts = []
    if route.end:
        parts.append("e," + canvas.pos(route.end[0] + dx, route.end[1] + dy))
    if route.start:
        parts.append("s," + canvas.pos(route.start[0] + dx, route.start[1] + dy))
    parts += [canvas.pos(x + dx, y + dy) for x, y in route.points]
    return " ".join(parts)


def _node(canvas: Canvas, node: Node, b: Bounds, mark: Mark, prefix: str) -> None:
    kind = node.kind
    css = f"{kind} {node.tag} {mark.css}".strip()
    color = mark.color or INK
    attrs = {"id": prefix + node.id, "class": css, "color": color, "style": "filled",
             "fillcolor": mark.fill or "#ffffff", "penwidth": str(mark.penwidth or 1.2), "fontsize": "12"}
    dashed = ",dashed" if mark.dashed else ""
    note_color = mark.color or INK
    if kind in ("task", "subprocess"):
        lines = wrap(node.name, b.w - 12, 12)
        tag = TASK_TAGS.get(node.tag, "")
        loop = LOOP_MARKS.get(node.attrs.get("loop", ""), "")
        if kind == "subprocess":
            tag = (tag + " ⊞").strip()
        attrs.update(shape="box", style="rounded,filled" + dashed, label=label_html(
            lines + ([loop] if loop else []), tag or None, mark.note, note_color))
        if node.tag == "callActivity":
            attrs["penwidth"] = str(max(mark.penwidth or 0, 3))
    elif kind == "gateway":
        attrs.update(shape="diamond", style="filled" + dashed, label=GATEWAY_MARKS.get(node.tag, ""), fontsize="20")
        attrs["xlabel"] = label_html(wrap(node.name, 110, 10), None, mark.note, note_color, 10) if node.name or mark.note else None
    elif kind == "event":
        end = node.tag == "endEvent"
        middle = node.tag in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
        style = "filled" + dashed
        if node.attrs.get("cancelActivity") == "false" or node.attrs.get("isInterrupting") == "false":
            style += ",dashed"
        attrs.update(shape="doublecircle" if middle else "circle", style=style,
                     label=EVENT_MARKS.get(node.events[0], "") if node.events else "", fontsize="13",
                     penwidth=str(max(mark.penwidth or 1.2, 3.5 if end else 0)))
        if node.events and node.tag in ("endEvent", "intermediateThrowEvent"):
            attrs["fontcolor"] = "#ffffff" if end else INK
        text = wrap(node.name, 110, 10)
        if node.timer:
            text.append(node.timer.split("=", 1)[-1])
        attrs["xlabel"] = label_html(text, None, mark.note, note_color, 10) if node.name or node.timer or mark.note else None
    elif kind == "data":
        attrs.update(shape="cylinder" if node.tag == "dataStoreReference" else "note", style="filled" + dashed,
                     label="", xlabel=label_html(wrap(node.name, 100, 10), None, mark.note, note_color, 10) if node.name else None)
    else:  # annotation
        attrs.update(shape="box", style="filled" + (dashed or ",dotted"), fillcolor=mark.fill or "#fffdf2",
                     label=label_html(wrap(node.name, b.w - 10, 11), None, mark.note, note_color), fontsize="11")
    if attrs.get("fontcolor") is None and kind != "event":
        attrs["fontcolor"] = INK
    attrs["fontsize"] = attrs.get("fontsize", "12")
    attrs = {k: v for k, v in attrs.items() if v is not None}
    if kind == "gateway" or kind == "event" or kind == "data":
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
    geo = layout(model)
    extra = 40 + 22 * ((len(legend) + 3) // 4) if legend else 0
    canvas = Canvas(geo.height + extra)
    draw(canvas, model, geo, marks)
    if legend:
        add_legend(canvas, legend, Bounds(0, geo.height + 20, min(geo.width, 900), extra - 20))
    return graph(canvas, geo.width, title)


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


def to_image(dot_source: str, fmt: str) -> bytes:
    """SVG, PNG or PDF bytes for pinned DOT source (checks the CJK font first)."""
    if fmt not in FORMATS:
        from engine.errors import BadInput

        raise BadInput(f"cannot draw '{fmt}': choose one of {', '.join(FORMATS)}")
    if has_cjk(dot_source):
        require_cjk_font()
    data = run_graphviz("neato", dot_source, FORMATS[fmt], "-n2")
    if fmt == "svg":
        data = data.replace(f'font-family="{CJK_FONT}"'.encode(), f'font-family="{SVG_FAMILIES}"'.encode())
    return data


def render(path: Path | str, fmt: str, marks: dict[str, Mark] | None = None,
           legend: list[tuple[str, Mark]] | None = None) -> bytes:
    """Read a BPMN file and draw it as `fmt` bytes."""
    model = read_model(path)
    return to_image(diagram(model, marks, legend=legend), fmt)


def format_of(path: Path | str) -> str:
    """The picture format named by a file's suffix (.svg, .png, .pdf)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        from engine.errors import BadInput

        raise BadInput(f"{path}: cannot tell the picture format; end the name in .svg, .png or .pdf")
    return fmt


def resolve_source(source: str, models_dir: Path | str) -> Path:
    """A BPMN file path as given, or the file that holds executable process `source` in models_dir."""
    path = Path(source)
    if path.suffix.lower() == ".bpmn" or path.exists():
        return path
    from engine.bpmn.catalog import Catalog
    from engine.errors import UnknownProcess

    found = Catalog(models_dir).process_ids()
    if source not in found:
        raise UnknownProcess(f"'{source}' is neither a file nor a process (known: {', '.join(sorted(found)) or 'none'})")
    return found[source]


def instance_picture(path: Path | str, fmt: str, detail, now) -> bytes:
    """`path` drawn with an instance overlay (see engine/overlay.py) and its legend."""
    from engine.diagrams.overlay import LEGEND, instance_marks

    model = read_model(path)
    marks = instance_marks(model, detail, now)
    title = f"instance {getattr(detail, 'id', '')} · {getattr(detail, 'status', '')}".strip(" ·")
    return to_image(diagram(model, marks, title=title, legend=LEGEND), fmt)
