"""The page frame and the few HTML helpers the pages share. Every text that comes from the store,
a model or a person goes through `esc`; pages carry no inline script (the CSP forbids it): data a
script needs is in data- attributes or a JSON block."""

from __future__ import annotations

import html
import json
from datetime import datetime


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def local(zone, text: str | None) -> str:
    """A stored UTC instant in the programme's zone, to the minute."""
    if not text:
        return ""
    instant = datetime.fromisoformat(text).astimezone(zone)
    return instant.strftime("%Y-%m-%d %H:%M")


def json_block(element_id: str, value) -> str:
    """A JSON value in a non-executed script block, safe against `</script>` inside strings."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def table(headers: list[str], rows: list[list[str]], empty: str, attrs: str = "") -> str:
    """A table of cells already in HTML; `empty` when there are no rows."""
    if not rows:
        return f'<p class="empty">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr" + (f' class="{row[0]}"' if row and row[0].startswith("row-") else "") + ">"
                   + "".join(f"<td>{c}</td>" for c in (row[1:] if row and row[0].startswith("row-") else row)) + "</tr>"
                   for row in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def frame(_, lang: str, title: str, body: str, *, person: str | None = None, lanes: list[str] | None = None,
          csrf: str | None = None, head: str = "", scripts: tuple[str, ...] = (), data: dict | None = None) -> str:
    """A whole page: header with navigation and who is signed in, then `body`."""
    attrs = "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in (data or {}).items())
    nav = ""
    if person:
        nav = (f'<nav><a href="/">{esc(_("My tasks"))}</a><a href="/programme">{esc(_("The programme"))}</a>'
               f'<span class="who">{esc(_("Signed in as {person} ({lanes})").format(person=person, lanes="、".join(lanes or [])))}</span>'
               f'<form method="post" action="/signout"><input type="hidden" name="csrf" value="{esc(csrf)}">'
               f'<button type="submit">{esc(_("Sign out"))}</button></form></nav>')
    switch = ('<span class="lang"><a href="?lang=zh">中文</a> · <a href="?lang=en">English</a></span>')
    tags = "".join(f'<script src="{esc(src)}"></script>' for src in scripts)
    meta = f'<meta name="csrf-token" content="{esc(csrf)}">' if csrf else ""
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}<title>{esc(title)} · phasegate</title>'
            f'<link rel="stylesheet" href="/static/style.css">{head}</head>'
            f'<body{attrs}><header><strong class="brand">phasegate · 业务调整</strong>{nav}{switch}</header>'
            f'<main><h1>{esc(title)}</h1>{body}</main>{tags}</body></html>')
