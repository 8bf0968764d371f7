"""Size limits (settings "Limits" block, enforced in apps/core/limits.py): every over-limit request or
import is refused with a message naming the limit and the variable that raises it, and writes nothing.

Limits are made small with override_settings so the tests stay fast."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from apps.accounts.models import Invitation
from apps.corpus.models import ImportBatch, Segment
from apps.elevate import selectors as elevate_selectors
from apps.elevate import services as elevate_services
from apps.elevate.models import ItemResponse
from apps.equity.models import Answer, Question, QuestionSet
from apps.reviews.models import Rubric
from tests.factories import RaterGroupFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def web(client, curator):
    client.force_login(curator)
    return client


def _corpus_csv(rows: int) -> bytes:
    lines = ["original,simplified"] + [
        f"Original sentence number {n}.,Plain sentence {n}." for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _big(name: str, size: int) -> SimpleUploadedFile:
    """A file of `size` bytes that is otherwise a valid corpus CSV."""
    head = b"original,simplified\n"
    row = b"A long original sentence about the colon.,Plain words.\n"
    body = head + row * ((size - len(head)) // len(row) + 1)
    return SimpleUploadedFile(name, body[: size - 1] + b"\n", content_type="text/csv")


# --- request body -------------------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
def test_an_oversized_json_body_answers_413_in_the_api_error_shape(web):
    response = web.post(
        "/api/v1/readability/", data=json.dumps({"text": "word " * 1000}), content_type="application/json"
    )

    assert response.status_code == 413
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "EQUITEXT_MAX_REQUEST_MB" in body["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
def test_an_oversized_form_answers_a_readable_413_page_and_saves_nothing(web, curator):
    rubric = Rubric.objects.order_by("pk").first()
    before = (rubric.name, rubric.definition, Rubric.objects.count())

    response = web.post(
        f"/reviews/rubrics/{rubric.pk}/",
        data={"name": "x" * 3000, "definition": json.dumps(rubric.definition)},
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Too large to accept" in text and "EQUITEXT_MAX_REQUEST_MB" in text
    rubric.refresh_from_db()
    assert (rubric.name, rubric.definition, Rubric.objects.count()) == before


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_too_many_form_fields_answer_413_naming_the_limit(web):
    response = web.post("/corpus/import/", data={f"field{n}": "x" for n in range(20)})

    assert response.status_code == 413
    assert "more than 5 fields" in response.content.decode()
    assert "EQUITEXT_MAX_FORM_FIELDS" in response.content.decode()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000, EQUITEXT_MAX_UPLOAD_MB=1)
def test_an_upload_larger_than_body_plus_file_limits_is_refused_unread(web):
    response = web.post(
        "/api/v1/corpus/import/", data={"file": _big("huge.csv", int(1.2 * MB)), "preset": "simpledc"}
    )

    assert response.status_code == 413
    assert "EQUITEXT_MAX_UPLOAD_MB" in response.json()["detail"]
    assert not ImportBatch.objects.exists() and not Segment.objects.exists()


# --- upload size, per import path ----------------------------------------------------------------------


@override_settings(EQUITEXT_MAX_UPLOAD_MB=1)
def test_every_import_refuses_a_file_over_the_upload_limit_and_writes_nothing(web):
    group = RaterGroupFactory(slug="physician")
    size = int(1.1 * MB)
    refusals = []

    page = web.post("/corpus/import/", data={"file": _big("big.csv", size), "preset": "simpledc"})
    refusals.append(("corpus page", page.status_code, page.content.decode()))
    api = web.post("/api/v1/corpus/import/", data={"file": _big("big.csv", size), "preset": "simpledc"})
    refusals.append(("corpus API", api.status_code, json.dumps(api.json())))
    page = web.post("/equity/import/questions/", data={"file": _big("equitymedqa_omaq.csv", size)})
    refusals.append(("equity page", page.status_code, page.content.decode()))
    api = web.post(
        "/api/v1/equity/import/", data={"file": _big("equitymedqa_omaq.csv", size), "target": "questions"}
    )
    refusals.append(("equity API", api.status_code, json.dumps(api.json())))
    page = web.post("/invitations/import/", data={"file": _big("raters.csv", size), "days": 7})
    refusals.append(("invitations page", page.status_code, page.content.decode()))
    api = web.post("/api/v1/invitations/import/", data={"file": _big("raters.csv", size)})
    refusals.append(("invitations API", api.status_code, json.dumps(api.json())))

    for where, status, text in refusals:
        assert status == 400, where
        assert "the limit is 1 MB per file" in text, where
        assert "EQUITEXT_MAX_UPLOAD_MB" in text, where
    assert not Segment.objects.exists() and not ImportBatch.objects.exists()
    assert not QuestionSet.objects.exists() and not Invitation.objects.exists()
    assert group.pk  # the invitation rows would have been valid but for the size


# --- rows per import ------------------------------------------------------------------------------------


@override_settings(EQUITEXT_MAX_IMPORT_ROWS=3)
def test_imports_over_the_row_limit_are_refused_naming_the_row_and_the_limit(web, curator):
    corpus_page = web.post(
        "/corpus/import/",
        data={"file": SimpleUploadedFile("four.csv", _corpus_csv(4)), "preset": "simpledc"},
        follow=True,
    )
    jsonl = "\n".join(json.dumps({"original": f"Sentence {n}."}) for n in range(5)).encode()
    corpus_api = web.post(
        "/api/v1/corpus/import/",
        data={"file": SimpleUploadedFile("five.jsonl", jsonl), "preset": "simpledc"},
    )
    questions = "\n".join(f"Is question {n} fair?" for n in range(4)).encode()
    equity_api = web.post(
        "/api/v1/equity/import/",
        data={"file": SimpleUploadedFile("equitymedqa_omaq.csv", questions), "target": "questions"},
    )

    assert "more than 3 rows" in corpus_page.content.decode()
    assert "EQUITEXT_MAX_IMPORT_ROWS" in corpus_page.content.decode()
    assert corpus_api.status_code == 400
    problem = corpus_api.json()["errors"][0]
    assert problem["problem"].startswith("Row 4:") and "EQUITEXT_MAX_IMPORT_ROWS" in problem["problem"]
    assert equity_api.status_code == 400
    assert equity_api.json()["errors"][0]["row"] == 4
    assert "more than 3 rows" in equity_api.json()["detail"]
    assert not Segment.objects.exists() and not QuestionSet.objects.exists()
    assert all(batch.state == ImportBatch.State.REJECTED for batch in ImportBatch.objects.all())

    # At the limit the same files go in.
    fits = web.post(
        "/api/v1/corpus/import/",
        data={"file": SimpleUploadedFile("three.csv", _corpus_csv(3)), "preset": "simpledc"},
    )
    assert fits.status_code == 201 and Segment.objects.count() == 3


@override_settings(EQUITEXT_MAX_IMPORT_ROWS=2)
def test_an_answer_file_over_the_row_limit_writes_no_answer(web):
    imported = web.post(
        "/api/v1/equity/import/",
        data={
            "file": SimpleUploadedFile("equitymedqa_omaq.csv", b"Is it fair?\nIs it safe?\n"),
            "target": "questions",
        },
    )
    assert imported.status_code == 201
    questions = list(Question.objects.order_by("position"))
    answers = "question_id,producer,answer\n" + "".join(
        f"{questions[n % 2].pk},model-{n},Yes.\n" for n in range(3)
    )

    response = web.post(
        "/api/v1/equity/import/",
        data={"file": SimpleUploadedFile("answers.csv", answers.encode()), "target": "answers"},
    )

    assert response.status_code == 400
    assert "EQUITEXT_MAX_IMPORT_ROWS" in response.json()["detail"]
    assert not Answer.objects.exists()


# --- field lengths ---------------------------------------------------------------------------------------


def test_long_texts_are_refused_with_the_limit_named(web, curator, settings):
    # Corpus segment text: the API names the limit; nothing is saved.
    too_long = "a" * (settings.EQUITEXT_MAX_TEXT_CHARS + 1)
    api = web.post(
        "/api/v1/readability/", data=json.dumps({"text": too_long}), content_type="application/json"
    )
    assert api.status_code == 400
    assert f"the limit is {settings.EQUITEXT_MAX_TEXT_CHARS:,}" in json.dumps(api.json())

    # ELEVATE comment.
    assessment = elevate_services.assessment_create(
        assessor=curator, subject_kind="publication", title="A publication"
    )
    item = elevate_selectors.template_current().domains.first().items.first()
    response = web.post(
        f"/api/v1/elevate/assessments/{assessment.pk}/responses/",
        data={
            "item_code": item.code,
            "status": "partial",
            "comment": "c" * (settings.EQUITEXT_MAX_COMMENT_CHARS + 1),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "EQUITEXT_MAX_COMMENT_CHARS" in json.dumps(response.json())
    assert not ItemResponse.objects.filter(assessment=assessment).exists()

    # A rubric cannot declare a free-text answer longer than the comment limit.
    definition = {
        "questions": [
            {
                "key": "note",
                "label": "Note",
                "type": "text",
                "max_length": settings.EQUITEXT_MAX_COMMENT_CHARS + 1,
            }
        ]
    }
    rubric = web.post(
        "/api/v1/rubrics/",
        data={"name": "Long notes", "kind": "independent", "definition": definition},
        content_type="application/json",
    )
    assert rubric.status_code == 400
    assert "EQUITEXT_MAX_COMMENT_CHARS" in json.dumps(rubric.json())
    assert not Rubric.objects.filter(name="Long notes").exists()
