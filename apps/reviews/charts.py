"""Server-rendered SVG figures of the results tables, to read at a glance and to put in a paper.

A figure arranges a table's rows by what a reader compares: **panels** (e.g. question set · producer),
inside each panel **groups** (the outcome, dimension, statistic or producer) and inside each group one
bar per **series** (the rater group), coloured as the legend says, so no label is repeated per bar.
Every label is written out in full and wrapped to its column (never cut); each bar is followed by its
value, its 95% interval and its n (items and ratings); whiskers draw the interval and the footnote names
how the intervals were made. Colours are the Okabe–Ito palette (distinguishable with the common colour
vision deficiencies), every bar has a dark outline (3:1 against white whatever its fill) and all text is
near-black on white (WCAG AA). The SVG is self-contained (presentation attributes, no stylesheet), so the
page, the SVG download and the PNG made from it (`figure_png`) look the same.

`figure_from_table` builds the figure of a `tables.Table`; `figure_svg` draws it.
"""

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.reviews import intervals

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
TEXT = "#1a1a1a"  # 17.4:1 on white
SOFT_TEXT = "#3d3d3d"  # 10.7:1 on white: still AA for the small n lines
GRID = "#8c8c8c"
# Okabe & Ito (2008), "Color Universal Design": without yellow, too light to tell from white.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]

WIDTH = 860
MARGIN = 12
LABEL_WIDTH = 250
PLOT_WIDTH = 300
VALUE_WIDTH = WIDTH - 4 * MARGIN - LABEL_WIDTH - PLOT_WIDTH
PLOT_LEFT = MARGIN + LABEL_WIDTH + MARGIN
VALUE_LEFT = PLOT_LEFT + PLOT_WIDTH + MARGIN
VALUE_TEXT_LEFT = VALUE_LEFT + 16  # after the bar's colour swatch
LABEL_SIZE = 13
SMALL_SIZE = 12
LINE = 16
BAR = 14
BAR_ROW = 32  # two text lines after each bar: the value and interval, then n
EXACT_MARK = "†"


@dataclass
class Bar:
    series: str
    value: float | None
    low: float | None = None
    high: float | None = None
    method: str = intervals.NO_INTERVAL
    lines: list[str] = field(default_factory=list)  # the text after the bar


@dataclass
class Group:
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Panel:
    label: str
    groups: list[Group] = field(default_factory=list)


@dataclass
class Figure:
    key: str
    title: str
    series: list[str]
    panels: list[Panel]
    domain: tuple[float, float] = (0.0, 1.0)
    axis_label: str = ""
    footnote: str = ""

    @property
    def bars(self) -> list[tuple[Panel, Group, Bar]]:
        return [(p, g, b) for p in self.panels for g in p.groups for b in g.bars]


# --- text measure and wrapping ------------------------------------------------------------------

