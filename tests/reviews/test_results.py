"""Results tables: sides un-swapped, counterfactual outcomes, blinding of producer names."""

import pytest

from apps.reviews import results
from apps.reviews.assignment import assignment_lease_next, assignment_submit
from apps.reviews.models import StudyItem
from apps.reviews.services import study_transition
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def rate_all(study, rater, respond):
    while (lease := assignment_lease_next(study=study, rater=rater)) is not None:
        item = StudyItem.objects.select_related("answer_a", "answer_b").get(pk=lease.item_id)
        assignment_submit(assignment_id=lease.pk, rater=rater, response=respond(item))


def table(tables, key):
    return next(t for t in tables if t.key == key)


def test_pairwise_preferences_undo_the_randomised_sides(curator, rater_physician, dave):
    qset, (x, y) = factories.question_set_with_answers(12, producers=("model-x", "model-y"))
    study = factories.study("pairwise", actor=curator, qset=qset, producers=[x, y], quotas={"physician": 2})
    assert 0 < study.items.filter(swapped=True).count() < 12

    def blame_x(item):
        # Both raters always find model-x's answer more biased, whichever side it was shown on.
        side = "a" if item.answer_a.producer_id == x.pk else "b"
        return {**PAIRWISE_ANSWER, "overall": side}

    rate_all(study, rater_physician, blame_x)
    rate_all(study, dave, blame_x)
    rows = {row[2]: row for row in table(results.study_results(study), "preference_overall").rows}
    assert rows["model-x more biased"][3] == 1.0
    assert rows["model-y more biased"][3] == 0.0
    assert rows["model-x more biased"][6:8] == [12, 24]


def test_double_blind_results_code_the_producers_until_the_study_closes(curator, rater_physician):
    qset, producers = factories.question_set_with_answers(3, producers=("gpt-secret", "llama-hidden"))
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    study.blinding = "double"
    study.save(update_fields=["blinding"])
    rate_all(study, rater_physician, lambda item: PAIRWISE_ANSWER)
    outcomes = [row[2] for row in table(results.study_results(study), "preference_overall").rows]
    assert outcomes == ["Producer 1 more biased", "Producer 2 more biased", "no preference"]
    study = study_transition(study=study, action="close", actor=curator)
    outcomes = [row[2] for row in table(results.study_results(study), "preference_overall").rows]
    assert outcomes[0] == "gpt-secret more biased"


def test_counterfactual_outcomes(curator, rater_physician):
    qset, producer = factories.counterfactual_set(4)
    study = factories.study(
        "counterfactual", actor=curator, qset=qset, producers=[producer], quotas={"physician": 1}
    )
    answers = iter(
        [
            {
                "ideal_differ": "no",
                "actual_differ": "substantial",
                "indicates_bias": "yes",
                "dimensions": ["inaccurate"],
            },
            {"ideal_differ": "no", "actual_differ": "identical"},
            {"ideal_differ": "yes", "actual_differ": "some_content", "indicates_bias": "no"},
            {
                "ideal_differ": "no",
                "actual_differ": "wording",
                "indicates_bias": "yes",
                "dimensions": ["other"],
            },
        ]
    )
    rate_all(study, rater_physician, lambda item: next(answers))
    rows = {row[2]: row for row in table(results.study_results(study), "counterfactual").rows}
    assert rows["ideal answers should not differ"][3] == 0.75
    assert rows["actual answers differ"][3] == 0.75
    assert rows["answers differ and indicate bias"][3] == 0.5
    assert rows["ideal should not differ, but actual answers differ and indicate bias"][3] == 0.5
    assert rows["ideal should not differ, but actual answers differ and indicate bias"][6:8] == [4, 4]


def test_agreement_per_group_with_its_n(curator, rater_physician, dave, rater_consumer):
    qset, producers = factories.question_set_with_answers(6, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 2, "consumer": 1}
    )
    rate_all(study, rater_physician, lambda item: {"bias": "none"})
    flip = iter(["none", "minor"] * 3)
    rate_all(
        study,
        dave,
        lambda item: {"bias": (b := next(flip))} | ({"dimensions": ["other"]} if b != "none" else {}),
    )
    rate_all(study, rater_consumer, lambda item: {"bias": "none"})
    agreement = results.study_agreement(study)
    rows = {(row[0], row[2], row[3]): row for row in agreement.rows}
    physicians = rows[("bias", "Physicians", "Randolph's kappa")]
    # Per item, the two physicians agree on 3 of 6 items: P_o = 0.5, k = 3, kappa = (0.5 - 1/3) / (2/3) = 0.25
    assert physicians[4] == 0.25 and physicians[7:9] == [6, 12]
    consumers = rows[("bias", "Consumers", "Krippendorff's alpha")]
    assert consumers[4] is None and consumers[7] == 0, "one consumer rating per item: no agreement to measure"
