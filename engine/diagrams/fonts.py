"""The CJK font that Chinese labels need: checked with fontconfig before drawing, never silent tofu.

Graphviz falls back to a Latin font (DejaVu on Debian) when the named font is missing, and Chinese
then comes out as empty boxes. `require_cjk_font()` fails first with a clear message instead.
"""

from __future__ import annotations

import functools
import subprocess
import unicodedata

from engine.errors import FontMissing

CJK_FONT = "Noto Sans CJK SC"
# For SVG files opened elsewhere: viewers on Windows / macOS fall back to their own CJK fonts.
SVG_FAMILIES = "Noto Sans CJK SC,WenQuanYi Zen Hei,Microsoft YaHei,PingFang SC,sans-serif"
INSTALL_HINT = "install the Debian package fonts-noto-cjk (make setup does)"


def has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


@functools.lru_cache(maxsize=4)
def matched_family(font: str = CJK_FONT) -> str:
    """The family fontconfig actually uses for `font` ('' when fontconfig is missing)."""
    try:
        proc = subprocess.run(["fc-match", "-f", "%{family}", font], capture_output=True, timeout=30)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.decode("utf-8", "replace")


def require_cjk_font(font: str = CJK_FONT) -> str:
    """Return `font` if fontconfig has it; raise FontMissing naming the fallback otherwise."""
    family = matched_family(font)
    if font.lower() not in [f.strip().lower() for f in family.split(",")]:
        fallback = family.split(",")[0] or "no fontconfig at all"
        raise FontMissing(f"font '{font}' for Chinese labels is not installed (fontconfig offers "
                          f"'{fallback}', which would draw Chinese as empty boxes)", hint=INSTALL_HINT)
    return font
