"""Resolve in-product subjects (studies, model runs) lazily.

The reviews and scoring apps are optional from this app's point of view: their models are looked up
by name at run time, and a missing app or a deleted row simply resolves to None.
"""

from django.apps import apps

from apps.elevate.models import IN_PRODUCT_SUBJECTS


def subject_model(kind: str):
    """The model class for an in-product subject kind, or None when its app is not installed."""
    label = IN_PRODUCT_SUBJECTS.get(kind)
    if label is None:
        return None
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def subject_object(kind: str, subject_id: int | None):
    model = subject_model(kind)
    if model is None or subject_id is None:
        return None
    return model._default_manager.filter(pk=subject_id).first()
