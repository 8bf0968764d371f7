"""Unusual Unicode round-trips intact: import → page/API → edit → export, question import → study →
rating comment → ratings export, ELEVATE comment → assessments export.

Equitext does NOT normalise Unicode (no NFC/NFKC): "e" + U+0301 stays distinct from "é" (U+00E9), a
zero-width joiner stays inside its emoji sequence, right-to-left text keeps its order. What a curator or
rater typed comes back byte for byte. The one documented exception: EquityMedQA question texts, set
names and tags collapse runs of whitespace (NBSP and U+2028 included) to one space, because questions
are deduplicated on that form; segment texts, answers, comments and notes keep every character."""

import csv
import io
import json
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.corpus.models import Segment
from apps.elevate import services as elevate_services
from apps.elevate.models import ChecklistItem
from apps.equity.models import Answer, Producer, Question, QuestionSet
from apps.reviews import assignment as assignment_services
from apps.reviews import services as review_services
from apps.reviews.models import Rating, Rubric
from tests.factories import make_rater

pytestmark = pytest.mark.django_db

ARABIC = "ضغط الدم المرتفع 120/80 mmHg عند Dr. Smith"
HEBREW = "לחץ דם גבוה 140/90 אצל Dr. Cohen"
ZWJ = "👩‍⚕️ 👨‍👩‍👧"  # woman health worker; family (zero-width joiners inside)
COMBINING = "cafe\u0301 / caf\u00e9"  # decomposed and precomposed é, both kept as they are
ASTRAL = "𝔼𝕢𝕦𝕚𝕥𝕪 🫀 🧬"
SPACES = "10\u00a0mg\u2028second line"  # no-break space and LINE SEPARATOR inside the text
TEXT = f"{ARABIC} · {HEBREW} · {ZWJ} · {COMBINING} · {ASTRAL} · {SPACES}"
EDITED = f"{HEBREW} {ZWJ}\u200d · {COMBINING} ({ARABIC}) {SPACES}"
NO_SPACE_RUNS = f"{ARABIC} · {HEBREW} · {ZWJ} · {COMBINING} · {ASTRAL}"  # survives whitespace collapsing


def test_the_strings_are_what_they_claim():
    assert "\u200d" in ZWJ and "\u0301" in COMBINING and "\u00e9" in COMBINING
    assert any(ord(c) > 0xFFFF for c in ASTRAL) and "\u2028" in SPACES and "\u00a0" in SPACES


def jsonl_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    # JSON Lines separates records by "\n" only: U+2028 inside a value is not a line break.
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def curator_api(curator):
    client = APIClient()
    client.force_authenticate(curator)
    return client


def test_corpus_import_edit_and_export_keep_every_character(client, curator, curator_api):
    bom_csv = (
        "\ufeff"
        + "original,simplified,document,topic\r\n"
        + f'"{TEXT}","{TEXT} (plain)","{HEBREW}",{ZWJ}\r\n'
    )
    jsonl = json.dumps({"original": f"{COMBINING} {ASTRAL} jsonl", "simplified": SPACES}, ensure_ascii=False)
    for name, content in (("bom.csv", bom_csv), ("rows.jsonl", jsonl + "\n")):
        response = curator_api.post(
            "/api/v1/corpus/import/",
            {"file": SimpleUploadedFile(name, content.encode("utf-8")), "preset": "simpledc"},
        )
        assert response.status_code == 201, response.json()

    segment = Segment.objects.get(original=TEXT)
    assert segment.simplified == f"{TEXT} (plain)"
    assert segment.document.title == HEBREW and segment.document.topic == ZWJ
    assert Segment.objects.get(original=f"{COMBINING} {ASTRAL} jsonl").simplified == SPACES
    api = curator_api.get(f"/api/v1/segments/{segment.pk}/").json()
    assert (api["original"], api["simplified"]) == (TEXT, f"{TEXT} (plain)")

    # Edit through the editor's save endpoint, then the page shows the new text.
    client.force_login(curator)
    saved = client.post(
        f"/corpus/segments/{segment.pk}/save/",
        {"version": segment.version, "simplified": EDITED, "status": segment.status, "split": segment.split},
    )
    assert saved.status_code in (200, 302)
    segment.refresh_from_db()
    assert segment.simplified.encode("utf-8") == EDITED.encode("utf-8")
    page = client.get(f"/corpus/documents/{segment.document_id}/").content.decode()
    assert EDITED in page and TEXT in page

    by_original = {r["original"]: r for r in jsonl_rows(curator_api.get("/api/v1/exports/corpus.jsonl"))}
    assert by_original[TEXT]["simplified"] == EDITED
    assert by_original[f"{COMBINING} {ASTRAL} jsonl"]["simplified"] == SPACES
    assert (by_original[TEXT]["document_title"], by_original[TEXT]["topic"]) == (HEBREW, ZWJ)
    csv_by_original = {r["original"]: r for r in csv_rows(curator_api.get("/api/v1/exports/corpus.csv"))}
    assert csv_by_original[TEXT]["simplified"] == EDITED
    assert csv_by_original[f"{COMBINING} {ASTRAL} jsonl"]["simplified"] == SPACES


