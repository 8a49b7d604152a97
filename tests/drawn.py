"""Reading back a drawn SVG in tests: Graphviz's groups and the box the shapes of one group cover."""

from __future__ import annotations

import re

from lxml import etree

SVG = "{http://www.w3.org/2000/svg}"


def extent(group) -> tuple[float, float, float, float]:
    """x1, y1, x2, y2 of every shape drawn in a group (polygons, polylines, ellipses, paths)."""
    xs, ys = [], []
    for el in group.iter():
        tag = etree.QName(el).localname
        if tag in ("polygon", "polyline"):
            pts = [tuple(map(float, p.split(","))) for p in el.get("points").split()]
            xs += [p[0] for p in pts]
            ys += [p[1] for p in pts]
        elif tag == "ellipse":
            cx, cy, rx, ry = (float(el.get(k)) for k in ("cx", "cy", "rx", "ry"))
            xs += [cx - rx, cx + rx]
            ys += [cy - ry, cy + ry]
        elif tag == "path":
            nums = list(map(float, re.findall(r"-?\d+(?:\.\d+)?", el.get("d"))))
            xs += nums[0::2]
            ys += nums[1::2]
    assert xs, "nothing drawn"
    return min(xs), min(ys), max(xs), max(ys)


def svg_groups(data: bytes) -> dict[str, list]:
    """SVG group id -> the groups with that id (Graphviz writes one group per node, edge, cluster)."""
    root = etree.fromstring(data)
    groups: dict[str, list] = {}
    for g in root.iter(f"{SVG}g"):
        groups.setdefault(g.get("id"), []).append(g)
    return groups


def classes(group) -> set[str]:
    return set((group.get("class") or "").split())
