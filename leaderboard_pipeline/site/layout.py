"""The page frame and small HTML helpers. Every value passes through ``html.escape`` (after
``clean_text``: no control or bidi-override characters from the data); links are relative."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from leaderboard_pipeline.contract.untrusted import clean_text
from leaderboard_pipeline.site.formatting import UNKNOWN, format_score, format_value, is_unknown


def e(value: object) -> str:
    return escape(clean_text("" if value is None else str(value)), quote=True)


@dataclass(frozen=True)
class Column:
    """A table column: its header, how cells sort, and what the filters know about it."""

    title: str
    numeric: bool = True
    note: str = ""  # small second line under the header (e.g. "vs last month")
    ascending: bool = False  # numbers sort high-to-low first, except ranks
    key: str = ""  # what the filters read: org, rank, delta, rank:<group>
    group: str = ""  # the filter group the column belongs to (a dimension, a category index)
    group_label: str = ""  # header of the column group (a row above the headers)
    tip: str = ""  # tooltip: the metric's full definition
    sticky: int = 0  # 1, 2: stays in view while the table scrolls sideways
    sorted: str = ""  # "ascending" / "descending": the order the rows are rendered in (aria-sort)
    described_by: str = ""  # id of the element holding the definition (read out with the header)


def sortable(value: object) -> str:
    """The ``data-v`` text of a value: whole floats without their ".0" (shorter pages, same order)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return e(value)


def text_columns(*titles: str) -> list[Column]:
    return [Column(t, numeric=False) for t in titles]


def unknown_html(reason: str = "") -> str:
    hint = f' title="{e(reason)}"' if reason else ""
    return f'<span class="unknown"{hint}>{UNKNOWN}</span>'


def cell(
    value: object, display: str | None = None, text: bool = False, title: str = "", css: str = ""
) -> str:
    """A ``<td>``; ``data-v`` carries the sortable value when the display differs from it."""
    shown = e(value) if display is None else display
    sort = "" if display is None or value is None else f' data-v="{sortable(value)}"'
    if value is None and display is not None:
        sort = ' data-v=""'
    hint = f' title="{e(title)}"' if title else ""
    classes = " ".join(c for c in ("text" if text else "", css) if c)
    klass = f' class="{classes}"' if classes else ""
    return f"<td{klass}{sort}{hint}>{shown}</td>"


def value_cell(value: float | None, kind: str, unknown_reason: str = "", css: str = "") -> str:
    """A metric value formatted by kind; an unknown value says so (and sorts last), with
    ``unknown_reason`` as its tooltip. A known value carries no such tooltip."""
    if is_unknown(value):
        return cell(None, unknown_html(unknown_reason), css=css)
    return cell(value, e(format_value(value, kind)), css=css)


def score_cell(value: float | None, css: str = "") -> str:
    if is_unknown(value):
        return cell(None, unknown_html(), css=css)
    return cell(value, format_score(value), css=css)


def rank_text(
    rank: int | None,
    low: int | None = None,
    high: int | None = None,
    best: int | None = None,
    worst: int | None = None,
    *,
    intervals: bool = False,
) -> str:
    """The rank, with its interval below it when the profile computes one (the leave-one-metric-out
    range, when there is one, in the tooltip). ``intervals``: the profile computes them, so a rank
    without one was not resampled (nothing behind its values can be: hand inputs), which it says."""
    if rank is None:
        return "–"
    if low is None or high is None:
        if not intervals:
            return str(rank)
        hint = "not resampled: no item behind these values can be resampled (hand inputs), so no interval"
        if best is not None and worst is not None:
            hint += f"; leaving one metric out: {best} to {worst}"
        # two short lines: it must fit the narrow rank column
        return (
            f'{rank}<span class="ci" style="white-space:normal" title="{e(hint)}">not re&shy;sampled</span>'
        )

    hint = f"95 % of resamples rank it {low} to {high}" if low != high else f"every resample ranks it {low}"
    if best is not None and worst is not None:
        hint += f"; leaving one metric out: {best} to {worst}"
    shown = f"{low}–{high}" if low != high else "±0"
    return f'{rank}<span class="ci" title="{e(hint)}">{shown}</span>'


def rank_cell(rank: int | None, *interval: int | None, css: str = "", intervals: bool = False) -> str:
    return cell(rank, rank_text(rank, *interval, intervals=intervals), css=css)


def delta(value: int | None, has_previous: bool, css: str = "") -> str:
    if value is None:
        return cell(None, '<span class="new">new</span>' if has_previous else "–", css=css)
    if value > 0:
        return cell(value, f'<span class="up" title="up {value}">▲{value}</span>', css=css)
    if value < 0:
        return cell(value, f'<span class="down" title="down {-value}">▼{-value}</span>', css=css)
    return cell(0, "0", css=css)


