"""Inline SVG charts: plain shapes and text, no script, so they render from disk and in print.

Colours come from CSS classes (``site.css``), and every series also differs by dash pattern and marker,
so a black-and-white print stays readable.

Charts scale down with the screen but never up, so their text (12 px in ``site.css``) is only as
readable as the narrowest screen they must fit: every chart is at most ``WIDTH`` units wide, what a
360 px phone has beside the page margins, so its text stays at 12 px there (WCAG 1.4.4 / 1.4.10).
"""

from __future__ import annotations

from html import escape

# One dash pattern per series, in the order of DIMENSIONS after the overall line.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 4")
MARKERS = ("circle", "square", "diamond", "triangle", "cross")


# The widest chart: a 360 px screen minus the page margins (2 x 0.7 rem) at which text is not scaled.
WIDTH = 336
CHAR = 7.0  # the average width of a 12 px character, to lay out legends and fit labels


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fit(label: str, room: float) -> str:
    """A label cut to the room it has (the full text stays in the chart's titles and data lists)."""
    most = max(4, int(room / CHAR))
    return label if len(label) <= most else label[: most - 1] + "…"


def bar_chart(
    bars: list[tuple[str, float | None]], title: str, width: int = WIDTH, bar_height: int = 22
) -> str:
    """Horizontal bars of scores in [0, 1], one per label; a missing value is drawn as "n/a"."""
    label_width, pad, value_width = 84, 6, 50
    plot = width - label_width - value_width
    height = pad * 2 + len(bars) * (bar_height + pad)
    parts = [
        f'<svg class="chart bar-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{label_width}" y1="{pad}" x2="{label_width}" y2="{height - pad}"/>',
    ]
    for i, (label, value) in enumerate(bars):
        y = pad + i * (bar_height + pad)
        middle = y + bar_height / 2
        parts.append(
            f'<text class="label" x="{label_width - 6}" y="{_fmt(middle)}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(_fit(label, label_width - 6))}</text>'
        )
        if value is None:
            parts.append(
                f'<text class="value" x="{label_width + 6}" y="{_fmt(middle)}" dominant-baseline="middle">n/a</text>'
            )
            continue
        length = max(0.0, min(1.0, value)) * plot
        parts.append(
            f'<rect class="bar bar-{i}" x="{label_width}" y="{y}" width="{_fmt(length)}" height="{bar_height}">'
            f"<title>{escape(label)}: {value:.4f}</title></rect>"
        )
        parts.append(
            f'<text class="value" x="{_fmt(label_width + length + 6)}" y="{_fmt(middle)}" '
            f'dominant-baseline="middle">{value:.3f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _marker(kind: str, x: float, y: float, css: str, scale: float = 1.0, title: str = "") -> str:
    r, h = 3.5 * scale, 4.5 * scale
    if kind == "square":
        tag, attrs = (
            "rect",
            f'x="{_fmt(x - r)}" y="{_fmt(y - r)}" width="{_fmt(2 * r)}" height="{_fmt(2 * r)}"',
        )
    elif kind == "diamond":
        tag, attrs = (
            "path",
            f'd="M{_fmt(x)} {_fmt(y - h)}l{_fmt(h)} {_fmt(h)}l{_fmt(-h)} {_fmt(h)}l{_fmt(-h)} {_fmt(-h)}z"',
        )
    elif kind == "triangle":
        tag, attrs = "path", f'd="M{_fmt(x)} {_fmt(y - h)}l{_fmt(h)} {_fmt(2 * h * 0.9)}l{_fmt(-2 * h)} 0z"'
    elif kind == "cross":
        tag, css = "path", f"{css} cross"
        attrs = f'd="M{_fmt(x - r)} {_fmt(y - r)}l{_fmt(2 * r)} {_fmt(2 * r)}m0 {_fmt(-2 * r)}l{_fmt(-2 * r)} {_fmt(2 * r)}"'
    else:
        tag, attrs = "circle", f'cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(r)}"'
    if title:
        return f'<{tag} class="{css}" {attrs}><title>{escape(title)}</title></{tag}>'
    return f'<{tag} class="{css}" {attrs}/>'


def rank_ticks(worst: int, intervals: int = 6) -> tuple[int, int]:
    """(step, bottom rank) of a rank axis: labels at 1, 1 + step, ... evenly spaced, at most
    ``intervals`` gaps, the smallest step that reaches ``worst``; the axis runs to the last label (at or
    just below the worst rank), so no label crowds the one before it (not 9 and 10)."""
    span = max(worst, 2) - 1
    step = -(-span // intervals)  # ceil
    return step, 1 + -(-span // step) * step


def _legend(names: list[str], top: float, width: int) -> tuple[list[tuple[float, float]], float]:
    """Where each legend entry goes in rows under the plot (a line sample, then the name), and the
    height the rows take."""
    places, x, y, row = [], 8.0, top, 18
    for name in names:
        need = 30 + len(name) * CHAR + 14
        if x > 8 and x + need > width:
            x, y = 8.0, y + row
        places.append((x, y))
        x += need
    return places, (y - top + row) if names else 0


def rank_chart(
    months: list[str],
    series: dict[str, list[int | None]],
    title: str,
    width: int = WIDTH,
    plot_height: int = 180,
    current: str | None = None,
) -> str:
    """Rank per month, one line per series; rank 1 at the top. A missing rank breaks the line.

    Lines that share a rank would hide each other: earlier series are drawn wider and with larger
    markers underneath later ones, so coinciding lines show as nested bands (plus dash and marker
    shape). ``current`` marks one month with a vertical rule. The legend sits under the plot, so the
    plot keeps the chart's whole width on a phone.
    """
    left, right, top, bottom, inset = 30, 26, 14, 26, 12  # right: half a month label
    plot_w, plot_h = width - left - right - inset, plot_height
    ranks = [r for values in series.values() for r in values if r is not None]
    step, bottom_rank = rank_ticks(max(ranks, default=1))
    count = len(series)
    places, legend_h = _legend(list(series), top + plot_h + bottom + 8, width)
    height = int(top + plot_h + bottom + legend_h + 4)

    def x_of(i: int) -> float:
        # ``inset`` keeps the first month's markers clear of the rank labels on the axis.
        return left + inset + (plot_w / 2 if len(months) == 1 else i * plot_w / (len(months) - 1))

    def y_of(rank: int) -> float:
        return top + (rank - 1) * plot_h / (bottom_rank - 1)

    parts = [
        f'<svg class="chart rank-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for rank in range(1, bottom_rank + 1, step):
        y = y_of(rank)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{_fmt(y)}" x2="{left + inset + plot_w}" y2="{_fmt(y)}"/>'
        )
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{_fmt(y)}" text-anchor="end" dominant-baseline="middle">'
            f"{rank}</text>"
        )
    if current in months:
        # A pale band behind the month, not a line: a line would read as one more series.
        x = _fmt(x_of(months.index(current)) - 9)
        parts.append(f'<rect class="current" x="{x}" y="{top - 8}" width="18" height="{plot_h + 16}"/>')
    # Month labels (about 7 characters) at least 60 units apart, the last month always labelled.
    spacing = plot_w / max(1, len(months) - 1)
    every = max(1, -(-60 // max(1, int(spacing))))
    for i, month in enumerate(months):
        last = i == len(months) - 1
        if (i % every == 0 and (last or len(months) - 1 - i >= every)) or last:
            parts.append(
                f'<text class="tick" x="{_fmt(x_of(i))}" y="{top + plot_h + bottom - 6}" text-anchor="middle">'
                f"{escape(month)}</text>"
            )
    for s, (name, values) in enumerate(series.items()):
        css = f"series series-{s}"
        dash = DASHES[s % len(DASHES)]
        layer = count - 1 - s  # 0 for the last series drawn, on top
        stroke = f' stroke-width="{_fmt(1.5 + 1.3 * layer)}"'
        scale = 1 + 0.3 * layer
        segments, current_run = [], []
        for i, rank in enumerate(values):
            if rank is None:
                if current_run:
                    segments.append(current_run)
                current_run = []
            else:
                current_run.append((x_of(i), y_of(rank)))
        if current_run:
            segments.append(current_run)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in segments:
            points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in segment)
            parts.append(f'<polyline class="{css}" fill="none" points="{points}"{dash_attr}{stroke}/>')
        shape = MARKERS[s % len(MARKERS)]
        for i, rank in enumerate(values):
            if rank is not None:
                hint = f"{name}, {months[i]}: rank {rank}"
                parts.append(_marker(shape, x_of(i), y_of(rank), f"{css} marker", scale, hint))
        legend_x, legend_y = places[s]
        parts.append(
            f'<line class="{css}" x1="{_fmt(legend_x)}" y1="{_fmt(legend_y)}" x2="{_fmt(legend_x + 24)}" '
            f'y2="{_fmt(legend_y)}"{dash_attr}/>'
        )
        parts.append(_marker(shape, legend_x + 12, legend_y, f"{css} marker"))
        parts.append(
            f'<text class="label" x="{_fmt(legend_x + 30)}" y="{_fmt(legend_y)}" '
            f'dominant-baseline="middle">{escape(name)}</text>'
        )
    if not ranks:
        parts.append(
            f'<text class="label" x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle">'
            "no ranks yet</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def movers_chart(moves: list[tuple[str, int]], title: str, width: int = WIDTH, bar_height: int = 18) -> str:
    """Diverging bars of rank changes: up to the right (green), down to the left (red)."""
    label_width, pad = 104, 5
    plot = width - label_width - 12
    middle = label_width + plot / 2
    biggest = max((abs(d) for _, d in moves), default=1) or 1
    height = pad * 2 + max(1, len(moves)) * (bar_height + pad) + 14
    parts = [
        f'<svg class="chart movers-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{_fmt(middle)}" y1="{pad}" x2="{_fmt(middle)}" y2="{height - 14}"/>',
        f'<text class="tick" x="{_fmt(middle - 6)}" y="{height - 3}" text-anchor="end">▼ down</text>',
        f'<text class="tick" x="{_fmt(middle + 6)}" y="{height - 3}">up ▲</text>',
    ]
    if not moves:
        parts.append(
            f'<text class="label" x="{_fmt(middle)}" y="{pad + bar_height / 2}" text-anchor="middle" '
            'dominant-baseline="middle">no rank changes</text></svg>'
        )
        return "".join(parts)
    half = plot / 2 - 26  # room for the value label at the end of the longest bar
    for i, (org, change) in enumerate(moves):
        y = pad + i * (bar_height + pad)
        centre = y + bar_height / 2
        length = abs(change) / biggest * half
        x = middle if change > 0 else middle - length
        css = "up" if change > 0 else "down"
        word = f"up {change}" if change > 0 else f"down {-change}"
        parts.append(
            f'<text class="label" x="{label_width - 6}" y="{_fmt(centre)}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(_fit(org, label_width - 6))}</text>'
        )
        parts.append(
            f'<rect class="move {css}" x="{_fmt(x)}" y="{y}" width="{_fmt(max(length, 1))}" height="{bar_height}">'
            f"<title>{escape(org)}: {word}</title></rect>"
        )
        value_x = middle + length + 4 if change > 0 else middle - length - 4
        anchor = "start" if change > 0 else "end"
        parts.append(
            f'<text class="value" x="{_fmt(value_x)}" y="{_fmt(centre)}" text-anchor="{anchor}" '
            f'dominant-baseline="middle">{"▲" if change > 0 else "▼"}{abs(change)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def distribution_chart(
    scores: list[tuple[str, float]], title: str, width: int = WIDTH, bins: int = 40
) -> str:
    """Every organisation's score as a dot on [0, 1], dots of similar scores stacked (a dot histogram)."""
    left, right, top, bottom = 12, 12, 8, 22
    plot = width - left - right
    stacks: dict[int, int] = {}
    placed = []
    for org, score in sorted(scores, key=lambda p: p[1]):
        b = min(bins - 1, max(0, int(score * bins)))
        level = stacks.get(b, 0)
        stacks[b] = level + 1
        placed.append((org, score, b, level))
    tallest = max(stacks.values(), default=1)
    radius = min(4.0, plot / bins / 2)
    spacing = min(2 * radius + 1, 120 / tallest)  # tall stacks squeeze rather than grow the chart
    height = int(top + bottom + tallest * spacing + radius)
    base = height - bottom
    parts = [
        f'<svg class="chart distribution-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{left}" y1="{base}" x2="{left + plot}" y2="{base}"/>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = left + tick * plot
        anchor = "start" if tick == 0 else "end" if tick == 1 else "middle"
        parts.append(
            f'<text class="tick" x="{_fmt(x)}" y="{base + 15}" text-anchor="{anchor}">{tick:g}</text>'
        )
    for org, score, b, level in placed:
        x = left + (b + 0.5) * plot / bins
        y = base - radius - level * spacing
        parts.append(
            f'<circle class="dot" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(radius)}">'
            f"<title>{escape(org)}: {score:.4f}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
