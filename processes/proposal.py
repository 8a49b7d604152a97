"""The programme's choice for the 《业务调整草案》 bundle: which models the proposal shows, in its words."""

from __future__ import annotations

from pathlib import Path

from engine.diagrams.bundle import Bundle, build_bundle

from .programme import BPMN_DIR, WORDING

TITLE = "《业务调整草案》"
FILE_NAMES = ("compare", "programme", "changes")  # compare.svg/.png, programme.svg/.png, changes.md


def build(out_dir: Path | str, bpmn_dir: Path | None = None) -> Bundle:
    """The service loop before and after the adjustment, and the phase-gate programme itself."""
    folder = Path(bpmn_dir or BPMN_DIR)
    return build_bundle(folder / "service_loop_before.bpmn", folder / "service_loop_after.bpmn",
                        folder / "business_adjustment.bpmn", out_dir, title=TITLE, wording=WORDING,
                        names=FILE_NAMES)
