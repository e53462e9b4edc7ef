"""Inline SVG charts: plain shapes and text, no script, so they render from disk and in print.

Colours come from CSS classes (``site.css``), and every series also differs by dash pattern and marker,
so a black-and-white print stays readable.
"""

from __future__ import annotations

from html import escape

# One dash pattern per series, in the order of DIMENSIONS after the overall line.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 4")
MARKERS = ("circle", "square", "diamond", "triangle", "cross")


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    bars: list[tuple[str, float | None]], title: str, width: int = 420, bar_height: int = 22
) -> str:
    """Horizontal bars of scores in [0, 1], one per label; a missing value is drawn as "n/a"."""
    label_width, pad, value_width = 110, 6, 52
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
            f'dominant-baseline="middle">{escape(label)}</text>'
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


def _marker(kind: str, x: float, y: float, css: str) -> str:
    if kind == "square":
        return f'<rect class="{css}" x="{_fmt(x - 3.5)}" y="{_fmt(y - 3.5)}" width="7" height="7"/>'
    if kind == "diamond":
        return f'<path class="{css}" d="M{_fmt(x)} {_fmt(y - 4.5)}l4.5 4.5l-4.5 4.5l-4.5 -4.5z"/>'
    if kind == "triangle":
        return f'<path class="{css}" d="M{_fmt(x)} {_fmt(y - 4.5)}l4.5 8l-9 0z"/>'
    if kind == "cross":
        return f'<path class="{css} cross" d="M{_fmt(x - 4)} {_fmt(y - 4)}l8 8m0 -8l-8 8"/>'
    return f'<circle class="{css}" cx="{_fmt(x)}" cy="{_fmt(y)}" r="3.5"/>'


def rank_chart(
    months: list[str], series: dict[str, list[int | None]], title: str, width: int = 560, height: int = 240
) -> str:
    """Rank per month, one line per series; rank 1 at the top. A missing rank breaks the line."""
    left, right, top, bottom = 36, 130, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    ranks = [r for values in series.values() for r in values if r is not None]
    worst = max(ranks, default=1)
    worst = max(worst, 2)

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if len(months) == 1 else i * plot_w / (len(months) - 1))

    def y_of(rank: int) -> float:
        return top + (rank - 1) * plot_h / (worst - 1)

    parts = [
        f'<svg class="chart rank-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    step = max(1, (worst - 1) // 6 + 1)
    for rank in sorted({1, *range(1, worst + 1, step), worst}):
        y = y_of(rank)
        parts.append(f'<line class="grid" x1="{left}" y1="{_fmt(y)}" x2="{left + plot_w}" y2="{_fmt(y)}"/>')
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{_fmt(y)}" text-anchor="end" dominant-baseline="middle">'
            f"{rank}</text>"
        )
    every = max(1, len(months) // 8 + (1 if len(months) % 8 else 0))
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            parts.append(
                f'<text class="tick" x="{_fmt(x_of(i))}" y="{height - bottom + 16}" text-anchor="middle">'
                f"{escape(month)}</text>"
            )
    for s, (name, values) in enumerate(series.items()):
        css = f"series series-{s}"
        dash = DASHES[s % len(DASHES)]
        segments, current = [], []
        for i, rank in enumerate(values):
            if rank is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((x_of(i), y_of(rank)))
        if current:
            segments.append(current)
        for segment in segments:
            points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in segment)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline class="{css}" fill="none" points="{points}"{dash_attr}/>')
        for i, rank in enumerate(values):
            if rank is not None:
                parts.append(_marker(MARKERS[s % len(MARKERS)], x_of(i), y_of(rank), f"{css} marker"))
        legend_y = top + 6 + s * 18
        legend_x = left + plot_w + 14
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line class="{css}" x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 24}" y2="{legend_y}"{dash_attr}/>'
        )
        parts.append(_marker(MARKERS[s % len(MARKERS)], legend_x + 12, legend_y, f"{css} marker"))
        parts.append(
            f'<text class="label" x="{legend_x + 30}" y="{legend_y}" dominant-baseline="middle">{escape(name)}</text>'
        )
    if not ranks:
        parts.append(
            f'<text class="label" x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle">'
            "no ranks yet</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
