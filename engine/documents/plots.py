"""Trend charts: one or more series over labelled points, with target lines or a target band,
written as PNG and SVG by matplotlib in the CJK font."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.diagrams.fonts import CJK_FONT, require_cjk_font
from engine.files import write_output


@dataclass(frozen=True)
class Target:
    """A horizontal target: a line at `value`, or a band from `value` to `upper`."""

    label: str
    value: float
    upper: float | None = None


@dataclass(frozen=True)
class Trend:
    """What one chart shows: points along x, series of values (None: no value there), targets."""

    title: str
    x_labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    y_label: str = ""
    targets: tuple[Target, ...] = ()
    kind: str = "line"  # "line", or "bar" for the first series drawn as bars
    flagged: tuple[int, ...] = field(default=())  # x indexes marked as missing their target
    flag_label: str = "flagged"                   # the legend of those marks


def write_trend(trend: Trend, out_dir: Path | str, name: str) -> list[Path]:
    """Write `<name>.png` and `<name>.svg`; returns both paths."""
    import io

    font = require_cjk_font(CJK_FONT)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False,
                                "svg.fonttype": "none", "svg.hashsalt": "phasegate", "path.simplify": True}):
        figure, axes = plt.subplots(figsize=(7.2, 3.4), dpi=110)
        try:
            _draw(axes, trend)
            figure.tight_layout()
            written = []
            for suffix in ("png", "svg"):
                buffer = io.BytesIO()
                figure.savefig(buffer, format=suffix, metadata={"Date": None} if suffix == "svg" else None)
                written.append(write_output(Path(out_dir) / f"{name}.{suffix}", buffer.getvalue()))
            return written
        finally:
            plt.close(figure)


def _draw(axes, trend: Trend) -> None:
    xs = list(range(len(trend.x_labels)))
    colours = ["#1f5fa8", "#d9822b", "#2e8b57", "#8b3a62"]
    for number, (label, values) in enumerate(trend.series):
        points = [(x, v) for x, v in zip(xs, values) if v is not None]
        if not points:
            continue
        px, py = zip(*points)
        colour = colours[number % len(colours)]
        if trend.kind == "bar" and number == 0:
            axes.bar(px, py, color=colour, alpha=0.55, label=label, width=0.6)
        else:
            axes.plot(px, py, marker="o", markersize=4, color=colour, label=label, linewidth=1.8)
            for x, y in points[-1:]:
                axes.annotate(f"{y:g}", (x, y), textcoords="offset points", xytext=(4, 5), fontsize=8, color=colour)
    for target in trend.targets:
        if target.upper is None:
            axes.axhline(target.value, color="#c0392b", linestyle="--", linewidth=1.2, label=target.label)
        else:
            axes.axhspan(target.value, target.upper, color="#27ae60", alpha=0.15, label=target.label)
    if trend.flagged and trend.series:
        values = trend.series[0][1]
        marked = [(x, values[x]) for x in trend.flagged if x < len(values) and values[x] is not None]
        if marked:
            mx, my = zip(*marked)
            axes.scatter(mx, my, s=60, facecolors="none", edgecolors="#c0392b", linewidths=1.4, zorder=5,
                         label=trend.flag_label)
    axes.set_title(trend.title, fontsize=11)
    axes.set_xticks(xs)
    axes.set_xticklabels(trend.x_labels, rotation=45 if len(xs) > 6 else 0, ha="right" if len(xs) > 6 else "center",
                         fontsize=8)
    if trend.y_label:
        axes.set_ylabel(trend.y_label, fontsize=9)
    axes.grid(axis="y", alpha=0.3)
    axes.margins(x=0.05)
    axes.legend(fontsize=8, loc="best", framealpha=0.85)
