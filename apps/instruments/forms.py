from django import forms

from apps.core.errors import ServiceErrorsFormMixin
from apps.instruments.models import Instrument, Side


class AssessmentStartForm(ServiceErrorsFormMixin, forms.Form):
    """Which instrument, for which document and which of its two texts."""

    document = forms.IntegerField(
        label="Document number", min_value=1, help_text="The number shown on the document's corpus page."
    )
    instrument = forms.ModelChoiceField(
        label="Instrument", queryset=Instrument.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    side = forms.ChoiceField(label="Text to assess", choices=Side.choices, widget=forms.RadioSelect)

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = Instrument.objects.filter(pk__in=[i.pk for i in instruments])
        self.fields["instrument"].label_from_instance = lambda i: f"{i.name} (v{i.version}) — {i.variant}"


class AnswerForm(forms.Form):
    """Parses one item's answer; what is allowed (options, N/A) is checked by services.answer_save."""

    value = forms.CharField(required=False, max_length=20)
    text = forms.CharField(required=False)
    comment = forms.CharField(required=False)
