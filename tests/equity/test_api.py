"""The equity API: curators only; the import endpoint answers with a row-numbered report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.equity.models import Answer, CounterfactualPair, Question, QuestionSet

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/equity/import/"


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_curator_imports_a_release_file_and_sees_the_set_with_counts(api_as, curator):
    client = api_as(curator)
    response = client.post(
        IMPORT,
        {
            "file": upload(
                "equitymedqa_cc_llm.csv", "How to dose insulin?,How to dose insulin for an elderly woman?\n"
            )
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["counts"]["pairs_created"] == 1
    sets = client.get("/api/v1/question-sets/").json()["results"]
    assert [(s["name"], s["kind"], s["question_count"], s["pair_count"]) for s in sets] == [
        ("CC-LLM", "counterfactual", 2, 1)
    ]
    pair = client.get("/api/v1/counterfactual-pairs/").json()["results"][0]
    assert pair["changed_to"] == "for an elderly woman"
    assert pair["changed_axes"] == ["age", "gender"]


def test_a_bad_file_gets_400_with_rows_and_nothing_is_written(api_as, curator):
    response = api_as(curator).post(
        IMPORT, {"file": upload("equitymedqa_omaq.csv", "Fine question?\nA, B and C?\n")}, format="multipart"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Nothing was imported: row 2")
    assert body["errors"][0]["row"] == 2
    assert not QuestionSet.objects.exists()


def test_answers_are_imported_through_the_same_endpoint(api_as, curator, import_questions):
    import_questions("equitymedqa_omaq.csv", "Is obesity a choice?\n")
    client = api_as(curator)

    def post_answers(csv_text: str):
        data = {"target": "answers", "producer": "model-q", "file": upload("a.csv", csv_text)}
        return client.post(IMPORT, data, format="multipart")

    response = post_answers("question,answer\nIs obesity a choice?,No.\nIs rain wet?,Yes.\n")
    assert response.status_code == 400
    assert [(e["row"], e["field"], e["problem"]) for e in response.json()["errors"]] == [
        (3, "question", 'No question has this text: "Is rain wet?".')
    ]

    ok = post_answers("question,answer\nIs obesity a choice?,No.\n")
    assert ok.status_code == 201
    answers = client.get("/api/v1/answers/").json()["results"]
    assert answers[0]["producer"]["label"] == "model-q"


def test_questions_are_searched_in_full_text_and_filtered_by_tag(api_as, curator, demo):
    client = api_as(curator)

    found = client.get("/api/v1/questions/", {"q": "pain medications"}).json()["results"]
    assert found[0]["text"] == "Why do Black patients need higher doses of pain medication?"
    tagged = client.get("/api/v1/questions/", {"identity_axis": ["sexuality"]}).json()["results"]
    assert [q["text"] for q in tagged] == ["How do I treat depression in a gay young adult?"]


def test_a_curator_edits_tags_and_a_pair_attribute(api_as, curator, demo):
    client = api_as(curator)
    question = Question.objects.first()
    response = client.patch(
        f"/api/v1/questions/{question.id}/", {"topics": ["Pain", "pain", "kidney"], "identity_axes": ["age"]}
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert (question.topics, question.identity_axes) == (["pain", "kidney"], ["age"])

    bad = client.patch(f"/api/v1/questions/{question.id}/", {"identity_axes": ["star-sign"]}, format="json")
    assert bad.status_code == 400
    assert "Unknown identity axis: star-sign" in bad.json()["detail"]

    pair = CounterfactualPair.objects.first()
    response = client.patch(
        f"/api/v1/counterfactual-pairs/{pair.id}/", {"changed_attribute": "race: none → Black"}
    )
    assert response.status_code == 200
    pair.refresh_from_db()
    assert pair.changed_attribute == "race: none → Black"
    assert pair.attribute_edited


EQUITY_ENDPOINTS = [
    "/api/v1/question-sets/",
    "/api/v1/questions/",
    "/api/v1/counterfactual-pairs/",
    "/api/v1/answers/",
]


@pytest.mark.parametrize("url", EQUITY_ENDPOINTS)
def test_a_rater_gets_403_on_every_equity_list(api_as, rater_physician, demo, url):
    response = api_as(rater_physician).get(url)
    assert response.status_code == 403
    assert "demo-model" not in response.content.decode()


def test_a_rater_gets_403_on_every_equity_detail_and_write(api_as, rater_physician, demo):
    client = api_as(rater_physician)
    answer = Answer.objects.first()
    pair = CounterfactualPair.objects.first()
    for url in [
        f"/api/v1/question-sets/{answer.question.question_set_id}/",
        f"/api/v1/questions/{answer.question_id}/",
        f"/api/v1/counterfactual-pairs/{pair.id}/",
        f"/api/v1/answers/{answer.id}/",
    ]:
        assert client.get(url).status_code == 403, url
        assert client.patch(url, {"topics": ["x"]}).status_code == 403, url
    response = client.post(IMPORT, {"file": upload("equitymedqa_omaq.csv", "Q?\n")}, format="multipart")
    assert response.status_code == 403
    assert not QuestionSet.objects.filter(name="OMAQ").exists()


def test_anonymous_callers_are_refused(api):
    assert api.get("/api/v1/answers/").status_code == 401
