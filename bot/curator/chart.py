"""A small inline SVG chart, drawn on the server: messages and fallbacks per day as bars, the
rate at which the bot asked back (clarifications) as a line. No script, no library."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from knowledge import format as fmt

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 28, 30, 10, 28
MAX_DAYS = 30


def _day_label(day: str) -> str:
    return f"{int(day[8:10])}/{int(day[5:7])}"


def usage_chart(per_day: list[dict[str, Any]]) -> str:
    days = per_day[-MAX_DAYS:]
    if not days:
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max(1, *(d["messages"] for d in days))
    slot = plot_w / len(days)
    bar = min(14.0, max(1.0, slot * 0.38))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-label="Grafik pesan, tidak dipahami dan tanya balik per hari">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" class="tick" text-anchor="end">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" class="tick" text-anchor="end">0</text>',
        f'<text x="{LEFT + plot_w + 4}" y="{TOP + 8}" class="tick">100%</text>',
    ]
    points = []
    for n, day in enumerate(days):
        x = LEFT + n * slot + (slot - 2 * bar) / 2
        for offset, value, cls in ((0.0, day["messages"], "bar-messages"),
                                   (bar, day["fallbacks"], "bar-fallbacks")):  # fmt: skip
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" class="{cls}"><title>{escape(day["day"])}: {value}</title></rect>'
            )
        rate = float(day["clarification_rate"])
        points.append(f"{LEFT + n * slot + slot / 2:.1f},{TOP + plot_h * (1 - rate):.1f}")
        if len(days) <= 10 or n % max(1, len(days) // 6) == 0:
            parts.append(
                f'<text x="{LEFT + n * slot + slot / 2:.1f}" y="{HEIGHT - 12}" class="tick" '
                f'text-anchor="middle">{_day_label(day["day"])}</text>'
            )
    parts.append(f'<polyline points="{" ".join(points)}" class="line-clarify"/>')
    for point in points:
        cx, cy = point.split(",")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" class="dot-clarify"/>')
    parts.append("</svg>")
    legend = (
        '<p class="legend"><span class="key key-messages"></span>pesan '
        '<span class="key key-fallbacks"></span>tidak dipahami '
        '<span class="key key-clarify"></span>tanya balik (% per hari)</p>'
    )
    return "".join(parts) + legend


def rate(value: float) -> str:
    """0.1234 as 12,3% in house style."""
    return fmt.percent(Decimal(str(round(value * 100, 1))))
