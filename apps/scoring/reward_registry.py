"""The reward-model registry: training data, training runs, versions, activation, scheduled retraining.

Writes only; the torch side (embedding, fitting, the artefact file) is `workers/ml/reward.py`, called by
the task `equitext.ml.train_reward` (workers/tasks/scoring.py). The split rule and the metrics are in
`reward_eval.py`; the reward formula in `reward.py`.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.core.jobs import job_create
from apps.core.models import Job
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.corpus.models import Segment, Source, Split, Status
from apps.scoring.models import ModelRun, RewardModel
from apps.scoring.parameters import bounded_numbers_clean
from apps.scoring.reward_eval import document_split

TRAIN_REWARD_TASK = "equitext.ml.train_reward"
DEMO_LABEL = "demo-trained"
ENCODER_MODES = ("frozen", "finetune")
TRAIN_BOUNDS = {
    # name: (type, default, minimum, maximum)
    "test_fraction": (float, 0.25, 0.05, 0.5),
    "seed": (int, 0, 0, 2**31 - 1),
    "C": (float, 1.0, 1e-4, 1e4),  # inverse regularisation of the logistic-regression head
    "epochs": (int, 3, 1, 50),  # fine-tuned encoder only
    "learning_rate": (float, 2e-5, 1e-7, 1e-2),  # fine-tuned encoder only
    "batch_size": (int, 16, 1, 512),
}


def train_parameters_clean(parameters: dict | None) -> dict:
    """Validated reward-training parameters with defaults; ValidationError names each bad field."""
    parameters = dict(parameters or {})
    parameters.pop("target", None)
    errors: dict[str, str] = {}
    cleaned: dict = {"target": "reward"}
    bounded_numbers_clean(parameters, TRAIN_BOUNDS, cleaned, errors)
    mode = parameters.pop("encoder_mode", None) or "frozen"
    if mode not in ENCODER_MODES:
        errors["encoder_mode"] = f"Unknown encoder mode {mode!r}; use one of {', '.join(ENCODER_MODES)}."
    cleaned["encoder_mode"] = mode
    statuses = parameters.pop("statuses", None) or [Status.APPROVED]
    if isinstance(statuses, str):
        statuses = [part.strip() for part in statuses.split(",") if part.strip()]
    unknown = [s for s in statuses if s not in Status.values]
    if unknown:
        errors["statuses"] = f"Unknown status {unknown[0]!r}; use {', '.join(Status.values)}."
    cleaned["statuses"] = sorted(set(statuses))
    splits = parameters.pop("splits", None) or []
    if isinstance(splits, str):
        splits = [part.strip() for part in splits.split(",") if part.strip()]
    unknown = [s for s in splits if s not in Split.values]
    if unknown:
        errors["splits"] = f"Unknown split {unknown[0]!r}; use {', '.join(Split.values)} (none: all)."
    cleaned["splits"] = sorted(set(splits))  # empty: pairs of every split
    sources = parameters.pop("sources", None) or []
    try:
        sources = sorted({int(s) for s in sources})
    except (TypeError, ValueError):
        errors["sources"] = "Source ids must be whole numbers."
        sources = []
    missing = set(sources) - set(Source.objects.filter(pk__in=sources).values_list("pk", flat=True))
    if missing:
        errors["sources"] = f"No source with id {', '.join(map(str, sorted(missing)))}."
    cleaned["sources"] = sources
    cleaned["include_unlabelled"] = bool(parameters.pop("include_unlabelled", False))
    if parameters:
        errors.update({name: "Unknown parameter." for name in parameters})
    if errors:
        raise ValidationError(errors)
    return cleaned


@dataclass
class TrainingSet:
    """Texts with labels (0 original, 1 simplified) and their side of the split; `pairs` index `texts`."""

    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    test: list[bool] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (original index, simplified index)
    snapshot: dict = field(default_factory=dict)
    snapshot_hash: str = ""

    def indexes(self, *, test: bool) -> list[int]:
        return [i for i, is_test in enumerate(self.test) if is_test == test]


def _pair_segments(parameters: dict):
    segments = Segment.objects.filter(status__in=parameters["statuses"]).exclude(simplified="")
    if parameters.get("splits"):
        segments = segments.filter(split__in=parameters["splits"])
    if parameters.get("sources"):
        segments = segments.filter(document__source_id__in=parameters["sources"])
    return segments


def training_set_build(parameters: dict) -> TrainingSet:
    """The texts a reward model trains and is tested on, split by document (reward_eval.document_split).

    Pairs: segments in the chosen statuses (default approved) with a simplified side that differs from
    the original. With `include_unlabelled`, the originals of unlabelled-split segments without a
    simplified side are added as extra label-0 texts, on the side of their document (documents that have
    no pair always train). Raises ValueError with what to do when there is too little data."""
    pairs = [
        row
        for row in _pair_segments(parameters)
        .order_by("document_id", "position")
        .values_list("pk", "version", "document_id", "original", "simplified")
        if row[3].strip() != row[4].strip()
    ]
    unlabelled = []
    if parameters.get("include_unlabelled"):
        extra = Segment.objects.filter(split=Split.UNLABELLED, simplified="")
        if parameters.get("sources"):
            extra = extra.filter(document__source_id__in=parameters["sources"])
        unlabelled = list(
            extra.order_by("document_id", "position").values_list("pk", "version", "document_id", "original")
        )
    if len(pairs) < 4:
        raise ValueError(
            f"Only {len(pairs)} usable pair(s) (statuses {', '.join(parameters['statuses'])}, a simplified "
            "side that differs from the original); at least 4 are needed. Approve more pairs first."
        )
    train_docs, test_docs = document_split(
        [doc for _, _, doc, _, _ in pairs], seed=parameters["seed"], test_fraction=parameters["test_fraction"]
    )
    data = TrainingSet()
    for _pk, _version, doc, original, simplified in pairs:
        is_test = doc in test_docs
        start = len(data.texts)
        data.texts += [original, simplified]
        data.labels += [0, 1]
        data.test += [is_test, is_test]
        data.pairs.append((start, start + 1))
    for _pk, _version, doc, original in unlabelled:
        if original.strip():
            data.texts.append(original)
            data.labels.append(0)
            data.test.append(doc in test_docs)
    data.snapshot = {
        "rule": "by-document",
        "seed": parameters["seed"],
        "test_fraction": parameters["test_fraction"],
        "test_documents": sorted(test_docs),
        "train_documents": sorted(train_docs),
        "pairs": [[pk, version, "test" if doc in test_docs else "train"] for pk, version, doc, _, _ in pairs],
        "unlabelled": [
            [pk, version, "test" if doc in test_docs else "train"]
            for pk, version, doc, text in unlabelled
            if text.strip()
        ],
    }
    data.snapshot_hash = snapshot_hash(data.snapshot)
    return data


def snapshot_hash(snapshot: dict) -> str:
    """SHA-256 of the (segment id, version, side) lists and the split settings, canonical JSON."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---- training runs ----------------------------------------------------------------------------------


