"""One message catalog for everything phasegate says to a person, in English (the source) and Chinese.

The source text of a message is its English wording (the msgid), with named `{parameters}`; the
catalogs are `engine/locale/<lang>/LC_MESSAGES/phasegate.po`, edited by translators. At run time the
compiled `.mo` next to each `.po` is read with the standard library's `gettext` (click already imports
it, so a translated command costs a file read); a `.mo` that is missing or older than its `.po` is
compiled once with Babel, imported only then, and written beside it when the folder is writable.

    tr = translator(resolve_language(explicit, os.environ, default="zh"))
    tr.gettext("no instance {id}").format(id=4)      # or tr.format("no instance {id}", id=4)
    tr.ngettext("{n} timer fired", "{n} timers fired", n).format(n=n)

`N_` marks a message where it is written without translating it there (an error raised in
`engine/`, a help text): the face translates it when it prints it. `tools/i18n_catalog.py` extracts
every marked message with Babel's extractor and keeps the `.po` files in step.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "phasegate"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE = "en"                      # the language the msgids are written in
LANGUAGES = ("zh", "en")           # every language with a catalog
_ALIASES = {"zh": "zh", "cn": "zh", "chinese": "zh", "中文": "zh", "en": "en", "english": "en"}


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it here (the face translates it later)."""
    return message


def normalize(value: str | None) -> str | None:
    """The catalog language a tag names (`zh_CN.UTF-8`, `zh-Hans`, `en_US`, `EN`), or None.

    A tag that names no particular language (`C`, `POSIX`, empty) gives None, so that the next
    source of a preference is asked; a real language phasegate has no catalog for gives English.
    """
    if not value:
        return None
    tag = value.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if tag in ("", "c", "posix"):
        return None
    found = _ALIASES.get(tag) or _ALIASES.get(tag.split("_")[0])
    return found or "en"


def resolve_language(explicit: str | None, env: Mapping[str, str] | None, default: str = SOURCE) -> str:
    """The language to speak: `explicit` (`--lang`, a page's choice) first, then PHASEGATE_LANG, then
    the locale (LC_ALL, LC_MESSAGES, LANG — the first that is set, as gettext reads them; a `C` or
    `POSIX` locale says nothing), then `default` (the programme's language).

    An explicit value or PHASEGATE_LANG that names no catalog raises ValueError with the choices, so
    the face can refuse it as a usage error; a locale phasegate cannot speak falls back to English.
    """
    env = env if env is not None else {}
    for value, strict in ((explicit, True), (env.get("PHASEGATE_LANG"), True)):
        if value:
            tag = value.strip().lower()
            if tag not in _ALIASES:
                raise ValueError(f"'{value}' is not a language phasegate speaks (choose: {', '.join(LANGUAGES)})")
            return _ALIASES[tag]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            found = normalize(value)
            if found is not None:
                return found
            break  # a set but neutral locale (C.UTF-8): gettext would stop here too
    return normalize(default) or SOURCE


def from_accept_language(header: str | None) -> str | None:
    """The first language of an HTTP Accept-Language header that phasegate speaks, or None.

    `zh-CN,zh;q=0.9,en;q=0.8` → "zh"; entries are taken by their q weight, highest first.
    """
    if not header:
        return None
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and tag != "*" and q > 0:
            weighted.append((-q, position, tag))
    for _q, _position, tag in sorted(weighted):
        base = tag.replace("-", "_").lower().split("_")[0]
        if base in _ALIASES:
            return _ALIASES[base]
    return None


class Phrase(str):
    """A piece of a message that is itself a message: its English text as a `str` (so the engine's
    English output is unchanged), its template and params kept for the face to translate.

        NotAllowed("{person} may not {action}: ...", action=Phrase("complete '{task}'", task=task_id))
    """

    template: str
    params: dict

    def __new__(cls, template: str, /, **params):
        self = super().__new__(cls, template.format(**params) if params else template)
        self.template, self.params = template, params
        return self

    def __reduce__(self):  # pickles (and copies) as the English text
        return (str, (str(self),))


class Translator:
    """Messages in one language: `gettext`, `ngettext`, and `format` (translate, then fill in)."""

    def __init__(self, language: str, catalog: _gettext.NullTranslations):
        self.language = language
        self._catalog = catalog

    def gettext(self, message: str) -> str:
        if isinstance(message, Phrase):
            return self.format(message.template, **message.params)
        return self._catalog.gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def format(self, message: str, /, **params) -> str:
        """`message` translated, its `{names}` filled from `params`."""
        text = self.gettext(message)
        if not params:
            return text
        return text.format(**{k: self.gettext(v) if isinstance(v, Phrase) else v for k, v in params.items()})

    def nformat(self, singular: str, plural: str, n: int, /, **params) -> str:
        """The singular or plural form for `n`, translated, its `{names}` (and `{n}`) filled in."""
        return self.ngettext(singular, plural, n).format(n=n, **params)

    def error(self, error) -> str:
        """The one line an engine error shows (`PhasegateError`: its template and params, its hint).

        An error raised with a plain English message (no template) is shown as it is.
        """
        template = getattr(error, "template", None)
        if template is None:
            return str(error)
        params = getattr(error, "params", {}) or {}
        text = self.format(template, **params)
        extra = getattr(error, "detail", None)
        if extra:
            text = self.format(PROBLEMS, message=text, problems=self.gettext(SEPARATOR).join(
                self.gettext(p) for p in extra))
        hint = getattr(error, "hint_template", None)
        if hint:
            text += self.format(HINT, hint=self.format(hint, **params))
        return text

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"


HINT = N_(" (hint: {hint})")
PROBLEMS = N_("{message}: {problems}")   # an InvalidForm: its message, then one problem per field
SEPARATOR = N_("; ")


def _compiled(language: str) -> Path | None:
    """The `.mo` of `language`, compiled from its `.po` with Babel when missing or older than it."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    try:
        po_time = po.stat().st_mtime_ns
    except OSError:
        return mo if mo.exists() else None
    try:
        if mo.stat().st_mtime_ns >= po_time:
            return mo
    except OSError:
        pass
    data = compile_catalog(po, language)
    try:  # write beside the .po, atomically (two commands may compile at once)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, mo)
        return mo
    except OSError:  # a read-only install: keep it in memory for this process
        _IN_MEMORY[language] = data
        return None


_IN_MEMORY: dict[str, bytes] = {}


def compile_catalog(po: Path, language: str) -> bytes:
    """The `.mo` bytes of a `.po` file (Babel, imported only here)."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@functools.cache
def translator(lang: str) -> Translator:
    """The messages of `lang` ("zh", "en"; any tag `normalize` understands), loaded once per process."""
    language = normalize(lang) or SOURCE
    mo = _compiled(language)
    catalog: _gettext.NullTranslations
    if mo is not None:
        with open(mo, "rb") as handle:
            catalog = _gettext.GNUTranslations(handle)
    elif language in _IN_MEMORY:
        from io import BytesIO

        catalog = _gettext.GNUTranslations(BytesIO(_IN_MEMORY[language]))
    else:
        catalog = _gettext.NullTranslations()  # no catalog: the English source text
    return Translator(language, catalog)
