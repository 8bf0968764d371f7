"""The curator's results pages: results (every table with its figure), agreement (within and between
rater groups), each table as CSV, each figure as SVG or PNG (for a paper). Curators only."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from apps.core.exports import csv_cell
from apps.core.roles import require_curator
from apps.reviews import charts, methods, quality, results, selectors
from apps.reviews.models import Study


def _with_figures(tables):
    for table in tables:
        table.svg = charts.figure_svg(charts.figure_for(table))
    return tables


def _exclusion(request, study: Study):
    """Who results leave out: raters with open quality flags when `?exclude_flagged=1` (flags brought up
    to date first)."""
    quality.flags_refresh(study=study)
    return quality.exclusion_for(study, exclude_flagged=quality.truthy(request.GET.get("exclude_flagged")))


def _sections(tables) -> dict:
    """The results page's sections: human results first; model raters only in their calibration."""
    return {
        "main": [t for t in tables if t.section not in ("between_groups", "calibration")],
        "between_groups": [t for t in tables if t.section == "between_groups"],
        "calibration": [t for t in tables if t.section == "calibration"],
    }


def _study_for_curator(request, pk: int) -> Study:
    require_curator(request.user)
    return get_object_or_404(selectors.studies_all(), pk=pk)


@require_GET
@login_required
def study_results(request, pk: int):
    study = _study_for_curator(request, pk)
    exclusion = _exclusion(request, study)
    tables = _with_figures(results.study_results(study, exclude=exclusion.ids))
    text = methods.results_methods(study, tables, excluded=exclusion.excluded)
    from apps.reviews.autoraters.selectors import autoraters_of

    context = {
        "study": study,
        "autoraters": autoraters_of(study),
        "tables": tables,
        "sections": _sections(tables),
        "exclusion": exclusion,
        "methods": text,
    }
    return render(request, "reviews/study_results.html", context)


@require_GET
@login_required
def study_agreement(request, pk: int):
    study = _study_for_curator(request, pk)
    exclusion = _exclusion(request, study)
    table = _with_figures([results.study_agreement(study, exclude=exclusion.ids)])[0]
    between = _with_figures(results.study_between_groups(study, exclude=exclusion.ids))
    text = methods.agreement_methods(study, table, excluded=exclusion.excluded, between=between)
    template = "reviews/study_agreement.html#agreement" if request.htmx else "reviews/study_agreement.html"
    context = {"study": study, "table": table, "between": between, "exclusion": exclusion, "methods": text}
    return render(request, template, context)


def _table(request, study: Study, key: str):
    exclusion = _exclusion(request, study)
    if key == "agreement":
        return results.study_agreement(study, exclude=exclusion.ids), exclusion
    table = next((t for t in results.study_results(study, exclude=exclusion.ids) if t.key == key), None)
    if table is None:
        raise Http404("This study has no such table.")
    return table, exclusion


@require_GET
@login_required
def study_table_csv(request, pk: int, key: str):
    study = _study_for_curator(request, pk)
    table, exclusion = _table(request, study, key)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = "-without-flagged" if exclusion.active else ""
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-{key}{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    writer.writerows([csv_cell(cell) for cell in row] for row in table.rows)
    return response


@require_GET
@login_required
def study_figure(request, pk: int, key: str, fmt: str):
    """One table's figure as a standalone SVG or a PNG (2× its pixel size), with a visible title."""
    study = _study_for_curator(request, pk)
    table, exclusion = _table(request, study, key)
    figure = charts.figure_for(table)
    if figure is None:
        raise Http404("This table has nothing to draw yet.")
    svg = str(charts.figure_svg(figure, standalone=True))
    suffix = "-without-flagged" if exclusion.active else ""
    name = f"study-{study.pk}-{key}{suffix}.{fmt}"
    if fmt == "png":
        response = HttpResponse(charts.figure_png(svg), content_type="image/png")
    else:
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
