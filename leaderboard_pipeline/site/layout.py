"""The page frame and small HTML helpers. Every value passes through ``html.escape``; links are relative."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from leaderboard_pipeline.profiles import DIMENSIONS


def e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True)
class Column:
    """A table column: its header, how cells sort, and whether it is text (left aligned)."""

    title: str
    numeric: bool = True
    note: str = ""  # small second line under the header (e.g. the metric's category)
    ascending: bool = False  # numbers sort high-to-low first, except ranks


def number(value: float | int | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def cell(value: object, display: str | None = None, text: bool = False, title: str = "") -> str:
    """A ``<td>``; ``data-v`` carries the sortable value when the display differs from it."""
    shown = e(value) if display is None else display
    sort = "" if display is None or value is None else f' data-v="{e(value)}"'
    if value is None and display is not None:
        sort = ' data-v=""'
    hint = f' title="{e(title)}"' if title else ""
    css = ' class="text"' if text else ""
    return f"<td{css}{sort}{hint}>{shown}</td>"


def delta(value: int | None, has_previous: bool) -> str:
    if value is None:
        return cell(None, "new" if has_previous else "–")
    if value > 0:
        return cell(value, f'<span class="up" title="up {value}">▲{value}</span>')
    if value < 0:
        return cell(value, f'<span class="down" title="down {-value}">▼{-value}</span>')
    return cell(0, "0")


def _header(c: Column) -> str:
    css = "" if c.numeric else ' class="text"'
    kind = "num" if c.numeric else "text"
    asc = " data-asc" if c.ascending else ""
    note = f'<span class="cat">{e(c.note)}</span>' if c.note else ""
    return f'<th scope="col"{css} data-type="{kind}"{asc}>{e(c.title)}{note}</th>'


def table(columns: Sequence[Column], rows: Iterable[str], css: str = "sortable", caption: str = "") -> str:
    head = "".join(_header(c) for c in columns)
    cap = f'<caption class="muted">{e(caption)}</caption>' if caption else ""
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return f'<div class="table-wrap"><table class="{css}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def month_select(months: list[str], current: str, stem: str) -> str:
    """A selector whose options are the other months' pages (``<stem>-<month>.html``)."""
    options = "".join(
        f'<option value="{e(f"{stem}-{m}.html")}"{" selected" if m == current else ""}>{e(m)}</option>'
        for m in reversed(months)
    )
    fallback = " ".join(f'<a href="{e(stem)}-{e(m)}.html">{e(m)}</a>' for m in months)
    return (
        f'<label>Month <select class="month-select" aria-label="month">{options}</select></label>'
        f"<noscript>{fallback}</noscript>"
    )


def variant_toggle(variants: Sequence[str]) -> str:
    if len(variants) < 2:
        return ""
    buttons = "".join(
        f'<button type="button" data-variant="{e(v)}" aria-pressed="{"true" if i == 0 else "false"}">'
        f"{e(v.title())}</button>"
        for i, v in enumerate(variants)
    )
    return f'<div class="toggle js-only" role="group" aria-label="variant">{buttons}</div>'


def page(title: str, body: str, *, depth: int, month: str, current: str, generated: str) -> str:
    """A whole document. ``depth`` is how many folders below the site root the page lives."""
    up = "../" * depth
    links = [("overall", f"overall-{month}.html", "Overall")]
    links += [(d, f"{d}-{month}.html", d.title()) for d in DIMENSIONS]
    links += [("method", "method.html", "Method"), ("quality", f"quality-{month}.html", "Data quality")]
    here = ' class="current" aria-current="page"'
    nav = "".join(
        f'<a href="{e(up + href)}"{here if key == current else ""}>{e(label)}</a>'
        for key, href, label in links
    )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · Open-source influence leaderboard</title>"
        f'<link rel="stylesheet" href="{up}assets/site.css"></head><body>'
        f'<header class="site"><a class="brand" href="{up}index.html">Open-source influence leaderboard</a>'
        f"<nav>{nav}</nav></header>"
        f"<main>{body}</main>"
        f"<footer>Generated {e(generated)} from the warehouse's stored tables. "
        f'<span class="nav"><a href="{up}method.html">How the scores are computed</a></span></footer>'
        f'<script src="{up}assets/site.js"></script></body></html>\n'
    )
