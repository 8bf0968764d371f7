"""Forms of the quality-control pages: study settings, consent texts, gold expected answers, and the
adjudicator's final label. Choices come from the study's rubric."""

from django import forms

from apps.core.errors import ServiceErrorsFormMixin
from apps.reviews.models import Study, StudyItem


def _choices(question: dict) -> list[tuple[str, str]]:
    if question["type"] == "scale":
        return [(str(v), str(v)) for v in range(question["min"], question["max"] + 1)]
    return [(o["value"], o["label"]) for o in question["options"]]


class QualityForm(ServiceErrorsFormMixin, forms.Form):
    gold_rate = forms.FloatField(
        min_value=0, max_value=0.5, label="Gold rate", help_text="Share of items served as gold, e.g. 0.1."
    )
    gold_min_accuracy = forms.FloatField(
        min_value=0,
        max_value=1,
        label="Gold accuracy threshold",
        help_text="Flag raters below this, e.g. 0.7.",
    )
    gold_min_answers = forms.IntegerField(min_value=1, max_value=1000, label="Gold answers before flagging")
    fast_flag_count = forms.IntegerField(
        min_value=0,
        max_value=1000,
        label="Fast submissions before flagging",
        help_text="Faster than the rubric's minimum seconds; 0 turns it off.",
    )
    identical_run_length = forms.IntegerField(
        min_value=0,
        max_value=1000,
        label="Identical answers in a row before flagging",
        help_text="0 turns it off.",
    )
    adjudication_question = forms.ChoiceField(
        required=False, label="Adjudicate disagreement on", help_text="Empty: no adjudication queue."
    )
    adjudication_rule = forms.ChoiceField(
        choices=Study._meta.get_field("adjudication_rule").choices, label="Rule"
    )

    def __init__(self, *args, study: Study, **kwargs):
        kwargs.setdefault("initial", {name: getattr(study, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.fields["adjudication_question"].choices = [("", "— none —")] + [
            (q["key"], f"{q['key']}: {q['label']}") for q in study.rubric.questions if q["type"] != "text"
        ]


class ConsentForm(forms.Form):
    instructions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="What raters should know first."
    )
    consent_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label="Consent text", help_text="What raters agree to."
    )


class GoldForm(ServiceErrorsFormMixin, forms.Form):
    role = forms.ChoiceField(choices=StudyItem.Role.choices, widget=forms.RadioSelect)

    def __init__(self, *args, rubric, item: StudyItem, **kwargs):
        gold = getattr(item, "gold", None) if item.role == StudyItem.Role.GOLD else None
        expected = gold.expected if gold else {}
        initial = {"role": item.role}
        super().__init__(*args, initial=initial, **kwargs)
        self.questions = [q for q in rubric.questions if q["type"] != "text"]
        for q in self.questions:
            key = q["key"]
            if q["type"] == "multi":
                self.fields[f"check_{key}"] = forms.BooleanField(
                    required=False, label=f"Check “{q['label']}”", initial=key in expected
                )
                help_text = "The exact set of options to tick."
            else:
                help_text = "Every answer that counts as correct; none ticked: not checked."
            self.fields[f"expect_{key}"] = forms.MultipleChoiceField(
                required=False,
                choices=_choices(q),
                widget=forms.CheckboxSelectMultiple,
                label=q["label"],
                help_text=help_text,
                initial=[str(v) for v in expected.get(key, [])],
            )

    def question_fields(self):
        for q in self.questions:
            yield {
                "question": q,
                "check": self[f"check_{q['key']}"] if q["type"] == "multi" else None,
                "expect": self[f"expect_{q['key']}"],
            }

    def expected(self) -> dict | None:
        if self.cleaned_data["role"] != StudyItem.Role.GOLD:
            return None
        expected = {}
        for q in self.questions:
            values = self.cleaned_data.get(f"expect_{q['key']}") or []
            if q["type"] == "multi":
                if self.cleaned_data.get(f"check_{q['key']}") and values:
                    expected[q["key"]] = values
            elif values:
                expected[q["key"]] = values
        return expected


class AdjudicationForm(ServiceErrorsFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why this is the final label."
    )

    def __init__(self, *args, rubric, question: str, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        label = current.label if current else {}
        self.questions = [q for q in rubric.questions if q["type"] != "text"]
        for q in self.questions:
            key = q["key"]
            required = key == question
            if q["type"] == "multi":
                field = forms.MultipleChoiceField(
                    required=False, choices=_choices(q), widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.ChoiceField(
                    required=required,
                    choices=([] if required else [("", "— leave out —")]) + _choices(q),
                    widget=forms.RadioSelect if required else forms.Select,
                )
            field.label = q["label"] + ("" if required else " (optional)")
            value = label.get(key)
            field.initial = (
                [str(v) for v in value]
                if isinstance(value, list)
                else (None if value is None else str(value))
            )
            self.fields[f"label_{key}"] = field
        self.order_fields([f"label_{q['key']}" for q in self.questions] + ["reason"])

    def label(self) -> dict:
        answers = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"label_{q['key']}")
            if value not in (None, "", []):
                answers[q["key"]] = value
        return answers
