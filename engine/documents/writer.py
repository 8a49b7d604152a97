"""Writing a `Document`: `<name>.md` beside its images, and `<name>.pdf` through WeasyPrint.

The PDF is drawn from the document's HTML in the CJK font fontconfig has (checked first, so Chinese
never comes out as empty boxes). An image given as `x.svg` that has a `x.png` beside it is shown
from the PNG in the PDF (one raster, the same picture), the SVG stays linked from the Markdown.
"""

from __future__ import annotations

import logging
from pathlib import Path

from engine.diagrams.fonts import CJK_FONT, require_cjk_font
from engine.documents.document import Document
from engine.errors import BadInput
from engine.files import write_output


def write_document(doc: Document, out_dir: Path | str, name: str) -> list[Path]:
    """Write `<name>.md` and `<name>.pdf` into `out_dir`; returns both paths."""
    out = Path(out_dir)
    for source in doc.images():
        if not (out / source).is_file():
            raise BadInput("{image}: the document shows an image that was not written", image=out / source)
    markdown = out / f"{name}.md"
    write_output(markdown, doc.to_markdown().encode("utf-8"))
    pdf = out / f"{name}.pdf"
    write_output(pdf, pdf_bytes(doc, out))
    return [markdown, pdf]


def pdf_bytes(doc: Document, base: Path) -> bytes:
    """The document as PDF bytes; images are read from `base`."""
    font = require_cjk_font(CJK_FONT)

    def raster(source: str) -> str:
        png = Path(source).with_suffix(".png")
        return png.as_posix() if source.endswith(".svg") and (base / png).is_file() else source

    page = doc.to_html(font, image_for=raster)
    from weasyprint import HTML  # here: importing WeasyPrint costs ~0.5 s

    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    return HTML(string=page, base_url=str(base.resolve()) + "/").write_pdf()