@transaction.atomic
def reward_train_start(*, user, parameters: dict | None = None, demo: bool = False) -> ModelRun:
    """Start training a reward model: a ModelRun (kind train, target reward) and its Job on queue gpu.

    `demo` (the demo loader only, never a request): the version is labelled "demo-trained" and the
    worker activates it when it is trained, unless another version is active by then."""
    require_curator(user)
    cleaned = train_parameters_clean(parameters)
    if demo:
        cleaned["demo"] = True
    run = ModelRun.objects.create(
        kind=ModelRun.Kind.TRAIN,
        model_name="reward classifier (all-MiniLM-L6-v2 + logistic regression)",
        parameters=cleaned,
        seed=cleaned["seed"],
        selection={"statuses": cleaned["statuses"], "sources": cleaned["sources"]},
        requested_by=user,
    )
    run.job = job_create(
        kind="reward_train", task=TRAIN_REWARD_TASK, requested_by=user, parameters={"run": run.pk}
    )
    run.save(update_fields=["job", "updated_at"])
    audit_record(actor=user, action="reward_model.train", obj=run, details=cleaned)
    return run


def artifact_dir_relative(token: str) -> str:
    """Folder of one artefact relative to MEDIA_ROOT; `token` is unique (a UUID), never the version, so
    test databases or two sites sharing a MEDIA_ROOT never overwrite each other's files."""
    return f"reward_models/{token}"


