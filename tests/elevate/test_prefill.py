"""Pre-fill: marked, editable, never overwriting a person's answer; providers per subject kind."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import reverse

from apps.elevate import prefill, services
from apps.elevate.models import ItemResponse
from apps.elevate.prefill import Prefill
from apps.reviews.models import Study
from apps.scoring.models import Candidate, ModelRun
from tests.elevate.conftest import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def publication_provider(monkeypatch):
    """A provider for publications (which have none by default), to exercise the mechanism itself."""
    calls = []

    def answers(assessment):
        calls.append(assessment.pk)
        return {
            "1.1": Prefill("reported", "Registry entry", "Model X, revision abc.", "trial registry"),
            "5.3": Prefill("not_reported", "", "No seed stored.", "trial registry"),
            "99.9": Prefill("reported", "", "", "trial registry"),  # not in this checklist: ignored
        }

    monkeypatch.setitem(prefill.PROVIDERS, "publication", answers)
    return calls


def test_an_external_publication_has_nothing_to_prefill(publication):
    assert prefill.prefill_for(publication) == {}
    assert not publication.responses.exists()


def test_prefilled_answers_are_marked_with_their_source(curator, checklist, publication_provider):
    assessment = services.assessment_create(assessor=curator, subject_kind="publication", title="Paper")
    responses = {r.item.code: r for r in assessment.responses.select_related("item")}
    assert set(responses) == {"1.1", "5.3"}
    assert all(r.prefilled and r.prefill_source == "trial registry" for r in responses.values())
    assert (responses["5.3"].status, responses["5.3"].comment) == ("not_reported", "No seed stored.")


def test_prefilled_answers_stay_editable_and_are_then_a_persons_answer(
    client, curator, checklist, publication_provider
):
    assessment = services.assessment_create(assessor=curator, subject_kind="publication", title="Paper")
    client.force_login(curator)
    page = client.get(reverse("elevate:assessment_detail", args=[assessment.pk])).content.decode()
    assert page.count("Pre-filled from trial registry") == 2

    services.response_save(
        assessment=assessment,
        item=item(assessment, "1.1"),
        actor=curator,
        status="partial",
        comment="Revision unclear.",
    )
    edited = ItemResponse.objects.get(assessment=assessment, item__code="1.1")
    assert (edited.status, edited.prefilled, edited.prefill_source) == ("partial", False, "trial registry")
    page = client.get(reverse("elevate:assessment_detail", args=[assessment.pk])).content.decode()
    assert "Edited after pre-fill from trial registry" in page

    # Pre-filling again refreshes untouched pre-filled answers but keeps the person's answer.
    assert services.assessment_prefill(assessment=assessment, actor=curator) == 1
    assert ItemResponse.objects.get(assessment=assessment, item__code="1.1").status == "partial"


def test_saving_an_unchanged_prefilled_answer_keeps_its_mark(curator, checklist, publication_provider):
    assessment = services.assessment_create(assessor=curator, subject_kind="publication", title="Paper")
    services.response_save(
        assessment=assessment,
        item=item(assessment, "1.1"),
        actor=curator,
        status="reported",
        location="Registry entry",
        comment="Model X, revision abc.",
    )
    assert ItemResponse.objects.get(assessment=assessment, item__code="1.1").prefilled


def test_prefill_can_be_switched_off(curator, checklist, publication_provider):
    assessment = services.assessment_create(
        assessor=curator, subject_kind="publication", title="P", prefill=False
    )
    assert publication_provider == [] and not assessment.responses.exists()


def test_a_study_prefills_its_fairness_design_and_seed(curator, checklist):
    from apps.accounts.models import RaterGroup

    Study, Rubric, StudyQuota = (apps.get_model("reviews", n) for n in ("Study", "Rubric", "StudyQuota"))
    rubric = Rubric.objects.first() or pytest.fail("the reviews migrations seed the rubrics")
    study = Study.objects.create(name="Equity review of answers", rubric=rubric, seed=20240611)
    StudyQuota.objects.create(study=study, group=RaterGroup.objects.get(slug="physician"), quota=3)

    assessment = services.assessment_create(assessor=curator, subject_kind="study", subject_id=study.pk)

    assert assessment.title == "Equity review of answers"
    answers = {r.item.code: r for r in assessment.responses.select_related("item")}
    assert answers["7.2"].status == "reported" and str(rubric) in answers["7.2"].comment
    assert answers["7.3"].status == "partial" and "3 per item" in answers["7.3"].comment
    assert answers["5.3"].comment == "Randomisation seed 20240611."
    assert all(r.prefilled and r.prefill_source == f"study #{study.pk}" for r in answers.values())


def test_a_model_runs_fields_become_model_and_reproducibility_answers():
    # An unsaved scoring.ModelRun: how the provider reads its fields (parameters listed, the seed…).
    run = ModelRun(
        pk=7,
        model_name="HuggingFaceTB/SmolLM2-135M-Instruct",
        model_revision="Q4_1 gguf 1.0.0",
        parameters={"temperature": 0.7, "top_p": 0.9, "max_new_tokens": 96},
        prompt_template="plain-language",
        seed=0,
    )
    answers = prefill.run_answers(run)
    assert answers["1.1"] == Prefill(
        "reported",
        "Equitext model run #7",
        "Model HuggingFaceTB/SmolLM2-135M-Instruct, revision Q4_1 gguf 1.0.0.",
        "model run #7",
    )
    assert answers["5.1"].comment == "Prompt template: plain-language"  # no version: the key alone
    assert answers["5.2"].comment == "max_new_tokens=96, temperature=0.7, top_p=0.9"
    assert (answers["5.3"].status, answers["5.3"].comment) == ("reported", "Seed 0.")
    assert answers["5.4"].status == "partial"
    run.seed, run.model_revision = 1234, ""
    answers = prefill.run_answers(run)
    assert answers["5.3"].comment == "Seed 1234." and answers["1.1"].status == "partial"
    assert "5.4" not in answers


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (ModelRun, ["model_name", "model_revision", "model_path", "parameters", "prompt_template", "seed"]),
        (ModelRun, ["prompt_version", "job", "segments"]),
        (Candidate, ["run", "segment", "sari", "bleu", "reward", "grade", "flags"]),
        (Study, ["rubric", "seed", "quotas", "items"]),
    ],
)
def test_a_field_the_prefill_reads_cannot_be_renamed_silently(model, fields):
    """The providers read these fields by name (the model-run and study tests above run them on real
    rows): renaming one fails here and there, instead of quietly pre-filling less as getattr did."""
    for name in fields:
        assert model._meta.get_field(name), f"{model.__name__}.{name}: update apps/elevate/prefill.py"


def test_a_run_without_a_field_the_prefill_reads_is_an_error_not_a_silent_gap():
    run = SimpleNamespace(
        pk=3, model_name="m", model_revision="r", model_path="", parameters={}, prompt_template=""
    )
    with pytest.raises(AttributeError, match="seed"):
        prefill.run_answers(run)


def test_a_model_run_prefills_model_reproducibility_accuracy_and_faithfulness(client, curator, checklist):
    Source, Document, Segment = (apps.get_model("corpus", n) for n in ("Source", "Document", "Segment"))
    ModelRun, Candidate = (apps.get_model("scoring", n) for n in ("ModelRun", "Candidate"))
    document = Document.objects.create(source=Source.objects.create(name="NCI (test)"), title="Colon cancer")
    segments = [
        Segment.objects.create(
            document=document, position=i, original=f"Sentence {i}.", simplified=f"Simple {i}."
        )
        for i in (1, 2, 3)
    ]
    run = ModelRun.objects.create(
        model_name="SmolLM2-135M-Instruct",
        model_revision="sha256:0f3a",
        parameters={"temperature": 0.7, "n": 2},
        prompt_template="plain-language",
        prompt_version=1,
        seed=42,
        job=apps.get_model("core", "Job").objects.create(kind="model_run", status="succeeded"),
    )
    run.segments.set(segments)
    for segment, index, sari, bleu, flags in (
        (segments[0], 0, 40.0, 20.0, []),
        (segments[0], 1, 30.0, 10.0, [{"code": "number", "severity": "high"}]),
        (segments[1], 0, 35.0, 15.0, []),
    ):
        Candidate.objects.create(
            run=run, segment=segment, index=index, text="…", sari=sari, bleu=bleu, grade=7.0, flags=flags
        )

    assessment = services.assessment_create(assessor=curator, subject_kind="model_run", subject_id=run.pk)

    assert assessment.title == str(run) and assessment.subject_key == f"model_run:{run.pk}"
    answers = {r.item.code: r for r in assessment.responses.select_related("item")}
    assert all(r.prefilled and r.prefill_source == f"model run #{run.pk}" for r in answers.values())
    assert (answers["1.1"].status, answers["1.1"].comment) == (
        "reported",
        "Model SmolLM2-135M-Instruct, revision sha256:0f3a.",
    )
    from apps.scoring.prompts import template_get

    assert answers["5.1"].status == "reported" and "plain-language v1" in answers["5.1"].comment
    assert template_get("plain-language", 1).instruction in answers["5.1"].comment
    assert answers["5.2"].comment == "n=2, temperature=0.7"
    assert answers["5.3"].comment == "Seed 42."
    assert answers["2.2"].status == "partial"
    assert answers["2.2"].comment.startswith(
        "mean SARI 35.0, mean BLEU 15.0, mean Flesch-Kincaid grade 7.0 over 3"
    )
    assert (answers["3.1"].status, answers["3.1"].comment) == (
        "partial",
        "3 candidates for 2 of the 3 selected segments.",
    )
    assert answers["4.2"].comment == "1 of 3 candidates were flagged."

    client.force_login(curator)
    page = client.get(reverse("elevate:assessment_detail", args=[assessment.pk])).content.decode()
    assert page.count(f"Pre-filled from model run #{run.pk}") == len(answers)