_NARROW = set("iljtf.,:;'|!()[]{} ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of the rendered width in px (DejaVu Sans is among the widest common fonts),
    so text wrapped to it fits in any of the fonts named in FONT."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 0.36
        elif char in _WIDE:
            width += 1.0
        elif char.isupper() or char.isdigit():
            width += 0.74
        elif ord(char) < 128:
            width += 0.64
        elif ord(char) >= 0x2E80:  # CJK and other full-width scripts
            width += 1.05
        else:
            width += 0.8
    return width * size * (1.12 if bold else 1.0)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """`text` in lines that fit `width` px, broken at spaces; a word longer than a line is broken
    inside. Joining the lines with spaces gives the text back (whitespace normalised)."""
    lines: list[str] = []
    current = ""
    for word in str(text).split():
        while text_width(word, size, bold) > width:  # one word wider than the line: break it
            fits = (i for i in range(len(word), 0, -1) if text_width(word[:i], size, bold) <= width)
            cut = max(1, next(fits, 1))
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


# --- building a figure from a table -----------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 100 else f"{value:,.0f}"


def estimate_lines(estimate) -> list[str]:
    """The two lines after a bar: value [interval] (a mark when the interval is exact), then n."""
    if estimate.value is None:
        first = "no estimate"
    else:
        first = _fmt(estimate.value)
        if estimate.low is not None and estimate.high is not None:
            mark = EXACT_MARK if estimate.interval_method == intervals.CLOPPER_PEARSON else ""
            first += f" [{_fmt(estimate.low)}, {_fmt(estimate.high)}]{mark}"
        else:
            first += " (no interval)"
    n = f"{estimate.n_items:,} item{'s' if estimate.n_items != 1 else ''}"
    n += f" · {estimate.n_ratings:,} rating{'s' if estimate.n_ratings != 1 else ''}"
    return [first, n]


def figure_from_table(table) -> Figure | None:
    """The figure of a table of estimates (None for a table with nothing to draw).

    Columns named in `table.figure_layout` ({"panel": [...], "group": [...], "series": "..."}) say the
    arrangement; by default the series is "rater group", the group the last other label column and the
    panel the remaining label columns."""
    if not table.statistic or not table.rows or (table.figure_layout or {}).get("figure") is False:
        return None
    labels = table.columns[: table.label_count]
    layout = dict(table.figure_layout or {})
    series_column = layout.get("series", "rater group" if "rater group" in labels else None)
    rest = [c for c in labels if c != series_column]
    group_columns = layout.get("group", rest[-1:])
    panel_columns = layout.get("panel", [c for c in rest if c not in group_columns])
    panels: dict[str, Panel] = {}
    groups: dict[tuple[str, str], Group] = {}
    series: list[str] = []
    for row, estimate in zip(table.rows, table.estimates, strict=True):
        named = dict(zip(labels, row[: table.label_count], strict=True))
        panel_label = " · ".join(str(named[c]) for c in panel_columns)
        group_label = " · ".join(str(named[c]) for c in group_columns)
        series_label = str(named[series_column]) if series_column else "estimate"
        if series_label not in series:
            series.append(series_label)
        panel = panels.setdefault(panel_label, Panel(panel_label))
        group = groups.get((panel_label, group_label))
        if group is None:
            group = groups[(panel_label, group_label)] = Group(group_label)
            panel.groups.append(group)
        group.bars.append(
            Bar(
                series_label,
                estimate.value,
                estimate.low,
                estimate.high,
                estimate.interval_method,
                estimate_lines(estimate),
            )
        )
    domain = table.chart_domain or _domain([b for p in panels.values() for g in p.groups for b in g.bars])
    return Figure(
        key=table.key,
        title=table.title,
        series=series,
        panels=list(panels.values()),
        domain=domain,
        axis_label=table.statistic,
        footnote=_footnote(table),
    )


def completion_figure(table) -> Figure | None:
    """The completion-by-group table as bars of the share of needed ratings submitted (no intervals:
    these are counts, not estimates)."""
    if not table.rows:
        return None
    group = Group("ratings submitted of ratings needed")
    for name, submitted, needed, leased, _percent in table.rows:
        share = submitted / needed if needed else 0.0
        group.bars.append(
            Bar(name, share, lines=[f"{submitted:,} of {needed:,} ({share:.0%})", f"{leased:,} open leases"])
        )
    return Figure(
        key=table.key,
        title=table.title,
        series=[b.series for b in group.bars],
        panels=[Panel("", [group])],
        axis_label="share of the needed ratings submitted",
        footnote="Counts of submitted ratings against the quotas; no interval (not an estimate).",
    )


def _domain(bars: list[Bar]) -> tuple[float, float]:
    values = [v for b in bars for v in (b.value, b.low, b.high) if v is not None] or [0.0, 1.0]
    low, high = min(0.0, min(values)), max(0.0, max(values))
    if high == low:
        high = low + 1.0
    step = 10 ** math.floor(math.log10(high - low)) / 2
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _footnote(table) -> str:
    used = {e.interval_method for e in table.estimates if e.value is not None}
    parts = []
    if intervals.BCA in used:
        parts.append(
            f"BCa bootstrap over items ({intervals.N_RESAMPLES:,} resamples, seed {table.seed})"
            if table.seed is not None
            else "BCa bootstrap"
        )
    if intervals.CLOPPER_PEARSON in used:
        parts.append(f"{EXACT_MARK} Clopper–Pearson exact where a rate is 0 or 1 (n = items)")
    if intervals.NO_INTERVAL in used:
        parts.append("no whisker: no interval (the table says why)")
    extra = getattr(table, "interval_description", "")
    if extra:
        parts = [extra]
    whiskers = "Whiskers: 95% intervals, " + "; ".join(parts) + "." if parts else ""
    return whiskers


# --- drawing ------------------------------------------------------------------------------------------


def _text(x, y, lines, *, size=LABEL_SIZE, fill=TEXT, anchor="start", weight="normal", css="") -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.25:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}" font-weight="{weight}">{spans}</text>'
    )


