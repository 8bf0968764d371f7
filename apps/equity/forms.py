from django import forms
from django.conf import settings

from apps.core import limits
from apps.core.errors import ServiceErrorsFormMixin
from apps.equity.models import IdentityAxis, QuestionSet


def _axis_choices():
    return [(axis.slug, axis.name) for axis in IdentityAxis.objects.all()]


class _UploadForm(forms.Form):
    file = forms.FileField(help_text="UTF-8.", validators=[limits.upload_size_validator])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_mb, limit_rows = settings.EQUITEXT_MAX_UPLOAD_MB, settings.EQUITEXT_MAX_IMPORT_ROWS
        self.fields["file"].help_text = f"UTF-8, at most {limit_mb} MB and {limit_rows:,} rows."


class QuestionImportForm(_UploadForm):
    set_name = forms.CharField(
        required=False,
        max_length=120,
        help_text="Leave empty to name the set after the file (equitymedqa_omaq.csv → OMAQ).",
    )
    kind = forms.ChoiceField(
        choices=[("", "Detect from the file"), *QuestionSet.Kind.choices],
        required=False,
        help_text="cc_manual / cc_llm files hold two questions per line: a counterfactual pair.",
    )


class AnswerImportForm(_UploadForm):
    question_set = forms.ModelChoiceField(
        queryset=QuestionSet.objects.all(),
        required=False,
        empty_label="Any set (match the question text across all sets)",
        help_text="Match questions only within this set.",
    )
    producer = forms.CharField(
        required=False, max_length=200, help_text="For files without a producer column: the model's name."
    )
    revision = forms.CharField(required=False, max_length=200, help_text="The model's version or revision.")


class QuestionTagsForm(ServiceErrorsFormMixin, forms.Form):
    topics = forms.CharField(required=False, help_text="Comma-separated, e.g. pain, kidney function.")
    identity_axes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identity_axes"].choices = _axis_choices()

    def clean_topics(self):
        return [t.strip() for t in self.cleaned_data["topics"].split(",") if t.strip()]


class PairAttributeForm(ServiceErrorsFormMixin, forms.Form):
    changed_attribute = forms.CharField(max_length=200, label="Attribute that changed")
    changed_axes = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Axes"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changed_axes"].choices = _axis_choices()
