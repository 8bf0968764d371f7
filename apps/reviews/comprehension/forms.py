"""Forms for comprehension pages: a passage with up to five questions, a study, and the rater's answers.
They parse; what is allowed is checked by the services (errors come back by field)."""

from django import forms

from apps.accounts.models import RaterGroup
from apps.core.errors import ServiceErrorsFormMixin
from apps.reviews.comprehension.models import MAX_QUESTIONS


class PassageForm(ServiceErrorsFormMixin, forms.Form):
    document = forms.IntegerField(label="Document number", min_value=1)
    segments = forms.CharField(
        label="Segments (optional)",
        required=False,
        help_text="Segment positions in the document, e.g. 1-3, 5; empty: the whole document.",
    )
    title = forms.CharField(label="Title (optional)", required=False, max_length=200)

    def __init__(self, *args, edit_questions_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if edit_questions_only:
            for name in ("document", "segments", "title"):
                del self.fields[name]
        for n in range(1, MAX_QUESTIONS + 1):
            self.fields[f"q{n}_text"] = forms.CharField(
                label=f"Question {n}", required=n == 1, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"q{n}_options"] = forms.CharField(
                label="Options, one per line",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields[f"q{n}_correct"] = forms.IntegerField(
                label="Number of the correct option", required=False, min_value=1
            )
            self.fields[f"q{n}_dont_know"] = forms.BooleanField(
                label="Offer “I don't know”", required=False, initial=True
            )

    @property
    def question_blocks(self):
        return [
            [self[f"q{n}_{part}"] for part in ("text", "options", "correct", "dont_know")]
            for n in range(1, MAX_QUESTIONS + 1)
        ]

    def questions(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "text": data[f"q{n}_text"],
                "options": [line for line in data[f"q{n}_options"].splitlines() if line.strip()],
                "correct": data[f"q{n}_correct"],
                "dont_know": data[f"q{n}_dont_know"],
            }
            for n in range(1, MAX_QUESTIONS + 1)
            if data.get(f"q{n}_text", "").strip()
        ]

    def segment_positions(self) -> list[int]:
        """Positions from "1-3, 5"; raises forms.ValidationError naming what is wrong."""
        positions = []
        for part in (self.cleaned_data.get("segments") or "").replace(" ", "").split(","):
            if not part:
                continue
            low, _, high = part.partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                raise forms.ValidationError(f"“{part}” is not a position or a range like 1-3.")
            positions.extend(range(int(low), int(high or low) + 1))
        return positions

    @staticmethod
    def initial_for(passage) -> dict:
        initial = {}
        for q in passage.questions.order_by("position"):
            n = q.position
            initial[f"q{n}_text"] = q.text
            initial[f"q{n}_options"] = "\n".join(o["label"] for o in q.options)
            initial[f"q{n}_correct"] = [o["value"] for o in q.options].index(q.correct) + 1
            initial[f"q{n}_dont_know"] = q.dont_know
        return initial


class ComprehensionStudyForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    passages = forms.MultipleChoiceField(label="Passages", widget=forms.CheckboxSelectMultiple, choices=())
    seed = forms.IntegerField(required=False, min_value=0, help_text="Empty: drawn at random (recorded).")
    lease_minutes = forms.IntegerField(initial=30, min_value=1, max_value=1440)

    def __init__(self, *args, passages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passages"].choices = [(p.pk, f"#{p.pk} {p}") for p in passages]
        self.groups = list(RaterGroup.objects.order_by("name"))
        for group in self.groups:
            self.fields[f"quota_{group.slug}"] = forms.IntegerField(
                label=f"{group.name}: raters per text and version",
                required=False,
                min_value=0,
                max_value=50,
                initial=2 if group.slug == "consumer" else 0,
            )

    def quotas(self) -> dict:
        return {g.slug: self.cleaned_data.get(f"quota_{g.slug}") or 0 for g in self.groups}
