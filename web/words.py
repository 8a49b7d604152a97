"""The pages' words, written in English and shown in the reader's language (Chinese first).

Every text goes through `_()` with an English msgid of the one message catalog (`engine.i18n`,
engine/locale/*/phasegate.po, which `tools/i18n_catalog.py` keeps in step: pyproject's [tool.babel]
reads web/ too). Babel's extractor does not look inside f-strings, where most page words are, so
`MESSAGES` marks each of them; tests/test_web_words.py checks every `_()` literal of web/ is there
and has its Chinese.
"""

from __future__ import annotations

from engine.i18n import N_, from_accept_language, translator

MESSAGES = (  # the pages' words, marked for the catalog (most are used inside f-strings)
    N_("My tasks"),
    N_("The programme"),
    N_("Sign in"),
    N_("Sign out"),
    N_("Signed in as {person} ({lanes})"),
    N_("Personal access token"),
    N_("An administrator (管理层) issues it with: phasegate people token NAME"),
    N_("Open tasks of my lanes, overdue first"),
    N_("instance"),
    N_("task"),
    N_("lane"),
    N_("ready since"),
    N_("due"),
    N_("overdue"),
    N_("No open tasks in your lanes."),
    N_("Submit"),
    N_("Completed {task}; the instance is now {status}."),
    N_("The form was not accepted:"),
    N_("Refused:"),
    N_("Nothing was changed."),
    N_("Instance {id}"),
    N_("History"),
    N_("Data"),
    N_("Ready"),
    N_("Waiting"),
    N_("Completed"),
    N_("at"),
    N_("who"),
    N_("action"),
    N_("data"),
    N_("status"),
    N_("started by"),
    N_("revision"),
    N_("process"),
    N_("phase"),
    N_("gate"),
    N_("next deadline"),
    N_("Deadlines, soonest first"),
    N_("kind"),
    N_("name"),
    N_("Instances by phase and gate"),
    N_("Download the draft bundle (《业务调整草案》 diagrams)"),
    N_("The latest 成效报告"),
    N_("completed"),
    N_("ready"),
    N_("waiting"),
    N_("path taken"),
    N_("The page refreshes when the instance changes."),
    N_("Open the task"),
    N_("(none)"),
    N_("not signed in"),
    N_("the token is not valid (wrong, revoked or mistyped)"),
    N_("the request carries no valid CSRF token; nothing was changed"),
    N_("Open tasks of every lane"),
    N_("Back to my tasks"),
    N_("language"),
    N_("{count} open tasks, page {page} of {pages}"),
)


def language(accept: str | None, asked: str | None = None) -> str:
    """zh or en: what `?lang=` (or the page's cookie) asks, else the browser's Accept-Language;
    Chinese, the programme's language, when neither says."""
    if asked in ("zh", "en"):
        return asked
    return from_accept_language(accept) or "zh"


def words(lang: str):
    """The `_` of one language."""
    return translator(lang).gettext
