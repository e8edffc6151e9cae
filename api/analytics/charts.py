"""Bar charts as inline SVG, drawn on the server: no script, no external resource, and the
same figures stay readable in the table under each chart."""

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
_LEFT, _BOTTOM, _TOP = 40, 40, 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as written above the bar ("12", "64 %")


def bar_chart(title: str, bars: list[Bar], *, maximum: float | None = None) -> Markup:
    top = maximum if maximum is not None else max((bar.value for bar in bars), default=0)
    top = top or 1
    slot = (WIDTH - _LEFT) / max(len(bars), 1)
    plot = HEIGHT - _BOTTOM - _TOP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{_LEFT}" y1="{HEIGHT - _BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - _BOTTOM}" '
        'stroke="#8a9aa3" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        height = plot * bar.value / top
        x = _LEFT + index * slot + slot * 0.15
        y = HEIGHT - _BOTTOM - height
        middle = x + slot * 0.35
        parts += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
            'fill="#1d5f8a"/>',
            f'<text x="{middle:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#1f2a30">{escape(bar.shown)}</text>',
            f'<text x="{middle:.1f}" y="{HEIGHT - _BOTTOM + 16:.1f}" text-anchor="middle" '
            f'font-size="11" fill="#3c4a52">{escape(bar.label)}</text>',
        ]
    parts.append("</svg>")
    # Every text in it went through escape() above.
    return Markup("".join(parts))  # noqa: S704
