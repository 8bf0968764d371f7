"""The shape of a results table: its rows for the API and CSV (every digit), what a page shows
(rounded), and, for tables of estimates, how each number was computed (`estimates`)."""

from dataclasses import dataclass, field

from apps.reviews import agreement, intervals

NO_RATINGS = "No ratings yet: this table fills in as raters submit."

ESTIMATE_COLUMNS = ["estimate", "95% CI low", "95% CI high", "n items", "n ratings", "note"]
# Appended after the columns clients already read (and the agreement table's "seed"), in this order.
DETAIL_COLUMNS = [
    "interval method",
    "resamples",
    "undefined resamples",
    "resampling unit",
    "items left out",
    "left out because",
]


@dataclass
class Table:
    key: str  # used in the CSV file name
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart_domain: tuple[float, float] | None = (0.0, 1.0)  # the figure's axis; None: from the values
    # How the figure arranges the rows ({"panel": [columns], "group": [columns], "series": column});
    # None: `charts.figure_from_table`'s default (series "rater group", group the last label column).
    figure_layout: dict | None = None
    # Replaces the figure's interval footnote when the table's intervals are not made per row (rankings).
    interval_description: str = ""
    methods_text: str = ""  # the table's own Methods sentence (model-rater calibration tables)
    section: str = ""  # where the results page shows it: "" (main), "between_groups", "calibration"
    note: str = ""
    statistic: str = ""  # what the estimates are; empty for tables of counts (completion)
    label_count: int = 0  # leading columns that name a row; the rest describe its estimate
    seed: int | None = None
    estimates: list = field(default_factory=list)  # one agreement.Estimate per row

    def add(self, labels: list, estimate: "agreement.Estimate", chart_label: str = "") -> None:
        """Append a row for `estimate` (its figure is drawn from the rows: `charts.figure_from_table`)."""
        self.rows.append(_estimate_row(labels, estimate))
        self.estimates.append(estimate)

    def as_dict(self) -> dict:
        data = {
            "key": self.key,
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "note": self.note,
            "section": self.section or "results",
        }
        if self.methods_text:
            data["methods"] = self.methods_text
        if self.statistic:
            labels = self.columns[: self.label_count]
            data |= {
                "statistic": self.statistic,
                "confidence_level": intervals.CONFIDENCE,
                "interval_methods": sorted({e.interval_method for e in self.estimates}),
                "n_resamples": intervals.N_RESAMPLES,
                "resampling_unit": intervals.RESAMPLING_UNIT,
                "seed": self.seed,
                "estimates": [
                    {"labels": dict(zip(labels, row[: self.label_count], strict=True)), **e.as_dict()}
                    for row, e in zip(self.rows, self.estimates, strict=True)
                ],
            }
        return data

    @property
    def display_columns(self) -> list[str]:
        """The columns a page shows (the CSV and the API keep every column)."""
        if not self.statistic:
            return self.columns
        labels = self.columns[: self.label_count]
        return [*labels, "estimate", "95% CI", "interval", "n items", "n ratings", "items left out"]

    @property
    def display_rows(self) -> list[dict]:
        """Rows as a page shows them: {"cells", "note"}, values rounded to 3 decimals, the interval as
        one cell, the row's note on a line of its own below it."""
        if not self.statistic:
            return [{"cells": row, "note": ""} for row in self.rows]
        shown = []
        for row, e in zip(self.rows, self.estimates, strict=True):
            interval = f"[{e.low:.3f},\u00a0{e.high:.3f}]" if e.low is not None else None
            cells = [
                *row[: self.label_count],
                _fmt(e.value),
                interval,
                e.interval_method,
                e.n_items,
                e.n_ratings,
                e.n_items_left_out,
            ]
            shown.append({"cells": cells, "note": e.note})
        return shown

    @property
    def left_out_reasons(self) -> list[str]:
        return sorted({e.left_out_reason for e in self.estimates if e.n_items_left_out})

    @property
    def method_summary(self) -> str:
        """One line under the title: the statistic and the intervals its rows use."""
        if not self.statistic:
            return ""
        used = {e.interval_method for e in self.estimates}
        parts = []
        if intervals.BCA in used:
            parts.append(
                f"{intervals.BCA} over items ({intervals.N_RESAMPLES:,} resamples, seed {self.seed})"
            )
        if intervals.CLOPPER_PEARSON in used:
            parts.append(f"{intervals.CLOPPER_PEARSON} exact where a rate is 0 or 1 (n = items)")
        if intervals.NO_INTERVAL in used:
            parts.append("none where the note says why")
        text = self.statistic[0].upper() + self.statistic[1:] + "."
        return text + (f" 95% intervals: {'; '.join(parts)}." if parts else "")


def _fmt(value, digits: int = 3):
    return None if value is None else round(value, digits)


def _estimate_row(prefix: list, estimate: agreement.Estimate) -> list:
    """Unrounded: the API and the CSV give every digit; pages round (`Table.display_rows`)."""
    return [
        *prefix,
        estimate.value,
        estimate.low,
        estimate.high,
        estimate.n_items,
        estimate.n_ratings,
        estimate.note,
        estimate.seed,
        estimate.interval_method,
        estimate.n_resamples,
        estimate.n_resamples_undefined,
        estimate.resampling_unit,
        estimate.n_items_left_out,
        estimate.left_out_reason,
    ]
