"""The run, training and answer forms: they parse what the curator typed; the services validate and
report by field (ServiceErrorsFormMixin puts their errors on the fields)."""

from django import forms

from apps.core.errors import ServiceErrorsFormMixin
from apps.corpus.models import Document, Split
from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD
from apps.scoring.models import GeneratorVersion
from apps.scoring.prompts import DEFAULT_TEMPLATE, STYLES, template_choices


def version_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """(training run id, label) of every registered generator version, newest first."""
    choices = [("", blank)] if blank is not None else []
    for version in GeneratorVersion.objects.select_related("run")[:200]:
        choices.append((str(version.run_id), f"{version.label}: {version.model_name}"))
    return choices


class SegmentSelectionForm(forms.Form):
    """Which segments a run covers; also what the run form's live preview reads."""

    SELECT_CHOICES = [
        ("document", "A whole document"),
        ("split", "A split"),
        ("search", "Segments matching a search"),
        ("segments", "Segments by id"),
    ]

    select = forms.ChoiceField(
        choices=SELECT_CHOICES, initial="document", widget=forms.RadioSelect, label="Segments"
    )
    segment_ids = forms.CharField(
        required=False, label="Segment ids", help_text="Comma-separated, e.g. 12, 13, 20"
    )
    search = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        help_text='Words in the original or simplified text, as on the segment list ("a phrase", or, '
        "a minus sign before a word to leave it out). A document and a split, when chosen, narrow it.",
    )
    document = forms.ModelChoiceField(queryset=Document.objects.order_by("title"), required=False)
    split = forms.ChoiceField(choices=[("", "—")] + list(Split.choices), required=False)

    def clean_segment_ids(self):
        raw = self.cleaned_data["segment_ids"].replace(";", ",")
        try:
            return [int(part) for part in raw.replace(" ", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError("Use whole numbers separated by commas.") from None

    def selection_arguments(self) -> dict:
        """The document, split and search the chosen option uses (a search is narrowed by both)."""
        data = self.cleaned_data
        chosen = data["select"]
        document = data.get("document")
        return {
            "document_id": document.pk if chosen in ("document", "search") and document else None,
            "split": data.get("split", "") if chosen in ("split", "search") else "",
            "search": data.get("search", "") if chosen == "search" else "",
        }


class RunForm(ServiceErrorsFormMixin, SegmentSelectionForm):
    model_path = forms.CharField(
        required=False,
        label="Model directory",
        help_text="Blank: the worker's default generator (the embedded SmolLM2-135M-Instruct unless "
        "the worker sets EQUITEXT_GENERATOR). Otherwise a local Hugging Face model directory on the worker.",
    )
    train_run = forms.ChoiceField(
        required=False,
        label="Trained generator version",
        help_text="A version from the registry (SFT, RL or DPO adapter); leave the model directory blank.",
    )
    template = forms.ChoiceField(
        choices=template_choices, initial=f"{DEFAULT_TEMPLATE[0]}:{DEFAULT_TEMPLATE[1]}"
    )
    few_shot = forms.IntegerField(
        required=False,
        initial=0,
        label="Few-shot examples",
        help_text="With the few-shot template: how many approved train-split pairs nearest to each segment "
        "its prompt shows first (0 for the other templates).",
    )
    target_grade = forms.IntegerField(initial=6, label="Target US grade")
    style = forms.ChoiceField(
        choices=[(key, f"{key}: {text}") for key, text in STYLES.items()], initial="plain"
    )
    num_candidates = forms.IntegerField(initial=1, label="Candidates per segment")
    temperature = forms.FloatField(initial=0.0, help_text="0 = greedy (one candidate); sampling needs > 0")
    top_p = forms.FloatField(initial=1.0, label="Top-p")
    max_new_tokens = forms.IntegerField(initial=96, label="Max new tokens")
    batch_size = forms.IntegerField(initial=8)
    seed = forms.IntegerField(initial=0)
    similarity_threshold = forms.FloatField(
        initial=DEFAULT_SIMILARITY_THRESHOLD, help_text="Below this similarity to the original: meaning drift"
    )

    PARAMETERS = [
        "target_grade",
        "style",
        "num_candidates",
        "temperature",
        "top_p",
        "max_new_tokens",
        "batch_size",
        "similarity_threshold",
        "few_shot",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["train_run"].choices = version_choices(blank="— none: the model directory or default —")

    def run_arguments(self) -> dict:
        """Keyword arguments for services.run_create."""
        data = self.cleaned_data
        key, version = data["template"].rsplit(":", 1)
        chosen = data["select"]
        return {
            "segment_ids": data["segment_ids"] if chosen == "segments" else None,
            **self.selection_arguments(),
            "model_path": data["model_path"],
            "prompt_template": key,
            "prompt_version": int(version),
            "seed": data["seed"],
            "train_run": int(data["train_run"]) if data.get("train_run") else None,
            "parameters": {name: data[name] for name in self.PARAMETERS},
        }

    # services.run_create names these keys; show them on the matching field
    service_error_fields = {"segments": "segment_ids", "prompt_template": "template"}


class RewardTrainForm(ServiceErrorsFormMixin, forms.Form):
    """Training a reward-model version; `reward_registry.train_parameters_clean` validates the values."""

    statuses = forms.MultipleChoiceField(
        choices=[("approved", "Approved"), ("in_review", "In review"), ("draft", "Draft")],
        initial=["approved"],
        widget=forms.CheckboxSelectMultiple,
        label="Pairs with status",
    )
    include_unlabelled = forms.BooleanField(
        required=False, label="Add unlabelled originals (label 0) from the unlabelled split"
    )
    test_fraction = forms.FloatField(initial=0.25, label="Share of documents held out for testing")
    seed = forms.IntegerField(initial=0, help_text="Same documents and seed give the same split.")
    C = forms.FloatField(initial=1.0, label="C (inverse regularisation of the logistic regression)")
    encoder_mode = forms.ChoiceField(
        choices=[
            ("frozen", "Frozen MiniLM encoder (fast; default)"),
            ("finetune", "Fine-tune the encoder first (meant for a GPU worker)"),
        ],
        initial="frozen",
    )
    epochs = forms.IntegerField(initial=3, help_text="Fine-tuned encoder only")

    def parameters(self) -> dict:
        return dict(self.cleaned_data)


class TrainForm(ServiceErrorsFormMixin, forms.Form):
    """A generator training run (`training.training_start` validates the values); the fields depend on
    the target (sft, rl, generator = DPO)."""

    TARGET_FIELDS = {
        "sft": ["steps", "learning_rate", "batch_size", "max_length", "target_grade", "style"],
        "rl": [
            "start_from",
            "steps",
            "learning_rate",
            "prompts_per_step",
            "num_generations",
            "max_completion_length",
            "temperature",
            "beta",
            "target_grade",
            "style",
        ],
        "generator": ["start_from", "steps", "learning_rate", "beta", "batch_size", "max_length"],
    }
    DEFAULTS = {
        "sft": {"learning_rate": 2e-4, "batch_size": 4, "max_length": 512},
        "rl": {"learning_rate": 1e-5, "beta": 0.0},
        "generator": {"learning_rate": 5e-5, "beta": 0.1, "batch_size": 2, "max_length": 256},
    }

    model_path = forms.CharField(
        required=False,
        label="Base generator directory",
        help_text="Blank: the worker's default generator (or, with a start version, that version's base).",
    )
    start_from = forms.ChoiceField(
        required=False,
        label="Start from version",
        help_text="Train on top of a registered version (e.g. RL or DPO after SFT); blank: the base.",
    )
    steps = forms.IntegerField(initial=50, help_text="Optimiser steps")
    learning_rate = forms.FloatField(initial=5e-5)
    batch_size = forms.IntegerField(initial=2)
    max_length = forms.IntegerField(initial=256, help_text="Tokens of prompt + answer")
    prompts_per_step = forms.IntegerField(initial=2, help_text="Originals per optimiser step")
    num_generations = forms.IntegerField(
        initial=4, help_text="Completions sampled per original (the GRPO group)"
    )
    max_completion_length = forms.IntegerField(initial=96, label="Max new tokens per completion")
    temperature = forms.FloatField(initial=1.0, help_text="Sampling temperature of the completions")
    beta = forms.FloatField(initial=0.1, help_text="DPO β, or RL's KL weight (0: no reference model)")
    target_grade = forms.IntegerField(initial=6, label="Target US grade (in the prompt)")
    style = forms.ChoiceField(
        choices=[(key, f"{key}: {text}") for key, text in STYLES.items()], initial="plain"
    )
    lora_r = forms.IntegerField(initial=8, label="LoRA rank")
    lora_alpha = forms.IntegerField(initial=16, label="LoRA alpha")
    seed = forms.IntegerField(initial=0)

    COMMON = ["model_path", "lora_r", "lora_alpha", "seed"]
    # "too little data", "no reward model", "no preference pairs" are about the whole form
    service_error_fields = {"parameters": None}

    def __init__(self, *args, target: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        keep = set(self.COMMON) | set(self.TARGET_FIELDS[target])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name, value in self.DEFAULTS[target].items():
            self.fields[name].initial = value
        if "start_from" in self.fields:
            self.fields["start_from"].choices = version_choices(blank="— the base generator —")

    def parameters(self) -> dict:
        values = {k: v for k, v in self.cleaned_data.items() if k != "model_path"}
        if not values.get("start_from"):
            values.pop("start_from", None)
        return values


class EvaluateForm(ServiceErrorsFormMixin, forms.Form):
    """A held-out evaluation; `evaluation_runs.evaluation_start` validates the versions and values."""

    split = forms.ChoiceField(choices=list(Split.choices), initial="test")
    include_base = forms.BooleanField(
        required=False, initial=True, label="The base model, zero-shot (first row: the baseline)"
    )
    few_shot = forms.IntegerField(
        required=False,
        initial=4,
        label="The base model with k few-shot examples",
        help_text="k approved train-split pairs nearest to each segment (0: leave this row out).",
    )
    versions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Trained versions (zero-shot)",
    )
    target_grade = forms.IntegerField(initial=6, label="Target US grade")
    temperature = forms.FloatField(initial=0.0, help_text="0 = greedy (the same for every version)")
    top_p = forms.FloatField(initial=1.0, label="Top-p")
    max_new_tokens = forms.IntegerField(initial=96, label="Max new tokens")
    batch_size = forms.IntegerField(initial=8)
    seed = forms.IntegerField(initial=0, help_text="Generation and bootstrap seed")
    resamples = forms.IntegerField(initial=1000, label="Bootstrap resamples")

    service_error_fields = {"generators": None}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["versions"].choices = version_choices()

    def generators(self) -> list[dict]:
        data = self.cleaned_data
        grade = data["target_grade"]
        entries = []
        if data.get("include_base"):
            entries.append({"label": "base", "target_grade": grade})
        if data.get("few_shot"):
            entries.append(
                {
                    "label": f"base {data['few_shot']}-shot",
                    "few_shot": data["few_shot"],
                    "target_grade": grade,
                }
            )
        labels = dict(self.fields["versions"].choices)
        for run_id in data.get("versions") or []:
            entries.append(
                {"label": labels[run_id].split(":", 1)[0], "train_run": int(run_id), "target_grade": grade}
            )
        return entries

    def parameters(self) -> dict:
        keys = ("temperature", "top_p", "max_new_tokens", "batch_size", "resamples")
        return {key: self.cleaned_data[key] for key in keys}


class AnswerGenerationForm(ServiceErrorsFormMixin, forms.Form):
    """Answer every question of an equity set with a model; `answer_runs` validates the values."""

    model_path = forms.CharField(
        required=False,
        label="Model directory",
        help_text="Blank: the worker's default generator. Otherwise a local Hugging Face model directory "
        "(or a fine-tuned adapter folder) on the worker.",
    )
    max_new_tokens = forms.IntegerField(initial=256, label="Max new tokens")
    seed = forms.IntegerField(initial=0)

    service_error_fields = {"question_set": None}  # "the set has no questions" is about the whole form
