"""The run, training and answer forms: they parse what the curator typed; the services validate and
report by field (ServiceErrorsFormMixin puts their errors on the fields)."""

from django import forms

from apps.core.errors import ServiceErrorsFormMixin
from apps.corpus.models import Document, Split
from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD
from apps.scoring.prompts import DEFAULT_TEMPLATE, STYLES, template_choices


class RunForm(ServiceErrorsFormMixin, forms.Form):
    SELECT_CHOICES = [("segments", "Segments by id"), ("document", "A whole document"), ("split", "A split")]

    select = forms.ChoiceField(
        choices=SELECT_CHOICES, initial="document", widget=forms.RadioSelect, label="Segments"
    )
    segment_ids = forms.CharField(
        required=False, label="Segment ids", help_text="Comma-separated, e.g. 12, 13, 20"
    )
    document = forms.ModelChoiceField(queryset=Document.objects.order_by("title"), required=False)
    split = forms.ChoiceField(choices=[("", "—")] + list(Split.choices), required=False)
    model_path = forms.CharField(
        required=False,
        label="Model directory",
        help_text="Blank: the worker's default generator (the embedded SmolLM2-135M-Instruct unless "
        "the worker sets EQUITEXT_GENERATOR). Otherwise a local Hugging Face model directory on the worker.",
    )
    template = forms.ChoiceField(
        choices=template_choices, initial=f"{DEFAULT_TEMPLATE[0]}:{DEFAULT_TEMPLATE[1]}"
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
    ]

    def clean_segment_ids(self):
        raw = self.cleaned_data["segment_ids"].replace(";", ",")
        try:
            return [int(part) for part in raw.replace(" ", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError("Use whole numbers separated by commas.") from None

    def run_arguments(self) -> dict:
        """Keyword arguments for services.run_create."""
        data = self.cleaned_data
        key, version = data["template"].rsplit(":", 1)
        chosen = data["select"]
        return {
            "segment_ids": data["segment_ids"] if chosen == "segments" else None,
            "document_id": data["document"].pk if chosen == "document" and data["document"] else None,
            "split": data["split"] if chosen == "split" else "",
            "model_path": data["model_path"],
            "prompt_template": key,
            "prompt_version": int(version),
            "seed": data["seed"],
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


class FinetuneForm(ServiceErrorsFormMixin, forms.Form):
    """A DPO fine-tune of the generator; `finetune.finetune_parameters_clean` validates the values."""

    model_path = forms.CharField(
        required=False,
        label="Base generator directory",
        help_text="Blank: the worker's default generator. Otherwise a local Hugging Face model directory.",
    )
    steps = forms.IntegerField(initial=50)
    learning_rate = forms.FloatField(initial=5e-5)
    beta = forms.FloatField(initial=0.1, help_text="DPO β: how far the model may move from the base")
    batch_size = forms.IntegerField(initial=2)
    max_length = forms.IntegerField(initial=256, help_text="Tokens of prompt + answer")
    lora_r = forms.IntegerField(initial=8, label="LoRA rank")
    lora_alpha = forms.IntegerField(initial=16, label="LoRA alpha")
    seed = forms.IntegerField(initial=0)

    service_error_fields = {"parameters": None}  # "no preference pairs yet" is about the whole form

    def parameters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "model_path"}


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
