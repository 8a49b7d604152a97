"""The CJK font that Chinese labels need, and how wide text comes out in it.

Graphviz falls back to a Latin font (DejaVu on Debian) when the named font is missing, and Chinese
then comes out as empty boxes. `require_cjk_font()` fails first with a clear message instead.
`wrap` and `fit` break labels into lines that fit a box, using estimated glyph widths.
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
        raise FontMissing("font '{font}' for Chinese labels is not installed (fontconfig offers '{fallback}', which would draw Chinese as empty boxes)", hint=INSTALL_HINT, font=font, fallback=fallback)
    return font


def text_width(text: str, size: float) -> float:
    """Estimated width in points of `text` at `size` points (wide CJK glyphs count one em)."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.58 for c in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of at most `width` points: words for Latin text (a word too long is cut), characters for Chinese."""
    lines, cur = [], ""
    for token in _tokens(text, width, size):
        if cur and text_width(cur + token.rstrip(), size) > width:
            lines.append(cur.rstrip())
            cur = token.lstrip()
        else:
            cur += token
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def fit(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """`wrap`, cut to `max_lines` lines; a cut text ends in an ellipsis."""
    lines = wrap(text, width, size)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and text_width(last + "…", size) > width:
        last = last[:-1]
    return lines[: max_lines - 1] + [last.rstrip() + "…"]


def _tokens(text: str, width: float, size: float) -> list[str]:
    out, word = [], ""

    def flush():
        nonlocal word
        while len(word) > 1 and text_width(word.rstrip(), size) > width:
            cut = max(1, int(len(word) * width / text_width(word, size)))
            while cut > 1 and text_width(word[:cut], size) > width:
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        if word:
            out.append(word)
        word = ""

    for c in " ".join(text.split()):
        if unicodedata.east_asian_width(c) in "WF":
            flush()
            out.append(c)
        elif c == " ":
            word += " "
            flush()
        else:
            word += c
    flush()
    return out


def is_chinese(names: list[str]) -> bool:
    """True when most of `names` that have letters are written in Chinese (Han, no kana or hangul)."""
    written = [n for n in names if any(c.isalpha() for c in n)]
    chinese = [n for n in written if any(_han(c) for c in n) and not any(_kana_or_hangul(c) for c in n)]
    return bool(written) and 2 * len(chinese) >= len(written)


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"


def _kana_or_hangul(c: str) -> bool:
    return "\u3040" <= c <= "\u30ff" or "\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff"
