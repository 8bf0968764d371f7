"""Forms: the curator's study form, and the rating form rendered from a rubric definition."""

from django import forms

from apps.accounts.models import RaterGroup
from apps.core.errors import ServiceErrorsFormMixin
from apps.equity.models import Producer, QuestionSet
from apps.reviews import selectors
from apps.reviews.models import Study
from apps.reviews.rubric import question_is_shown


class StudyForm(ServiceErrorsFormMixin, forms.Form):
    # The service names the producers as one list and the quotas as one dict: the first producer's field
    # shows producer problems, quota problems go above the form (there is one field per rater group).
    service_error_fields = {"producers": "producer_1", "quotas": None}

    name = forms.CharField(
        max_length=200, label="Internal name", help_text="Curators only; raters never see it."
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Internal description",
        help_text="Curators only; raters never see it.",
    )
    rater_title = forms.CharField(
        required=False,
        label="Title raters see",
        help_text='Must not name the models compared. Empty: "Study <number>".',
    )
    rater_instructions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Instructions for raters",
        help_text="Shown in the rater's queue and above every item.",
    )
    rubric = forms.ModelChoiceField(queryset=selectors.rubrics_latest(), empty_label=None)
    question_set = forms.ModelChoiceField(
        queryset=QuestionSet.objects.all(), required=False, help_text="For the EquityMedQA rubrics."
    )
    producer_1 = forms.ModelChoiceField(
        queryset=Producer.objects.all(),
        required=False,
        label="Producer",
        help_text="Whose answers are rated.",
    )
    producer_2 = forms.ModelChoiceField(
        queryset=Producer.objects.all(),
        required=False,
        label="Second producer",
        help_text="Pairwise studies only.",
    )
    more_producers = forms.ModelMultipleChoiceField(
        queryset=Producer.objects.all(),
        required=False,
        label="More producers",
        help_text="Pairwise studies over three or more producers: each item shows a pair from a seeded, "
        "balanced design (every pair about equally often, sides drawn at random); results rank them.",
    )
    segments = forms.CharField(
        required=False,
        label="Corpus segments (simplification)",
        help_text="Segment ids, comma-separated: rates each segment's simplified text against its original.",
    )
    candidates = forms.CharField(
        required=False,
        label="Model candidates (simplification)",
        help_text="Candidate ids, comma-separated: each candidate is rated against its segment's original.",
    )
    texts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Texts (simplification)",
        help_text="One item per line: original text || simplified candidate.",
    )
    blinding = forms.ChoiceField(choices=Study.Blinding.choices)
    seed = forms.IntegerField(
        required=False, min_value=0, help_text="Leave empty for a random seed (recorded)."
    )
    lease_minutes = forms.IntegerField(initial=30, min_value=1, max_value=1440, label="Lease time (minutes)")
    limit = forms.IntegerField(
        required=False, min_value=1, help_text="Rate a seeded sample of this many items."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(RaterGroup.objects.order_by("name"))
        for group in self.groups:
            self.fields[f"quota_{group.slug}"] = forms.IntegerField(
                min_value=0, max_value=50, initial=0, required=False, label=f"{group.name}: ratings per item"
            )

    def quota_fields(self):
        return [self[f"quota_{group.slug}"] for group in self.groups]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        chosen = [data.get("producer_1"), data.get("producer_2"), *(data.get("more_producers") or [])]
        producers = list(dict.fromkeys(p.pk for p in chosen if p is not None))
        source = {"producers": producers}
        if data.get("question_set"):
            source["question_set"] = data["question_set"].pk
        for field in ("segments", "candidates"):
            ids = [part.strip() for part in (data.get(field) or "").split(",") if part.strip()]
            if ids:
                source[field] = ids
        if data.get("texts"):
            lines = [line.partition("||") for line in data["texts"].splitlines() if line.strip()]
            source["texts"] = [{"original": o.strip(), "candidate": c.strip()} for o, _, c in lines]
        return {
            "name": data["name"],
            "description": data.get("description", ""),
            "rater_title": data.get("rater_title", ""),
            "rater_instructions": data.get("rater_instructions", ""),
            "rubric": data["rubric"],
            "source": source,
            "quotas": {group.slug: data.get(f"quota_{group.slug}") or 0 for group in self.groups},
            "blinding": data["blinding"],
            "seed": data.get("seed"),
            "lease_minutes": data["lease_minutes"],
            "limit": data.get("limit"),
        }


class StudyTextsForm(ServiceErrorsFormMixin, forms.Form):
    """A study's description and what raters read, editable in any status (`services.study_texts_update`)."""

    description = StudyForm.base_fields["description"]
    rater_title = StudyForm.base_fields["rater_title"]
    rater_instructions = StudyForm.base_fields["rater_instructions"]


class PreassignForm(forms.Form):
    rater = forms.CharField(max_length=150, help_text="Username of the rater.")
    items = forms.CharField(help_text="Item numbers, e.g. 1-20, 25, 31.")

    def positions(self) -> list[int]:
        positions = []
        for part in self.cleaned_data["items"].replace(" ", "").split(","):
            if not part:
                continue
            start, _, end = part.partition("-")
            if not start.isdigit() or (end and not end.isdigit()):
                raise forms.ValidationError(f'"{part}" is not an item number or range.')
            low, high = int(start), int(end or start)
            if high < low or high - low > 10_000:
                raise forms.ValidationError(f'"{part}" is not a valid range.')
            positions.extend(range(low, high + 1))
        return positions


def response_from_post(definition: dict, data) -> dict:
    """The response a rating form posted, keyed by question (empty answers left out)."""
    response = {}
    for question in definition["questions"]:
        key = question["key"]
        if question["type"] == "multi":
            values = [v for v in data.getlist(key) if v]
            if values:
                response[key] = values
        else:
            value = data.get(key, "")
            if value.strip():
                response[key] = value
    return response


def rating_fields(definition: dict, values: dict, errors: dict | None = None) -> list[dict]:
    """What the template needs to render each question: options with their digit key and state, whether
    the question is shown for the current values, and its errors."""
    errors = errors or {}
    fields = []
    for number, question in enumerate(definition["questions"], start=1):
        key = question["key"]
        value = values.get(key)
        if question["type"] == "scale":
            options = [
                {"value": str(v), "label": str(v)} for v in range(question["min"], question["max"] + 1)
            ]
        else:
            options = question.get("options", [])
        chosen = (
            {str(v) for v in value}
            if isinstance(value, list)
            else ({str(value)} if value is not None else set())
        )
        fields.append(
            {
                **question,
                "number": number,
                "shown": question_is_shown(question, _typed(definition, values)),
                "errors": errors.get(key, []),
                "value": value if question["type"] == "text" else None,
                "choices": [
                    {
                        "value": o["value"],
                        "label": o["label"],
                        "digit": i,
                        "checked": str(o["value"]) in chosen,
                    }
                    for i, o in enumerate(options, start=1)
                ],
            }
        )
    return fields


def _typed(definition: dict, values: dict) -> dict:
    """Scale answers as integers (conditions compare typed values)."""
    typed = dict(values)
    for question in definition["questions"]:
        value = typed.get(question["key"])
        if question["type"] == "scale" and isinstance(value, str) and value.lstrip("-").isdigit():
            typed[question["key"]] = int(value)
    return typed