@transaction.atomic
def reward_model_create(
    *,
    job: Job | None,
    created_by,
    parameters: dict,
    training: TrainingSet,
    metrics: dict,
    encoder: str,
    artifact_path: str,
    artifact_sha256: str,
) -> RewardModel:
    """Register a trained model as the next version (inactive until a curator activates it; a demo
    training, `parameters["demo"]`, is labelled "demo-trained" and activated here unless another version
    is active, in the name of the curator who loaded the demo)."""
    with connection.cursor() as cursor:  # one version number per model, even with two trainings at once
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('equitext.reward_model.version'))")
    version = (RewardModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    model = RewardModel.objects.create(
        version=version,
        encoder=encoder[:200],
        training_snapshot=training.snapshot,
        snapshot_hash=training.snapshot_hash,
        parameters=parameters,
        metrics=metrics,
        artifact_path=artifact_path,
        artifact_sha256=artifact_sha256,
        created_by=created_by,
        job=job,
        label=DEMO_LABEL if parameters.get("demo") else "",
    )
    audit_record(
        actor=created_by,
        action="reward_model.create",
        obj=model,
        details={"version": version, "beats_baseline": metrics.get("beats_baseline")},
    )
    if parameters.get("demo") and not RewardModel.objects.filter(is_active=True).exists():
        model = reward_model_activate(reward_model_id=model.pk, user=created_by)
    return model


@transaction.atomic
def reward_model_activate(*, reward_model_id: int, user) -> RewardModel:
    """Make this version the one used for scoring (the previous active one is deactivated); audited."""
    require_curator(user)
    model = RewardModel.objects.select_for_update().get(pk=reward_model_id)
    if not model.artifact_path:
        raise ValidationError("This reward model has no artefact file; train a new version.")
    previous = list(RewardModel.objects.select_for_update().filter(is_active=True).exclude(pk=model.pk))
    RewardModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    if not model.is_active:
        model.is_active = True
        model.activated_by = user
        model.activated_at = timezone.now()
        model.save(update_fields=["is_active", "activated_by", "activated_at", "updated_at"])
    audit_record(
        actor=user,
        action="reward_model.activate",
        obj=model,
        details={
            "version": model.version,
            "previous": [m.version for m in previous],
            "beats_baseline": model.beats_baseline,
        },
    )
    return model


@transaction.atomic
def reward_model_deactivate(*, reward_model_id: int, user) -> RewardModel:
    """No reward model active: new candidates get no reward until one is activated again; audited."""
    require_curator(user)
    model = RewardModel.objects.select_for_update().get(pk=reward_model_id)
    if model.is_active:
        model.is_active = False
        model.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=user, action="reward_model.deactivate", obj=model, details={"version": model.version}
        )
    return model


def reward_model_active() -> RewardModel | None:
    return RewardModel.objects.filter(is_active=True).first()


def artifact_file(model: RewardModel):
    from pathlib import Path

    return Path(settings.MEDIA_ROOT) / model.artifact_path


# ---- scheduled retraining ---------------------------------------------------------------------------


def new_pairs_since_last_version() -> tuple[int, RewardModel | None]:
    """(approved pairs that are new or changed since the latest version's snapshot, that version)."""
    latest = RewardModel.objects.order_by("-version").first()
    seen = set()
    if latest:
        seen = {(pk, version) for pk, version, _ in latest.training_snapshot.get("pairs", [])}
    current = (
        _pair_segments({"statuses": [Status.APPROVED], "sources": []})
        .values_list("pk", "version", "original", "simplified")
        .iterator(chunk_size=2000)
    )
    count = sum(
        1
        for pk, version, original, simplified in current
        if (pk, version) not in seen and original.strip() != simplified.strip()
    )
    return count, latest


def retrain_parameters(latest: RewardModel | None) -> dict:
    """A scheduled retrain keeps the latest version's choices (statuses, split, head), with defaults."""
    keep = {
        k: v
        for k, v in (latest.parameters if latest else {}).items()
        if k in TRAIN_BOUNDS or k in ("encoder_mode", "statuses", "splits", "sources", "include_unlabelled")
    }
    try:
        return train_parameters_clean(keep)
    except ValidationError:  # e.g. a source deleted since: fall back to the defaults
        return train_parameters_clean({})


def min_new_pairs_default() -> int:
    return settings.REWARD_RETRAIN_MIN_NEW_PAIRS