def test_readability_of_unusual_text_answers_finite_numbers(curator_api):
    # The metrics are English formulas: on text that is not English every formula is null (never an
    # English grade), the counts stay finite, and nothing crashes.
    for text in (TEXT, ZWJ, ASTRAL, ARABIC, "\u200d\u2028"):
        response = curator_api.post("/api/v1/readability/", {"text": text}, format="json")
        assert response.status_code == 200, (text, response.content)
        metrics = response.json()["metrics"]
        numbers = {k: v for k, v in metrics.items() if k not in ("language", "english")}
        assert numbers and all(
            v is None or (isinstance(v, int | float) and math.isfinite(v)) for v in numbers.values()
        )
        if not metrics["english"]:
            assert metrics["flesch_kincaid_grade"] is None and response.json()["grade"]["applies"] is False


def test_question_import_rating_comment_and_ratings_export_keep_every_character(client, curator, curator_api):
    rater = make_rater("bob", "physician")
    question_with_spaces = f"{NO_SPACE_RUNS}  {SPACES}?"
    questions = f'"{NO_SPACE_RUNS}?"\n"{question_with_spaces}"\n'.encode()
    imported = curator_api.post(
        "/api/v1/equity/import/",
        {
            "file": SimpleUploadedFile("equitymedqa_omaq.csv", questions),
            "target": "questions",
            "set_name": ZWJ,
        },
    )
    assert imported.status_code == 201, imported.json()
    qset = QuestionSet.objects.get(name=ZWJ)
    first = Question.objects.get(question_set=qset, text=f"{NO_SPACE_RUNS}?")
    # Documented: whitespace runs in a question become one space (NBSP and U+2028 included).
    assert Question.objects.filter(text=f"{NO_SPACE_RUNS} 10 mg second line?").exists()

    # Answers as JSONL with a raw U+2028 inside a JSON string: still one record per "\n" line.
    answers = "".join(
        json.dumps(
            {"question_id": q.pk, "producer": "model-x", "answer": f"{TEXT} #{q.pk}"}, ensure_ascii=False
        )
        + "\n"
        for q in qset.questions.all()
    )
    response = curator_api.post(
        "/api/v1/equity/import/",
        {
            "file": SimpleUploadedFile("answers.jsonl", answers.encode()),
            "target": "answers",
            "question_set": qset.pk,
        },
    )
    assert response.status_code == 201, response.json()["detail"]
    assert Answer.objects.get(question=first).text == f"{TEXT} #{first.pk}"

    rubric = Rubric.objects.filter(kind="independent").order_by("-version").first()
    study = review_services.study_create(
        name=HEBREW,
        rubric=rubric,
        source={"question_set": qset.pk, "producers": [Producer.objects.get(name="model-x").pk]},
        quotas={"physician": 1},
        seed=3,
        actor=curator,
    )
    review_services.study_transition(study=study, action="launch", actor=curator)
    study.refresh_from_db()
    assignment = assignment_services.assignment_lease_next(study=study, rater=rater)
    client.force_login(rater)
    page = client.get(f"/reviews/assignments/{assignment.pk}/").content.decode()
    assert f"{TEXT} #" in page  # the answer, as written

    submitted = client.post(
        f"/reviews/assignments/{assignment.pk}/submit/",
        {"bias": "none", "comment": EDITED, "time_spent_ms": "4000"},
    )
    assert submitted.status_code in (200, 302)
    assert Rating.objects.get(assignment=assignment).response["comment"] == EDITED

    jsonl = jsonl_rows(curator_api.get(f"/api/v1/exports/ratings.jsonl?study={study.pk}"))
    assert [r["value"] for r in jsonl if r["question_key"] == "comment"] == [EDITED]
    assert {r["study"] for r in jsonl} == {HEBREW}
    rows = csv_rows(curator_api.get(f"/api/v1/exports/ratings.csv?study={study.pk}"))
    assert [r["value"] for r in rows if r["question_key"] == "comment"] == [EDITED]


def test_elevate_comment_round_trips_through_the_assessments_export(curator, curator_api):
    assessment = elevate_services.assessment_create(
        assessor=curator, subject_kind="publication", title=ARABIC, prefill=False
    )
    item = ChecklistItem.objects.filter(domain__template=assessment.template_id).order_by("pk").first()
    saved = curator_api.post(
        f"/api/v1/elevate/assessments/{assessment.pk}/responses/",
        {"item_code": item.code, "status": "partial", "location": HEBREW, "comment": EDITED},
        format="json",
    )
    assert saved.status_code == 200, saved.json()

    for url, read in (
        ("/api/v1/exports/assessments.jsonl", jsonl_rows),
        ("/api/v1/exports/assessments.csv", csv_rows),
    ):
        row = next(r for r in read(curator_api.get(url)) if r["item_code"] == item.code)
        assert (row["comment"], row["location"], row["subject_title"]) == (EDITED, HEBREW, ARABIC), url
