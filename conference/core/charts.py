"""Tiny server-rendered SVG charts, for the dashboard page and the funder PDF alike.

Accessible by construction: ``role="img"`` with ``<title>``/``<desc>`` referenced by
``aria-labelledby``; the page shows the numbers in a table beside each chart anyway. Colours
are classes plus ``fill`` attributes (no ``style=``: the CSP forbids it, and WeasyPrint reads
presentation attributes), so the SVG looks the same on screen and on paper.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)


BAR_COLOUR = "#1f5f8b"
ALT_COLOUR = "#b5651d"
TEXT_COLOUR = "#222222"


def _text(value: str) -> str:
    """Escaped text as a plain str (a Markup would escape the literal markup it is added to)."""
    return str(escape(value))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shorten(label: str, length: int = 22) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def bar_chart(
    title: str,
    items: Sequence[tuple[str, float]],
    *,
    second: Sequence[float] | None = None,
    legend: tuple[str, str] | None = None,
    width: int = 440,
) -> Markup:
    """Horizontal bars, one row per ``(label, value)``; ``second`` draws a thinner bar below
    each (e.g. "checked in" under "registered"), ``legend`` names both series."""
    uid = next(_ids)
    # A narrow drawing scaled to its column: its 12-unit text stays readable on a phone
    # (390 px: about 10 px) and is not huge in a desktop column.
    row_height = 30 if second is None else 40
    label_width = 170
    top = 10 if legend is None else 30
    height = top + max(len(items), 1) * row_height + 10
    plot = width - label_width - 45
    largest = max([v for _l, v in items] + list(second or []) + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="chart-{uid}-title chart-{uid}-desc">',
        f'<title id="chart-{uid}-title">{escape(title)}</title>',
        f'<desc id="chart-{uid}-desc">'
        + _text("; ".join(f"{label}: {_number(value)}" for label, value in items))
        + "</desc>",
    ]
    if legend is not None:
        parts.append(
            f'<rect x="4" y="6" width="12" height="12" fill="{BAR_COLOUR}"/>'
            f'<text x="20" y="16" fill="{TEXT_COLOUR}" font-size="12">'
            f"{escape(legend[0])}</text>"
            f'<rect x="{width // 2}" y="6" width="12" height="12" fill="{ALT_COLOUR}"/>'
            f'<text x="{width // 2 + 16}" y="16" fill="{TEXT_COLOUR}" font-size="12">'
            f"{escape(legend[1])}</text>"
        )
    for index, (label, value) in enumerate(items):
        y = top + index * row_height
        bar = 0 if value <= 0 else max(1.0, plot * value / largest)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="{TEXT_COLOUR}" '
            f'font-size="13">{escape(_shorten(str(label)))}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{_number(bar)}" '
            f'height="16" fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + bar + 4:.1f}" y="{y + 15}" fill="{TEXT_COLOUR}" '
            f'font-size="13">{_number(value)}</text>'
        )
        if second is not None:
            other = second[index]
            bar2 = 0 if other <= 0 else max(1.0, plot * other / largest)
            parts.append(
                f'<rect class="bar-alt" x="{label_width}" y="{y + 21}" width="{_number(bar2)}" '
                f'height="10" fill="{ALT_COLOUR}"/>'
                f'<text x="{label_width + bar2 + 4:.1f}" y="{y + 31}" fill="{TEXT_COLOUR}" '
                f'font-size="11">{_number(other)}</text>'
            )
    if not items:
        parts.append(
            f'<text x="{label_width}" y="{top + 15}" fill="{TEXT_COLOUR}" font-size="12">–</text>'
        )
    parts.append(
        f'<line class="axis" x1="{label_width}" y1="{top}" x2="{label_width}" '
        f'y2="{height - 10}" stroke="#555555"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every user text above went through escape()


def line_chart(
    title: str, points: Sequence[tuple[str, float]], *, width: int = 440, height: int = 200
) -> Markup:
    """A line over time (``points`` in order), with the first and last label on the x axis."""
    uid = next(_ids)
    left, right, top, bottom = 40, 16, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    largest = max([v for _l, v in points] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="chart-{uid}-title chart-{uid}-desc">',
        f'<title id="chart-{uid}-title">{escape(title)}</title>',
        f'<desc id="chart-{uid}-desc">'
        + _text("; ".join(f"{label}: {_number(value)}" for label, value in points))
        + "</desc>",
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}" stroke="#555555"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
        f'stroke="#555555"/>',
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" fill="{TEXT_COLOUR}" '
        f'font-size="11">{_number(largest)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="{TEXT_COLOUR}" '
        f'font-size="11">0</text>',
    ]
    if points:
        step = plot_w / max(len(points) - 1, 1)
        coords = [
            (left + i * step, top + plot_h - plot_h * value / largest)
            for i, (_label, value) in enumerate(points)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(
            f'<polyline class="line" points="{path}" fill="none" stroke="{BAR_COLOUR}" '
            f'stroke-width="2"/>'
        )
        for x, y in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BAR_COLOUR}"/>')
        parts.append(
            f'<text x="{left}" y="{height - 10}" fill="{TEXT_COLOUR}" font-size="11">'
            f"{escape(points[0][0])}</text>"
        )
        if len(points) > 1:
            parts.append(
                f'<text x="{left + plot_w}" y="{height - 10}" text-anchor="end" '
                f'fill="{TEXT_COLOUR}" font-size="11">{escape(points[-1][0])}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every user text above went through escape()


@dataclass(frozen=True)
class Chart:
    """What a chart shows, without drawing it: services return this, ``draw`` (the templates'
    ``chart`` filter) makes the SVG. ``kind`` is "bar" (``items``: label, value; optionally a
    ``second`` series with its ``legend``) or "line" (``items``: label, value points)."""

    kind: str
    title: str
    items: Sequence[tuple[str, float]]
    second: Sequence[float] | None = None
    legend: tuple[str, str] | None = None


def draw(chart: Chart | None) -> Markup:
    """The SVG of a chart; nothing for None."""
    if chart is None:
        return Markup("")
    if chart.kind == "line":
        return line_chart(chart.title, chart.items)
    return bar_chart(chart.title, chart.items, second=chart.second, legend=chart.legend)
