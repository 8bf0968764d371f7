"""Server-rendered SVG charts: one horizontal bar per row with its 95% interval as a whisker."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW_HEIGHT = 22
LABEL_WIDTH = 330
PLOT_WIDTH = 300
VALUE_WIDTH = 150


def bar_chart_svg(rows: list[dict], *, title: str, domain: tuple[float, float] = (0.0, 1.0)) -> SafeString:
    """An accessible SVG (role="img", <title>, one <desc> line per bar) of value ± interval per row.

    `rows` hold "label", "value", "low", "high" (None when there is no interval) and "n".
    """
    if not rows:
        return mark_safe("")
    low_end, high_end = domain
    span = (high_end - low_end) or 1.0

    def x(value: float) -> float:
        clamped = min(max(value, low_end), high_end)
        return LABEL_WIDTH + (clamped - low_end) / span * PLOT_WIDTH

    height = ROW_HEIGHT * len(rows) + 28
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    zero = x(0.0) if low_end < 0 < high_end else x(low_end)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape(
            "; ".join(
                f"{row['label']}: {row['value']:.3f}"
                + (f" (95% CI {row['low']:.3f} to {row['high']:.3f})" if row["low"] is not None else "")
                + f", n = {row['n']}"
                for row in rows
            )
        )
        + "</desc>",
        f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height - 20}" class="axis"/>',
    ]
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT + 4
        middle = top + ROW_HEIGHT / 2 - 2
        start, end = sorted((zero, x(row["value"])))
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{middle + 4:.1f}" text-anchor="end" class="label">'
            f"{escape(_shorten(row['label']))}</text>"
        )
        parts.append(
            f'<rect x="{start:.1f}" y="{top + 2}" width="{max(end - start, 1):.1f}" '
            f'height="{ROW_HEIGHT - 8}" class="bar"/>'
        )
        if row["low"] is not None and row["high"] is not None:
            lo, hi = x(row["low"]), x(row["high"])
            parts.append(
                f'<line x1="{lo:.1f}" y1="{middle:.1f}" x2="{hi:.1f}" y2="{middle:.1f}" class="ci"/>'
            )
            for end_x in (lo, hi):
                parts.append(
                    f'<line x1="{end_x:.1f}" y1="{middle - 5:.1f}" x2="{end_x:.1f}" '
                    f'y2="{middle + 5:.1f}" class="ci"/>'
                )
        parts.append(
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{middle + 4:.1f}" class="value">'
            f"{row['value']:.2f} (n={row['n']})</text>"
        )
    axis_y = height - 6
    for tick in (low_end, (low_end + high_end) / 2, high_end):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{axis_y}" text-anchor="middle" class="tick">{tick:g}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped above)


def _shorten(label: str, limit: int = 52) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