def _header(c: Column, sortable: bool) -> str:
    """A column header. In a sortable table its text is a button (what the keyboard reaches and a
    screen reader announces as a control), and ``aria-sort`` says the order the rows are in from the
    start; the definition is read out with it (``aria-describedby``) and shown on hover (``title``)."""
    classes = " ".join(
        x for x in ("" if c.numeric else "text", f"sticky-{c.sticky}" if c.sticky else "") if x
    )
    attrs = f' class="{classes}"' if classes else ""
    attrs += f' data-type="{"num" if c.numeric else "text"}"'
    attrs += " data-asc" if c.ascending else ""
    attrs += f' data-key="{e(c.key)}"' if c.key else ""
    attrs += f' data-g="{e(c.group)}"' if c.group else ""
    attrs += f' aria-sort="{c.sorted}"' if c.sorted and sortable else ""
    note = f'<span class="cat">{e(c.note)}</span>' if c.note else ""
    hint = f' title="{e(c.tip)}"' if c.tip else ""
    hint += f' aria-describedby="{e(c.described_by)}"' if c.described_by else ""
    if sortable:
        return f'<th scope="col"{attrs}><button type="button" class="sort"{hint}>{e(c.title)}{note}</button></th>'
    return f'<th scope="col"{attrs}{hint}>{e(c.title)}{note}</th>'


def _group_row(columns: Sequence[Column]) -> str:
    """One header cell per run of columns with the same group label (empty over ungrouped columns)."""
    cells: list[str] = []
    i = 0
    while i < len(columns):
        j = i
        while j + 1 < len(columns) and columns[j + 1].group_label == columns[i].group_label:
            j += 1
        span = j - i + 1
        label = columns[i].group_label
        colspan = f' colspan="{span}"' if span > 1 else ""
        group = f' data-g="{e(columns[i].group)}"' if label and columns[i].group else ""
        css = "group" if label else "group empty"
        cells.append(f'<th scope="colgroup" class="{css}"{colspan}{group}>{e(label)}</th>')
        i = j + 1
    return f'<tr class="groups">{"".join(cells)}</tr>'


Row = str | tuple[str, str]  # the cells, or (attributes of the <tr>, the cells)


def grouped_rows(width: int, groups: Iterable[tuple[str, list[Row]]]) -> list[Row]:
    """Rows under a full-width header row per group (a category), for tables read top to bottom."""
    out: list[Row] = []
    for label, rows in groups:
        if label:
            out.append(
                (' class="group-row"', f'<th colspan="{width}" scope="rowgroup" class="text">{e(label)}</th>')
            )
        out += rows
    return out


