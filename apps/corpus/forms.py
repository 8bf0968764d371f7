from django import forms

from apps.core import limits
from apps.corpus.imports import MAPPABLE, PRESETS
from apps.corpus.models import Split, Status
from apps.corpus.services import MAX_TEXT_CHARS


class SegmentEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    simplified = forms.CharField(
        required=False, strip=False, max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 4})
    )
    status = forms.ChoiceField(choices=Status.choices)
    split = forms.ChoiceField(choices=Split.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SegmentFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search both texts")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    split = forms.ChoiceField(required=False, choices=[("", "Any split"), *Split.choices])
    topic = forms.CharField(required=False)
    grade_min = forms.FloatField(required=False, label="Simplified grade from")
    grade_max = forms.FloatField(required=False, label="to")
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV, TSV or JSON Lines, UTF-8 (with or without BOM)",
        validators=[limits.upload_size_validator],
    )
    preset = forms.ChoiceField(choices=[(key, preset["label"]) for key, preset in PRESETS.items()])
    format = forms.ChoiceField(
        required=False,
        choices=[("", "From the file name"), ("csv", "CSV"), ("tsv", "TSV"), ("jsonl", "JSON Lines")],
    )
    default_source = forms.CharField(
        required=False,
        max_length=200,
        label="Source",
        help_text="Publisher, when the file has no source column",
    )
    default_document = forms.CharField(
        required=False,
        max_length=300,
        label="Document title",
        help_text="When the file has no document column (default: the file name)",
    )
    default_split = forms.ChoiceField(
        required=False,
        choices=Split.choices,
        initial=Split.UNLABELLED,
        label="Split, when the file has no split column",
    )
    skip_invalid = forms.BooleanField(
        required=False, label="Skip invalid rows (import the valid ones; the skipped rows are recorded)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for target in MAPPABLE:
            self.fields[f"map_{target}"] = forms.CharField(
                required=False, max_length=200, label=f"Column for {target}"
            )

    def mapping(self) -> dict:
        return {
            t: self.cleaned_data.get(f"map_{t}", "").strip()
            for t in MAPPABLE
            if self.cleaned_data.get(f"map_{t}")
        }
