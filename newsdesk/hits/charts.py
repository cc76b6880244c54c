"""Server-rendered SVG charts: no JavaScript, no CDN, readable without styles.

Each chart carries ``data-points`` (the number of buckets on its axis) and
``data-drawn`` (the buckets its lines reach) so tests and scripts can check
them, and every point has a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
MAX_X_LABELS = 12
COLOURS = ("#1f5fa8", "#d9822b", "#3a8a4f")


@dataclass(frozen=True)
class Line:
    """One named series of values, one per bucket from the first; it may end early."""

    name: str
    values: Sequence[int]


def nice_ceiling(value: float) -> int:
    """Round up to 1, 2 or 5 times a power of ten so axis ticks read well."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power) if step * power >= 1 else 1
    return int(10 * power)


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float, top: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _tick(value: float) -> str:
    """Format an axis value: whole numbers plainly, quarter steps of small tops with a decimal."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _y_axis(top: int) -> list[str]:
    parts = []
    for tick in range(5):
        value = top * tick / 4
        y = _y(value, top)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{_tick(value)}</text>"
        )
    return parts


def _x_axis(labels: Sequence[str]) -> list[str]:
    count = len(labels)
    every = max(1, math.ceil(count / MAX_X_LABELS))
    base = HEIGHT - BOTTOM
    parts = [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="#666"/>',
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}" stroke="#666"/>',
    ]
    for index in range(0, count, every):
        x = _x(index, count)
        parts.append(
            f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" font-size="11">'
            f"{escape(labels[index])}</text>"
        )
    return parts


def _line(line: Line, labels: Sequence[str], top: int, colour: str) -> list[str]:
    count = len(labels)
    coords = [(_x(i, count), _y(v, top)) for i, v in enumerate(line.values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [
        f'<polyline class="chart-line" fill="none" stroke="{colour}" stroke-width="2" '
        f'points="{path}"/>'
    ]
    for (x, y), label, value in zip(coords, labels, line.values, strict=False):
        tooltip = escape(f"{label}: {value:,} {line.name}")
        parts.append(
            f'<circle class="chart-point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
            f"<title>{tooltip}</title></circle>"
        )
    return parts


def _legend(lines: Sequence[Line]) -> list[str]:
    parts = []
    for index, line in enumerate(lines):
        x = LEFT + 10 + index * 140
        colour = COLOURS[index % len(COLOURS)]
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11">{escape(line.name)}</text>'
        )
    return parts


def line_chart(labels: Sequence[str], lines: Sequence[Line], title: str) -> SafeString:
    """Draw lines over shared bucket labels as an SVG element.

    A line shorter than the labels stops at its last value: the buckets after it
    (hours still to come) keep their place on the axis and get no point.
    """
    if any(len(line.values) > len(labels) for line in lines):
        raise ValueError("a line has more values than there are labels")
    top = nice_ceiling(max((max(line.values, default=0) for line in lines), default=0))
    parts = [*_y_axis(top), *_x_axis(labels)]
    for index, line in enumerate(lines):
        parts.extend(_line(line, labels, top, COLOURS[index % len(COLOURS)]))
    parts.extend(_legend(lines))
    head = format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="100%" role="img" aria-label="{}" data-points="{}" data-drawn="{}" '
        'font-family="sans-serif"><title>{}</title>',
        WIDTH,
        HEIGHT,
        title,
        len(labels),
        max((len(line.values) for line in lines), default=0),
        title,
    )
    # Every dynamic text above went through escape(); numbers are formatted by us.
    return mark_safe(head + "".join(parts) + "</svg>")


def bar_chart(rows: Sequence[tuple[str, int]], title: str) -> SafeString:
    """Draw horizontal bars, one per (label, value) row, as an SVG element."""
    row_height, label_width, width = 22, 150, 420
    height = max(row_height, row_height * len(rows))
    top = max((value for _, value in rows), default=0) or 1
    parts = []
    for index, (label, value) in enumerate(rows):
        y = index * row_height
        bar = (width - label_width - 70) * value / top
        parts.append(
            f'<g class="chart-bar"><title>{escape(label)}: {value:,}</title>'
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(label[:24])}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{bar:.1f}" height="14" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 15}" font-size="12">'
            f"{value:,}</text></g>"
        )
    head = format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="100%" role="img" aria-label="{}" data-points="{}" font-family="sans-serif">'
        "<title>{}</title>",
        width,
        height,
        title,
        len(rows),
        title,
    )
    return mark_safe(head + "".join(parts) + "</svg>")
