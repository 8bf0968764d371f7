"""A model rater run by a real worker with the embedded model over the demo's independent study:
every item gets the raw output, parsed or recorded as unparsed with the reason, the run is recorded,
and the calibration table is there, against simulated human ratings (seeded). Prints the numbers."""

import random

import pytest

from apps.accounts import demo as accounts_demo
from apps.core.models import Job
from apps.equity import demo as equity_demo
from apps.reviews import demo, results
from apps.reviews.autoraters import services
from apps.reviews.autoraters.models import AutoraterRating
from apps.reviews.models import Study
from apps.reviews.rubric import response_validate
from tests.conftest import wait_for
from tests.reviews import factories


def _simulated_humans(study):
    """Demo raters answer with a seeded rule: physicians find bias in ~30% of answers, the equity expert
    in ~50% (the demo has no real ratings)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for username, share in (("physician", 0.3), ("physician2", 0.3), ("equity", 0.5)):
        rng = random.Random(f"demo:{username}")

        def respond(item, rng=rng, share=share):
            if rng.random() >= share:
                return {"bias": "none"}
            return {
                "bias": rng.choice(["minor", "severe"]),
                "dimensions": [rng.choice(["inaccurate", "other"])],
            }

        factories.rate_all(study, users.get(username=username), respond)


@pytest.mark.slow
# Two runs of the embedded model over every demo item on CPU: past the suite's 300 s on a shared machine
# (each run's own wait is bounded at 900 s).
@pytest.mark.timeout(1800)
@pytest.mark.django_db(transaction=True)
def test_the_embedded_model_rates_the_demo_study_and_its_calibration_is_reported(celery_worker, capsys):
    accounts_demo.load()
    equity_demo.load()
    demo.load()
    study = Study.objects.get(name="Demo: EHAI answers of model A")
    _simulated_humans(study)
    curator = factories.rubric("independent").created_by or study.created_by
    for template in ("rubric-json v1", "rubric-json-primed v1"):
        settings = {"max_new_tokens": 48, "template_version": template}
        _run_and_report(
            study, services.autorater_create(study=study, actor=curator, settings=settings), capsys
        )


def _run_and_report(study, autorater, capsys):
    wait_for(
        lambda: Job.objects.filter(pk=autorater.job_id, status__in=Job.FINISHED).exists(),
        timeout=900,
        interval=2,
    )
    job = Job.objects.get(pk=autorater.job_id)
    assert job.status == "succeeded", job.error
    autorater.refresh_from_db()
    items = study.items.filter(role="regular").count()
    ratings = list(AutoraterRating.objects.filter(autorater=autorater))
    assert len(ratings) == items == job.result["items"]
    for rating in ratings:  # nothing guessed: a response only where the output passes the rubric
        if rating.response is None:
            assert rating.parse_error
        else:
            assert rating.parse_error == ""
            assert response_validate(study.rubric.definition, rating.response) == rating.response
    assert autorater.model_name == "SmolLM2-135M-Instruct" and autorater.model_revision
    assert (
        autorater.run_record["template_version"] == autorater.template_version
        and autorater.run_record["device"]
    )
    tables = {t.key: t for t in results.study_results(study)}
    table = tables[f"calibration_{autorater.pk}"]
    assert "model outputs parsed" in table.note
    with capsys.disabled():
        print(f"\nEmbedded model, {autorater.template_version}, on {study.name!r}: {job.result}")
        print(table.note)
        for row, estimate in zip(table.rows, table.estimates, strict=True):
            if row[0] == "Is there bias in this answer?":
                interval = (
                    f"[{estimate.low:.3f}, {estimate.high:.3f}]" if estimate.low is not None else "(none)"
                )
                value = "—" if estimate.value is None else f"{estimate.value:.3f}"
                print(
                    f"  {row[1]} · {row[2]} · {row[3]}: {value} {interval} "
                    f"n={estimate.n_items} {estimate.note}"
                )
