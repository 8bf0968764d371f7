"""`{% readability_grade metrics text=… target=… %}`: a text's grade as the product shows it — the target
formula's grade with the spread across formulas and the understatement flag, or "readability formulas
apply to English only" (apps/metrics/grades.py)."""

from django import template

from apps.metrics.grades import GRADE_FORMULAS, grade_summary, target_formula

register = template.Library()


@register.inclusion_tag("metrics/_grade.html")
def readability_grade(metrics, text=None, target=None, compact=False):
    target = None if target in (None, "") else float(target)
    return {"summary": grade_summary(metrics, target=target, text=text), "compact": compact}


@register.simple_tag
def readability_target_formula() -> str:
    """The name of the formula the target grade is compared against (EQUITEXT_READABILITY_TARGET_FORMULA)."""
    return GRADE_FORMULAS[target_formula()][0]
