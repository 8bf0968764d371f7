"""Every write to segments, ratings, rubrics, studies and assessments leaves an audit entry (who, what,
which object), changes made in the Django admin too, and administrators read them on a filtered page."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import AuditLog
from apps.core.roles import Role
from apps.corpus import services as corpus
from apps.corpus.models import Source
from apps.elevate import services as elevate
from apps.reviews import assignment as engine
from apps.reviews import services as reviews
from apps.reviews.quality import onboarding
from tests.corpus.factories import DocumentFactory
from tests.elevate.conftest import item as checklist_item
from tests.factories import UserFactory
from tests.reviews import factories as review_factories
from tests.reviews.qc import NONE

pytestmark = pytest.mark.django_db


def entries_for(obj) -> list[tuple[str, str]]:
    """(action, actor username) of every audit entry about `obj`, oldest first."""
    return [
        (entry.action, entry.actor.username if entry.actor else "")
        for entry in AuditLog.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("at", "id")
    ]


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


def test_segment_writes_are_audited(curator):
    document = DocumentFactory()
    segment = corpus.segment_create(document=document, original="Chemotherapy uses drugs.", user=curator)
    segment = corpus.segment_update(segment_id=segment.pk, user=curator, version=1, simplified="Drugs.")
    segment = corpus.segment_revert(segment_id=segment.pk, user=curator, version=2, to_version=1)
    corpus.segments_bulk_update(segment_ids=[segment.pk], user=curator, split="train")
    assert entries_for(segment) == [
        ("segment.create", "alice"),
        ("segment.edit", "alice"),
        ("segment.revert", "alice"),
        ("segment.bulk", "alice"),
    ]


def test_rubric_writes_are_audited(curator):
    base = review_factories.rubric("independent")
    rubric = reviews.rubric_create(
        name="Audit rubric", kind="independent", definition=base.definition, actor=curator
    )
    reviews.rubric_revise(rubric=rubric, definition=base.definition, description="Edited", actor=curator)
    assert entries_for(rubric) == [("rubric.create", "alice"), ("rubric.edit", "alice")]


def test_study_and_rating_writes_are_audited(curator, rater_physician):
    qset, producers = review_factories.question_set_with_answers(3, producers=("model-x",))
    study = review_factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}, launch=False
    )
    study = reviews.study_transition(study=study, action="launch", actor=curator)
    onboarding.consent_publish(study=study, instructions="Rate.", consent_text="I agree.", actor=curator)
    onboarding.consent_accept(study=study, rater=rater_physician, version=1)

    lease = engine.assignment_lease_next(study=study, rater=rater_physician)
    rating = engine.assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=NONE)
    corrected = reviews.rating_correct(
        rating_id=rating.pk,
        response={"bias": "minor", "dimensions": ["other"]},
        actor=curator,
        reason="Rater asked by e-mail",
    )
    skipped = engine.assignment_lease_next(study=study, rater=rater_physician)
    engine.assignment_skip(assignment_id=skipped.pk, rater=rater_physician)
    reviews.study_transition(study=study, action="close", actor=curator)

    assert entries_for(study) == [
        ("study.create", "alice"),
        ("study.launch", "alice"),
        ("study.consent_publish", "alice"),
        ("study.consent_accept", "bob"),
        ("study.close", "alice"),
    ]
    assert entries_for(rating) == [("rating.submit", "bob")]
    assert [action for action, _ in entries_for(corrected)] == ["rating.correct"]
    assert entries_for(skipped) == [("assignment.skip", "bob")]


def test_assessment_writes_are_audited(curator):
    assessment = elevate.assessment_create(
        assessor=curator, subject_kind="publication", title="LLM screening", prefill=False
    )
    elevate.assessment_update(assessment=assessment, actor=curator, title="LLM screening, revised")
    elevate.assessment_update(
        assessment=assessment, actor=curator, title="LLM screening, revised"
    )  # no change
    elevate.response_save(
        assessment=assessment, item=checklist_item(assessment, "1.1"), actor=curator, status="reported"
    )
    actions = entries_for(assessment)
    assert actions == [
        ("elevate.assessment.create", "alice"),
        ("elevate.assessment.update", "alice"),
        ("elevate.response.save", "alice"),
    ]
    saved = AuditLog.objects.get(action="elevate.response.save")
    assert saved.details == {"item": "1.1", "status": "reported"}


def test_changes_in_the_django_admin_are_audited(client, admin_user):
    client.force_login(admin_user)
    single = Source.objects.create(name="Old name")
    response = client.post(
        f"/admin/corpus/source/{single.pk}/change/", {"name": "New name", "url": "", "licence": ""}
    )
    assert response.status_code == 302
    first, second = Source.objects.create(name="One"), Source.objects.create(name="Two")
    response = client.post(
        "/admin/corpus/source/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not Source.objects.filter(pk__in=[first.pk, second.pk]).exists()

    assert entries_for(single) == [("admin.change", "root")]
    assert (
        AuditLog.objects.get(object_id=str(single.pk), action="admin.change")
        .details["message"]
        .startswith("Changed Name")
    )
    deleted = AuditLog.objects.filter(action="admin.delete", object_type="corpus.source")
    assert sorted(deleted.values_list("object_repr", flat=True)) == ["One", "Two"]


def test_the_audit_log_cannot_be_edited_or_deleted_in_the_admin(client, admin_user, curator):
    entry = AuditLog.objects.create(actor=curator, action="segment.edit")
    client.force_login(admin_user)
    assert client.post(f"/admin/core/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@pytest.fixture
def logged(curator, rater_physician):
    """A small log: two curator actions yesterday-ish and today, one rater action, one system action."""
    now = timezone.now()
    rows = [
        AuditLog.objects.create(
            actor=curator, action="study.launch", object_type="reviews.study", object_id="7"
        ),
        AuditLog.objects.create(
            actor=rater_physician, action="rating.submit", object_type="reviews.rating", object_id="9"
        ),
        AuditLog.objects.create(
            actor=curator,
            action="rating.correct",
            object_type="reviews.rating",
            object_id="9",
            object_repr='=HYPERLINK("http://x")',
            details={"reason": "typo"},
        ),
        AuditLog.objects.create(
            actor=None, action="study.completed", object_type="reviews.study", object_id="7"
        ),
    ]
    AuditLog.objects.filter(pk=rows[0].pk).update(at=now - timedelta(days=3))
    return rows


def shown(response) -> list[str]:
    body = response.content.decode()
    return [
        action
        for action in ("study.launch", "rating.submit", "rating.correct", "study.completed")
        if f"<code>{action}</code>" in body
    ]


def test_admins_filter_the_audit_page_by_person_action_object_and_date(client, admin_user, logged):
    client.force_login(admin_user)
    assert shown(client.get("/audit/")) == [
        "study.launch",
        "rating.submit",
        "rating.correct",
        "study.completed",
    ]
    assert shown(client.get("/audit/", {"actor": "alice"})) == ["study.launch", "rating.correct"]
    assert shown(client.get("/audit/", {"action": "rating"})) == ["rating.submit", "rating.correct"]
    assert shown(client.get("/audit/", {"object_type": "reviews.study", "object_id": "7"})) == [
        "study.launch",
        "study.completed",
    ]
    today = timezone.localdate()
    assert "study.launch" not in shown(client.get("/audit/", {"since": today.isoformat()}))
    assert shown(client.get("/audit/", {"until": (today - timedelta(days=1)).isoformat()})) == [
        "study.launch"
    ]

    refused = client.get(
        "/audit/", {"since": today.isoformat(), "until": (today - timedelta(days=2)).isoformat()}
    )
    assert "The end date is before the start date." in refused.content.decode()


def test_the_audit_csv_download_has_the_filtered_entries_with_formulas_neutralised(
    client, admin_user, logged
):
    client.force_login(admin_user)
    response = client.get("/audit/", {"action": "rating", "download": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("alice", "rating.correct"),
        ("bob", "rating.submit"),
    ]
    assert rows[0]["object_repr"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["details"] == '{"reason": "typo"}'


def test_only_administrators_open_the_audit_page(client, curator, rater_physician, logged):
    for user in (curator, rater_physician):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/", {"download": "csv"}).status_code == 403
    client.logout()
    assert client.get("/audit/").status_code == 302


def test_admins_read_the_audit_log_through_the_api_with_the_same_filters(
    api, api_as, admin_user, curator, logged
):
    response = api_as(admin_user).get("/api/v1/audit/", {"action": "rating", "actor": "alice"})
    assert response.status_code == 200
    assert [(e["actor"], e["action"], e["object_id"]) for e in response.json()["results"]] == [
        ("alice", "rating.correct", "9")
    ]
    refused = api_as(admin_user).get("/api/v1/audit/", {"since": "2026-02-30"})
    assert refused.status_code == 400 and "since" in refused.json()["errors"]
    assert api_as(curator).get("/api/v1/audit/").status_code == 403
    assert api.get("/api/v1/audit/").status_code == 401
