"""Tiny inline-SVG charts for the staff report: self-contained (no scripts, fonts or CDNs), print fine."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

OUTCOME_COLOURS = {"answer": "#2e7d32", "clarify": "#f9a825", "no_answer": "#c62828",
                   "out_of_scope": "#6d4c41", "smalltalk": "#90a4ae"}
DEFAULT_COLOUR = "#1565c0"
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def hbar_chart(items: Sequence[tuple[str, float]], *, title: str, unit: str = "", colour: str = DEFAULT_COLOUR,
               colours: dict[str, str] | None = None, width: int = 520) -> str:
    """Horizontal bars, one per (label, value); labels on the left, values at the bar's end."""
    row, label_w, top = 22, 140, 28
    height = top + row * max(len(items), 1) + 8
    biggest = max((v for _, v in items), default=0) or 1
    bar_room = width - label_w - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" {_FONT}><title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" fill="#666">no data</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        bar = max(1.0, bar_room * value / biggest)
        fill = (colours or {}).get(label, colour)
        parts += [f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(_short(label, 22))}</text>',
                  f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row - 6}" fill="{fill}"/>',
                  f'<text x="{label_w + bar + 4:.1f}" y="{y + 14}">{_fmt(value)}{escape(unit)}</text>']
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(days: list[str], series: dict[str, list[int]], *, title: str,
                    colours: dict[str, str] | None = None, width: int = 900, height: int = 260) -> str:
    """One column per day, stacked by series (e.g. outcome), with a legend; for questions per day."""
    colours = colours or OUTCOME_COLOURS
    left, top, bottom = 40, 44, 40
    plot_h = height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    biggest = max(totals, default=0) or 1
    step = (width - left - 10) / max(len(days), 1)
    col_w = max(2.0, step * 0.75)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" {_FONT}><title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    x = left
    for name in series:
        parts += [f'<rect x="{x}" y="24" width="10" height="10" fill="{colours.get(name, DEFAULT_COLOUR)}"/>',
                  f'<text x="{x + 14}" y="33">{escape(name)}</text>']
        x += 24 + 7 * len(name)
    parts += [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
              f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{biggest}</text>',
              f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    label_every = max(1, len(days) // 12)
    for i, day in enumerate(days):
        cx = left + i * step
        y = float(top + plot_h)
        for name, values in series.items():
            h = plot_h * values[i] / biggest
            if h > 0:
                y -= h
                parts.append(f'<rect x="{cx:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                             f'fill="{colours.get(name, DEFAULT_COLOUR)}"><title>{escape(day)} {escape(name)}: '
                             f'{values[i]}</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h + 16}">{escape(day[5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