def figure_svg(figure: Figure | None, *, standalone: bool = False) -> SafeString:
    """The SVG of `figure`: role="img" labelled by its <title> and <desc>; `standalone` adds the XML
    declaration, a visible title and pixel size (the download for a paper)."""
    if figure is None or not figure.panels:
        return mark_safe("")
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(figure.series)}
    low_end, high_end = figure.domain
    span = (high_end - low_end) or 1.0

    def x(value: float) -> float:
        return PLOT_LEFT + (min(max(value, low_end), high_end) - low_end) / span * PLOT_WIDTH

    zero = x(0.0) if low_end <= 0 <= high_end else x(low_end)
    body: list[str] = []
    y = MARGIN
    if standalone:
        title_lines = wrap(figure.title, WIDTH - 2 * MARGIN, 16, bold=True)
        body.append(_text(MARGIN, y + 16, title_lines, size=16, weight="bold", css="figure-title"))
        y += len(title_lines) * 20 + 8
    # legend: one swatch per series, wrapped across lines
    lx, ly = MARGIN, y
    for name in figure.series:
        width = 18 + text_width(name, LABEL_SIZE) + 16
        if lx + width > WIDTH - MARGIN and lx > MARGIN:
            lx, ly = MARGIN, ly + LINE + 4
        body.append(
            f'<rect class="legend-swatch" x="{lx:.1f}" y="{ly + 2:.1f}" width="12" height="12" '
            f'fill="{colour[name]}" '
            f'stroke="{TEXT}" stroke-width="1"/>'
        )
        body.append(_text(lx + 18, ly + 13, [name], css="legend-label"))
        lx += width
    y = ly + LINE + 14
    ticks = [low_end + span * i / 4 for i in range(5)]
    for panel in figure.panels:
        if panel.label:
            lines = wrap(panel.label, WIDTH - 2 * MARGIN, LABEL_SIZE + 1, bold=True)
            body.append(_text(MARGIN, y + 13, lines, size=LABEL_SIZE + 1, weight="bold", css="panel-label"))
            y += len(lines) * 18 + 6
        top = y
        for group in panel.groups:
            lines = wrap(group.label, LABEL_WIDTH, LABEL_SIZE)
            height = max(len(lines) * LINE + 4, len(group.bars) * BAR_ROW)
            body.append(_text(MARGIN, y + 13, lines, css="group-label"))
            for index, bar in enumerate(group.bars):
                row_top = y + index * BAR_ROW
                middle = row_top + BAR / 2 + 2
                if bar.value is not None:
                    start, end = sorted((zero, x(bar.value)))
                    body.append(
                        f'<rect class="bar" x="{start:.1f}" y="{row_top + 2:.1f}" '
                        f'width="{max(end - start, 1.5):.1f}" height="{BAR}" fill="{colour[bar.series]}" '
                        f'stroke="{TEXT}" stroke-width="0.8"><title>{escape(bar.series)}</title></rect>'
                    )
                if bar.low is not None and bar.high is not None and bar.high > bar.low:
                    lo, hi = x(bar.low), x(bar.high)
                    body.append(
                        f'<path class="whisker" d="M{lo:.1f} {middle:.1f}H{hi:.1f}M{lo:.1f} {middle - 5:.1f}'
                        f'V{middle + 5:.1f}M{hi:.1f} {middle - 5:.1f}V{middle + 5:.1f}" '
                        f'stroke="{TEXT}" stroke-width="1.6" fill="none"/>'
                    )
                # The series' swatch before its value: a bar at 0 or without an estimate still says
                # whose it is.
                body.append(
                    f'<rect class="value-swatch" x="{VALUE_LEFT}" y="{row_top + 4:.1f}" width="10" '
                    f'height="10" fill="{colour[bar.series]}" stroke="{TEXT}" stroke-width="0.8"/>'
                )
                first, *rest = bar.lines or [""]
                body.append(_text(VALUE_TEXT_LEFT, row_top + 13, [first], size=SMALL_SIZE, css="bar-value"))
                if rest:
                    body.append(
                        _text(
                            VALUE_TEXT_LEFT,
                            row_top + 27,
                            rest,
                            size=SMALL_SIZE - 1,
                            fill=SOFT_TEXT,
                            css="bar-n",
                        )
                    )
            y += height + 8
        bottom = y - 4
        for tick in ticks:
            tx = x(tick)
            body.append(
                f'<line x1="{tx:.1f}" y1="{top - 4:.1f}" x2="{tx:.1f}" y2="{bottom:.1f}" stroke="{GRID}" '
                f'stroke-width="{1.2 if abs(tx - zero) < 0.01 else 0.5}" stroke-dasharray="'
                f'{"" if abs(tx - zero) < 0.01 else "2 3"}"/>'
            )
            body.append(
                _text(tx, bottom + 14, [f"{tick:g}"], size=SMALL_SIZE - 1, anchor="middle", css="tick")
            )
        y = bottom + 26
    if figure.axis_label:
        lines = wrap(f"Axis: {figure.axis_label}", WIDTH - 2 * MARGIN, SMALL_SIZE)
        body.append(_text(MARGIN, y, lines, size=SMALL_SIZE, css="axis-label"))
        y += len(lines) * 15 + 4
    if figure.footnote:
        lines = wrap(figure.footnote, WIDTH - 2 * MARGIN, SMALL_SIZE)
        body.append(_text(MARGIN, y, lines, size=SMALL_SIZE, fill=SOFT_TEXT, css="footnote"))
        y += len(lines) * 15
    height = math.ceil(y + MARGIN)
    ident = f"fig-{figure.key}"
    size = f' width="{WIDTH}" height="{height}"' if standalone else ""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    svg = (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {WIDTH} {height}"{size} '
        f'font-family="{FONT}" data-figure="{escape(figure.key)}">'
        f'<title id="{ident}-title">{escape(figure.title)}</title>'
        f'<desc id="{ident}-desc">{escape(describe(figure))}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 (every interpolated text is escaped above)


def describe(figure: Figure) -> str:
    """The figure in words (its <desc>): what is drawn, then every bar with its numbers."""
    parts = [
        f"Horizontal bar chart, one bar per {', '.join(figure.series)}"
        if len(figure.series) > 1
        else "Horizontal bar chart",
        f"axis {figure.domain[0]:g} to {figure.domain[1]:g}",
    ]
    bars = []
    for panel, group, bar in figure.bars:
        where = " · ".join(part for part in (panel.label, group.label, bar.series) if part)
        bars.append(f"{where}: {', '.join(bar.lines)}")
    return "; ".join(parts) + ". " + "; ".join(bars) + ". " + figure.footnote


def figure_png(svg: str, *, scale: float = 2.0) -> bytes:
    """The PNG of a standalone figure SVG at `scale` × its pixel size (2: sharp in print at column width).

    cairosvg (and the system's libcairo) is imported here, on the first PNG asked for, so web processes
    that never serve one never load it."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, background_color="white")


def figure_for(table) -> Figure | None:
    """The figure drawn for a results table (None when it has none)."""
    if table.key == "completion_groups":
        return completion_figure(table)
    return figure_from_table(table)
