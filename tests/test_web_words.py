"""Every word the pages show comes from the one catalog, with its Chinese and English text."""

from __future__ import annotations

import ast

from conftest import REPO
from engine.i18n import translator
from web.words import MESSAGES, language


def page_words() -> set[str]:
    """The literal first argument of every `_()` call in web/, inside f-strings too."""
    found = set()
    for path in (REPO / "web").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def test_every_page_word_is_marked_and_has_chinese_and_english():
    words = page_words()
    assert len(words) > 40
    assert words <= set(MESSAGES), sorted(words - set(MESSAGES))
    zh, en = translator("zh"), translator("en")
    untranslated = [w for w in words if zh.gettext(w) == w or not en.gettext(w)]
    assert untranslated == []
    assert zh.gettext("My tasks") == "我的待办" and en.gettext("My tasks") == "My tasks"


def test_pages_speak_chinese_unless_asked_for_english():
    assert language(None) == "zh"
    assert language("en-US,en;q=0.9") == "en"
    assert language("fr-FR,zh-CN;q=0.5,en;q=0.4") == "zh"
    assert language("zh-CN", "en") == "en"
