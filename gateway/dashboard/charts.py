"""Small SVG charts drawn on the server: a line chart of ratios against a target and a stacked bar chart.

They scale with their container (viewBox), take their colours from the page's CSS classes, and need no script.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import ceil, log10

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 12, 26
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
DAY_LABELS = 4  # at most: four dates with their year fit across the chart on a phone


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: Sequence[float]
    css_class: str


def _y(value: float, top: float) -> float:
    return TOP + PLOT_H - (value / top) * PLOT_H if top else TOP + PLOT_H


def _open(title: str, chart_id: str) -> list[str]:
    return [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]


def _axes(
    labels: Sequence[str], ticks: Sequence[tuple[float, str]], top: float, x_of: list[float]
) -> list[str]:
    parts = []
    for value, text in ticks:
        y = _y(value, top)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(text)}</text>'
        )
    step = max(1, ceil(len(labels) / DAY_LABELS))
    for index in range(len(labels) - 1, -1, -step):  # always label the last day
        x, anchor = x_of[index], "middle"
        if x > WIDTH - RIGHT - 24:  # keep the edge labels inside the drawing
            x, anchor = WIDTH - 2, "end"
        elif x < LEFT + 24:
            x, anchor = LEFT, "start"
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{escape(labels[index])}</text>'
        )
    return parts


def line_chart(
    title: str,
    chart_id: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    target: float,
    target_label: str,
    tick_label: Callable[[float], str],
) -> Markup:
    """Ratios (0 to 1) per day, with the target as a dashed line."""
    count = len(labels)
    x_of = [LEFT + (PLOT_W * i / (count - 1) if count > 1 else PLOT_W / 2) for i in range(count)]
    parts = _open(title, chart_id)
    parts += _axes(labels, [(v, tick_label(v)) for v in (0, 0.25, 0.5, 0.75, 1)], 1.0, x_of)
    y = _y(target, 1.0)
    parts.append(
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}">'
        f"<title>{escape(target_label)}</title></line>"
    )
    for line in series:
        points = " ".join(f"{x:.1f},{_y(v, 1.0):.1f}" for x, v in zip(x_of, line.values, strict=True))
        parts.append(
            f'<polyline class="line {line.css_class}" points="{points}"><title>{escape(line.label)}</title></polyline>'
        )
        if count:
            parts.append(
                f'<circle class="dot {line.css_class}" cx="{x_of[-1]:.1f}" cy="{_y(line.values[-1], 1.0):.1f}" r="3.5"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** int(log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return float(factor * power)
    return float(10 * power)


def bar_chart(
    title: str,
    chart_id: str,
    labels: Sequence[str],
    stacks: Sequence[Series],
    *,
    tick_label: Callable[[float], str],
) -> Markup:
    """Stacked bars per day (e.g. service calls and share deliveries)."""
    count = len(labels)
    totals = [sum(s.values[i] for s in stacks) for i in range(count)]
    top = nice_ceiling(max(totals, default=0))
    band = PLOT_W / max(count, 1)
    x_of = [LEFT + band * (i + 0.5) for i in range(count)]
    parts = _open(title, chart_id)
    parts += _axes(labels, [(v, tick_label(v)) for v in (0, top / 2, top)], top, x_of)
    width = max(band * 0.7, 1)
    for index in range(count):
        base = 0.0
        for stack in stacks:
            value = stack.values[index]
            if value <= 0:
                continue
            y_top, y_base = _y(base + value, top), _y(base, top)
            parts.append(
                f'<rect class="bar {stack.css_class}" x="{x_of[index] - width / 2:.1f}" y="{y_top:.1f}" '
                f'width="{width:.1f}" height="{y_base - y_top:.1f}">'
                f"<title>{escape(labels[index])}: {escape(stack.label)} {value:g}</title></rect>"
            )
            base += value
    parts.append("</svg>")
    return Markup("".join(parts))
