"""A document as a list of blocks, written as Markdown and as HTML (for the PDF).

    doc = Document("Title")
    doc.heading("Part 1"); doc.table(["a", "b"], [[1, 2]]); doc.image("compare.png", "caption")
    doc.to_markdown(); doc.to_html()

Images are file names relative to the folder the document is written into.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()  # per column: right-aligned
    emphasis: tuple[int, ...] = ()  # indexes of rows shown bold (totals)


@dataclass(frozen=True)
class Image:
    source: str
    caption: str = ""


@dataclass
class Document:
    """A title and its blocks, in order."""

    title: str
    subtitle: str = ""
    blocks: list = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(Heading(text, level))

    def paragraph(self, text: str) -> None:
        self.blocks.append(Paragraph(text))

    def bullets(self, items) -> None:
        self.blocks.append(Bullets(tuple(str(i) for i in items)))

    def table(self, columns, rows, *, numeric=(), emphasis=()) -> None:
        """A table; cells are shown as given (numbers as `format_number` would show them)."""
        self.blocks.append(Table(tuple(columns), tuple(tuple(cell_text(c) for c in row) for row in rows),
                                 tuple(numeric), tuple(emphasis)))

    def image(self, source: str, caption: str = "") -> None:
        self.blocks.append(Image(source, caption))

    def images(self) -> list[str]:
        return [b.source for b in self.blocks if isinstance(b, Image)]

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        if self.subtitle:
            out += [self.subtitle, ""]
        for block in self.blocks:
            if isinstance(block, Heading):
                out += ["#" * block.level + " " + block.text, ""]
            elif isinstance(block, Paragraph):
                out += [block.text, ""]
            elif isinstance(block, Bullets):
                out += [f"- {item}" for item in block.items] + [""]
            elif isinstance(block, Table):
                out += _markdown_table(block) + [""]
            elif isinstance(block, Image):
                out += [f"![{block.caption}]({block.source})", ""]
                if block.caption:
                    out += [f"*{block.caption}*", ""]
        return "\n".join(out).rstrip() + "\n"

    def to_html(self, font_family: str, *, image_for=lambda source: source) -> str:
        """The document as one HTML page in `font_family`; `image_for` maps an image to the file
        the page shows (e.g. its PNG for a PDF)."""
        esc = html.escape
        body = [f"<h1>{esc(self.title)}</h1>"]
        if self.subtitle:
            body.append(f'<p class="subtitle">{esc(self.subtitle)}</p>')
        for block in self.blocks:
            if isinstance(block, Heading):
                level = min(6, max(2, block.level))
                body.append(f"<h{level}>{esc(block.text)}</h{level}>")
            elif isinstance(block, Paragraph):
                body.append(f"<p>{esc(block.text)}</p>")
            elif isinstance(block, Bullets):
                body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>")
            elif isinstance(block, Table):
                body.append(_html_table(block))
            elif isinstance(block, Image):
                caption = f"<figcaption>{esc(block.caption)}</figcaption>" if block.caption else ""
                body.append(f'<figure><img src="{esc(image_for(block.source))}"/>{caption}</figure>')
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(self.title)}</title>'
                f"<style>{_css(font_family)}</style></head><body>" + "\n".join(body) + "</body></html>")


def cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def format_number(value: float, digits: int = 1) -> str:
    """1234.5 → '1,234.5'; whole numbers without decimals."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _escape_md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown_table(table: Table) -> list[str]:
    def row(cells, bold=False):
        cells = [_escape_md(c) for c in cells]
        if bold:
            cells = [f"**{c}**" if c else c for c in cells]
        return "| " + " | ".join(cells) + " |"

    align = ["---:" if i < len(table.numeric) and table.numeric[i] else "---" for i in range(len(table.columns))]
    return [row(table.columns), "| " + " | ".join(align) + " |"] + [
        row(cells, i in table.emphasis) for i, cells in enumerate(table.rows)]


def _html_table(table: Table) -> str:
    esc = html.escape

    def cls(i):
        return ' class="num"' if i < len(table.numeric) and table.numeric[i] else ""

    head = "".join(f"<th{cls(i)}>{esc(c)}</th>" for i, c in enumerate(table.columns))
    rows = []
    for n, cells in enumerate(table.rows):
        row_cls = ' class="total"' if n in table.emphasis else ""
        rows.append(f"<tr{row_cls}>" + "".join(f"<td{cls(i)}>{esc(c)}</td>" for i, c in enumerate(cells)) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _css(font_family: str) -> str:
    return f"""
@page {{ size: A4; margin: 16mm 14mm; @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 8pt; }} }}
body {{ font-family: "{font_family}", sans-serif; font-size: 9.5pt; line-height: 1.45; color: #222; }}
h1 {{ font-size: 17pt; margin: 0 0 4pt; }}
h2 {{ font-size: 13pt; margin: 14pt 0 5pt; border-bottom: 1px solid #bbb; padding-bottom: 2pt; }}
h3 {{ font-size: 11pt; margin: 10pt 0 4pt; }}
p.subtitle {{ color: #555; margin-top: 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; font-size: 8.5pt; page-break-inside: auto; }}
th, td {{ border: 1px solid #999; padding: 2.5pt 4pt; vertical-align: top; }}
th {{ background: #eef1f5; text-align: left; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
tr.total td {{ font-weight: bold; background: #f7f7f7; }}
figure {{ margin: 6pt 0 10pt; page-break-inside: avoid; }}
figure img {{ max-width: 100%; max-height: 230mm; }}
figcaption {{ font-size: 8.5pt; color: #555; text-align: center; }}
"""