def table(
    columns: Sequence[Column],
    rows: Iterable[Row],
    css: str = "sortable",
    caption: str = "",
    attrs: str = "",
    label: str = "",
) -> str:
    """A table in a box that scrolls sideways when the table is wider than the screen. The box is a
    named region the keyboard can focus (``label``, else the table's own name), so it can be scrolled
    without a mouse (WCAG 2.1.1; axe ``scrollable-region-focusable``); site.js takes it out of the tab
    order again where the table fits."""
    sortable = "sortable" in css.split()
    head = "".join(_header(c, sortable) for c in columns)
    groups = _group_row(columns) if any(c.group_label for c in columns) else ""
    cap = f'<p class="caption">{caption}</p>' if caption else ""
    body = "".join(f"<tr{r[0]}>{r[1]}</tr>" if isinstance(r, tuple) else f"<tr>{r}</tr>" for r in rows)
    name = label or "table: " + ", ".join(c.title for c in columns[:3])
    return (
        f'{cap}<div class="table-wrap" role="region" aria-label="{e(name)}" tabindex="0">'
        f'<table class="{css}"{attrs}><thead>{groups}<tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


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


def toggle(name: str, options: Sequence[tuple[str, str]], label: str) -> str:
    """Buttons that set the page state ``name`` (kept in the URL fragment); the first is the default."""
    if len(options) < 2:
        return ""
    buttons = "".join(
        f'<button type="button" data-state="{e(name)}" data-value="{e(value)}" '
        f'aria-pressed="{"true" if i == 0 else "false"}">{e(text)}</button>'
        for i, (value, text) in enumerate(options)
    )
    return f'<div class="toggle js-only" role="group" aria-label="{e(label)}">{buttons}</div>'


def variant_toggle(variants: Sequence[str]) -> str:
    return toggle("v", [(v, v.title()) for v in variants], "variant")


def filters(groups: Sequence[tuple[str, str]], group_label: str, movers: bool) -> str:
    """Search, a column-group filter, a rank range and movers, applied by site.js to every ranking table
    of the page; the choice travels in the URL fragment (``#q=baai&g=model&from=1&to=10&move=up``)."""
    group_select = ""
    if groups:
        options = '<option value="">All</option>' + "".join(
            f'<option value="{e(key)}">{e(text)}</option>' for key, text in groups
        )
        group_select = f'<label>{e(group_label)} <select data-filter="g">{options}</select></label>'
    mover_select = (
        '<label>Movers <select data-filter="move"><option value="">All</option>'
        '<option value="up">Moved up</option><option value="down">Moved down</option>'
        '<option value="new">New this month</option></select></label>'
        if movers
        else ""
    )
    return (
        '<div class="filters js-only" role="search">'
        '<label>Search <input type="search" data-filter="q" placeholder="Organisation" '
        'aria-label="search organisations"></label>'
        f"{group_select}"
        '<label>Rank <input type="number" min="1" data-filter="from" aria-label="rank from" class="num"> '
        'to <input type="number" min="1" data-filter="to" aria-label="rank to" class="num"></label>'
        f"{mover_select}"
        '<output class="shown" aria-live="polite"></output>'
        "</div>"
    )


def downloads(links: Sequence[tuple[str, str]], label: str = "Download") -> str:
    if not links:
        return ""
    items = " · ".join(f'<a href="{e(href)}">{e(text)}</a>' for text, href in links)
    return f'<p class="downloads">{e(label)}: {items}</p>'


NAV = (
    ("overall", "overall-{month}.html", "Overall"),
    ("data", "data-{month}.html", "Data"),
    ("model", "model-{month}.html", "Model"),
    ("system", "system-{month}.html", "System"),
    ("benchmark", "benchmark-{month}.html", "Benchmark"),
    ("compare", "compare-{month}.html", "Compare"),
    ("method", "method.html", "Method"),
    ("quality", "quality-{month}.html", "Data quality"),
    ("open-data", "open-data-{month}.html", "Open data"),
    ("candidates", "candidates-{month}.html", "Candidates"),
)


@dataclass(frozen=True)
class Frame:
    """What every page shows around its body: where the numbers come from and when they were built."""

    source: str
    profile: str
    generated: str
    # asset file -> a hash of its content, appended to its address (``site.css?v=…``): a build that
    # changes a file links a new address, so hosts may let browsers keep assets for a year.
    versions: Mapping[str, str] = field(default_factory=dict)

    def asset(self, name: str, up: str) -> str:
        version = self.versions.get(name)
        return f"{up}assets/{name}" + (f"?v={version}" if version else "")


SITE_NAME = "Open-source influence leaderboard"

# Runs before the first paint, so nothing moves when site.js (deferred) starts: the page is styled for
# script from the start (``.js-only`` controls shown) and a variant chosen in the address (``#v=…``, or
# the older ``#accumulated``) is the one shown.
BOOT = (
    "<script>(function(d,m){d.classList.add('js');"
    "if(m=/(?:^#|&)v=([a-z]+)|^#(accumulated)$/.exec(location.hash))d.setAttribute('data-v',m[1]||m[2])"
    "})(document.documentElement)</script>"
)


def head(title: str, description: str, up: str, frame: Frame) -> str:
    """The document head: title, a description for search results (a generic one from the title when
    the page gives none), the icon, the stylesheet and the script (deferred: it never blocks the first
    paint)."""
    description = description or f"{title}: {SITE_NAME} of large-model technology."
    meta = f'<meta name="description" content="{e(description)}">'
    return (
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · {SITE_NAME}</title>{meta}"
        f'<link rel="icon" href="{e(frame.asset("favicon.svg", up))}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{e(frame.asset("site.css", up))}">'
        f'<script defer src="{e(frame.asset("site.js", up))}"></script>{BOOT}</head>'
    )


def skip_link() -> str:
    """The first thing the keyboard reaches: past the site navigation to the page's own content."""
    return '<a class="skip" href="#main">Skip to content</a>'


def page(
    title: str, body: str, *, depth: int, month: str, current: str, frame: Frame, description: str = ""
) -> str:
    """A whole document. ``depth`` is how many folders below the site root the page lives;
    ``description`` (what the page ranks and for which month) is what search engines show."""
    up = "../" * depth
    here = ' class="current" aria-current="page"'
    nav = "".join(
        f'<a href="{e(up + href.format(month=month))}"{here if key == current else ""}>{e(label)}</a>'
        for key, href, label in NAV
    )
    badge = (
        f'<span class="provenance">source <strong>{e(frame.source)}</strong> · profile '
        f'<a href="{up}method.html"><strong>{e(frame.profile)}</strong></a></span>'
    )
    return (
        "<!doctype html>\n"
        f'<html lang="en">{head(title, description, up, frame)}<body>{skip_link()}'
        f'<header class="site"><a class="brand" href="{up}index.html">{SITE_NAME}</a>'
        f'<nav aria-label="pages">{nav}</nav>{badge}</header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        f"<footer>Generated {e(frame.generated)} from the warehouse's stored tables: source "
        f"{e(frame.source)}, profile {e(frame.profile)}. "
        f'<span class="nav"><a href="{up}method.html">How the scores are computed</a> · '
        f'<a href="{up}api/v1/index.json">JSON API</a></span></footer></body></html>\n'
    )
