"""What raters receive is the same whichever way it was read: the assignment answer built directly
equals DRF's field-by-field answer, and an item's texts read by id equal those of a loaded item — for
every kind of study, leased and submitted, and never with a producer's name."""

import json

import pytest

from apps.reviews import assignment as engine
from apps.reviews import selectors, services
from apps.reviews.models import Assignment, StudyItem
from apps.reviews.serializers import AssignmentSerializer
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db

ANSWERS = {
    "independent": {"bias": "none"},
    "pairwise": PAIRWISE_ANSWER,
    "counterfactual": {"ideal_differ": "no", "actual_differ": "identical"},
    "simplification": {"meaning": 4, "simplicity": 5, "fluency": 5},
}


def make(kind, curator):
    if kind == "counterfactual":
        qset, producer = factories.counterfactual_set(2, producer_name="secret-model")
        producers = [producer]
    elif kind == "simplification":
        study = services.study_create(
            name="Plain texts",
            rubric=factories.rubric("simplification"),
            source={"texts": [{"original": "Dyspnoea on exertion.", "candidate": "Short of breath."}] * 2},
            quotas={"physician": 1},
            seed=3,
            actor=curator,
        )
        return services.study_transition(study=study, action="launch", actor=curator)
    else:
        qset, producers = factories.question_set_with_answers(
            2, producers=("secret-model", "hidden-model")[: 2 if kind == "pairwise" else 1]
        )
    return factories.study(kind, actor=curator, qset=qset, producers=producers, quotas={"physician": 1})


@pytest.mark.parametrize("kind", list(ANSWERS))
def test_the_rater_sees_the_same_answer_whichever_way_it_was_read(kind, curator, rater_physician):
    study = make(kind, curator)
    lease = engine.assignment_lease_next(study=study, rater=rater_physician)
    loaded = selectors.assignment_own(rater_physician, lease.pk)  # item texts loaded with it
    by_id = AssignmentSerializer(lease).data  # as `next/` answers: item texts read by id
    assert (
        by_id == AssignmentSerializer(loaded).data == AssignmentSerializer().representation_by_fields(lease)
    )
    assert selectors.item_for_rater(lease.item_id) == selectors.item_for_rater(loaded.item)
    assert "secret-model" not in json.dumps(by_id) and "hidden-model" not in json.dumps(by_id)

    engine.assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=ANSWERS[kind])
    submitted = selectors.assignment_own(rater_physician, lease.pk)
    data = AssignmentSerializer(submitted).data
    assert data == AssignmentSerializer().representation_by_fields(submitted)
    assert data["status"] == "submitted" and data["rating"]["response"] == ANSWERS[kind]


def test_a_missing_item_is_refused_as_missing():
    with pytest.raises(StudyItem.DoesNotExist):
        selectors.item_for_rater(10**9)
    assert not Assignment.objects.exists()
