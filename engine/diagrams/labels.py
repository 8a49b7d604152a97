"""What the shapes of a drawing say: text labels fitted to their boxes, type tags, BPMN markers.

Every label is Graphviz HTML-like markup or plain text and is never empty markup (Graphviz refuses
`<font></font>`). Task-type tags come in the model's language: Chinese when most of its names are
Chinese, English otherwise. Event markers follow BPMN: a throwing event (end, intermediate throw)
shows its marker filled, a catching one (start, intermediate catch, boundary) open.
"""

from __future__ import annotations

import html

from engine.bpmn.model import Model, Node
from engine.diagrams.fonts import fit, has_cjk, is_chinese, text_width, wrap

INK = "#333333"
TASK_TAGS = {
    "zh": {"userTask": "人工", "serviceTask": "服务", "scriptTask": "脚本", "businessRuleTask": "规则",
           "manualTask": "手工", "sendTask": "发送", "receiveTask": "接收", "callActivity": "调用",
           "subProcess": "子流程", "transaction": "事务", "adHocSubProcess": "自由子流程"},
    "en": {"userTask": "user", "serviceTask": "service", "scriptTask": "script", "businessRuleTask": "rule",
           "manualTask": "manual", "sendTask": "send", "receiveTask": "receive", "callActivity": "call",
           "subProcess": "sub-process", "transaction": "transaction", "adHocSubProcess": "ad hoc"},
}
GATEWAY_MARKS = {"exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○",
                 "eventBasedGateway": "◇", "complexGateway": "✱"}
# event definition -> (catch marker: open, throw marker: filled)
EVENT_MARKS = {"timer": ("◷", "◷"), "message": ("✉", "✉"), "signal": ("△", "▲"), "error": ("ϟ", "ϟ"),
               "escalation": ("⇧", "⬆"), "compensate": ("◁◁", "◀◀"), "conditional": ("☰", "☰"),
               "link": ("⇨", "➡"), "terminate": ("●", "●"), "cancel": ("✕", "✖"),
               "multiple": ("⬠", "⬟"), "parallelMultiple": ("✛", "✚")}
INVERTED = {"message", "error"}     # no filled glyph in the fonts: the throw marker is drawn white on ink
THROWS = {"endEvent", "intermediateThrowEvent"}
LOOP_MARKS = {"standard": "↻", "parallel": "|||", "sequential": "≡"}


def model_language(model: Model) -> str:
    """'zh' when most of the model's names are Chinese, else 'en' (decides the task-type tags)."""
    names = [n.name for n in model.nodes.values() if n.kind != "annotation"]
    names += [lane.name for lane in model.lanes.values()] + [p.name for p in model.pools]
    return "zh" if is_chinese(names) else "en"


def task_tag(node: Node, language: str) -> str:
    return TASK_TAGS[language].get(node.tag, "")


def label_html(lines: list[str], tag: str | None = None, note: str | None = None, note_color: str = INK,
               size: int | None = None, align: str = "center") -> str:
    """An HTML-like label: an optional small type tag, the text lines, an optional bold note.

    Empty lines are left out; with nothing to show the label is '' (Graphviz refuses empty markup).
    """
    rows = []
    if tag:
        rows.append(f'<font point-size="8" color="#777777">{html.escape(tag)}</font>')
    for line in lines:
        if line.strip():
            rows.append(f'<font point-size="{size}">{html.escape(line)}</font>' if size else html.escape(line))
    if note:
        rows.append(f'<font point-size="9" color="{note_color}"><b>{html.escape(note)}</b></font>')
    if not rows:
        return ""
    td = "<td>" if align == "center" else f'<td align="{align}">'
    cells = "".join(f"<tr>{td}{row}</td></tr>" for row in rows)
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{cells}</table>>'


def event_marker(node: Node) -> tuple[str, str]:
    """(definition kind, marker label) of an event; ('', '') for a none event."""
    kinds = [k for k in node.events if k in EVENT_MARKS]
    if not kinds:
        return "", ""
    kind = kinds[0]
    if len(kinds) > 1:
        kind = "parallelMultiple" if node.attrs.get("parallelMultiple") == "true" else "multiple"
    throw = node.tag in THROWS
    glyph = EVENT_MARKS[kind][1 if throw else 0]
    if throw and kind in INVERTED:
        return kind, (f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1" bgcolor="{INK}">'
                      f'<tr><td><font color="#ffffff">{html.escape(glyph)}</font></td></tr></table>>')
    return kind, glyph


def header_text(text: str, w: float, h: float, sizes: tuple[int, ...]) -> tuple[list[str], int]:
    """(lines, font size) that fit a header box: whole words at the largest size that fits, else
    letters stacked in a narrow column, else words cut and the end replaced by …"""
    if not text.strip():
        return [], sizes[-1]
    narrow = w < 40
    if narrow and has_cjk(text):
        for size in sizes:
            if len(text.replace(" ", "")) * size * 1.25 <= h:
                return [c for c in text if c != " "], size
    for size in sizes:
        lines = wrap(text, w, size)
        whole = all(text_width(word, size) <= w for word in text.split())
        if whole and len(lines) * size * 1.3 <= h:
            return lines, size
    if narrow:
        for size in sizes:
            if len(text) * size * 1.25 <= h:
                return [c if c != " " else "" for c in text], size
    size = sizes[-1]
    return fit(text, w, size, max(1, int(h // (size * 1.3)))), size
