from django import forms

from apps.core.errors import ServiceErrorsFormMixin
from apps.elevate.models import ChecklistTemplate, ItemResponse, SubjectKind


class AssessmentCreateForm(ServiceErrorsFormMixin, forms.Form):
    subject_kind = forms.ChoiceField(
        label="What is assessed", choices=SubjectKind.choices, widget=forms.RadioSelect
    )
    subject_id = forms.IntegerField(
        label="Study or model run number",
        required=False,
        min_value=1,
        help_text="For a study or a model run.",
    )
    title = forms.CharField(label="Title", required=False, max_length=500, help_text="Of the publication.")
    doi = forms.CharField(
        label="DOI", required=False, max_length=200, help_text="e.g. 10.1016/j.jval.2025.01.001"
    )
    url = forms.CharField(label="Link", required=False, max_length=1000)
    template = forms.ModelChoiceField(
        label="Checklist", queryset=ChecklistTemplate.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args, current_template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.order_by("name", "-version")
        if current_template is not None:
            self.fields["template"].initial = current_template.pk


class ResponseForm(forms.Form):
    """Parses one item's answer; the rules (required comment…) live in services.response_save."""

    status = forms.ChoiceField(choices=[("", "Unanswered"), *ItemResponse.Status.choices], required=False)
    location = forms.CharField(required=False)
    comment = forms.CharField(required=False)
