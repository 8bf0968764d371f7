"""Sources and documents: every write through a service, in the audit log; bad input is a 400 naming the
field and writes nothing; a document holding segments is deleted only when the curator confirms."""

import pytest

from apps.core.errors import ServiceError
from apps.core.models import AuditLog
from apps.corpus import services
from apps.corpus.models import Document, Segment, SegmentRevision, Source
from apps.scoring.models import Candidate
from tests.corpus.factories import DocumentFactory, SegmentFactory, SourceFactory
from tests.scoring.factories import CandidateFactory

pytestmark = pytest.mark.django_db

SOURCES, DOCUMENTS = "/api/v1/sources/", "/api/v1/documents/"


def actions_on(obj) -> list[tuple[str, str]]:
    return [
        (entry.action, entry.actor.username if entry.actor else "")
        for entry in AuditLog.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("at", "id")
    ]


def test_source_and_document_writes_through_the_api_are_audited(api_as, curator):
    client = api_as(curator)
    source = client.post(SOURCES, {"name": "NCI", "url": "https://www.cancer.gov/"}, format="json")
    assert source.status_code == 201, source.json()
    source_id = source.json()["id"]
    assert (
        client.patch(f"{SOURCES}{source_id}/", {"licence": "Public domain"}, format="json").status_code == 200
    )
    document = client.post(DOCUMENTS, {"source": source_id, "title": "Liver cancer"}, format="json")
    assert document.status_code == 201, document.json()
    document_id = document.json()["id"]
    assert client.patch(f"{DOCUMENTS}{document_id}/", {"topic": "liver"}, format="json").status_code == 200
    assert client.delete(f"{DOCUMENTS}{document_id}/").status_code == 204
    assert client.delete(f"{SOURCES}{source_id}/").status_code == 204

    stub_source, stub_document = Source(pk=source_id), Document(pk=document_id)
    assert actions_on(stub_source) == [
        ("source.create", "alice"),
        ("source.update", "alice"),
        ("source.delete", "alice"),
    ]
    assert actions_on(stub_document) == [
        ("document.create", "alice"),
        ("document.update", "alice"),
        ("document.delete", "alice"),
    ]
    assert AuditLog.objects.get(action="source.update").details == {"fields": ["licence"]}
    assert not Source.objects.exists() and not Document.objects.exists()


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api_as, curator):
    SourceFactory(name="NCI")
    client = api_as(curator)

    taken = client.post(SOURCES, {"name": "NCI"}, format="json")
    bad_url = client.post(SOURCES, {"name": "Other", "url": "javascript:alert(1)"}, format="json")
    no_source = client.post(DOCUMENTS, {"title": "Liver cancer"}, format="json")

    assert taken.status_code == 400 and "name" in taken.json()["errors"]
    assert bad_url.status_code == 400 and "url" in bad_url.json()["errors"]
    assert no_source.status_code == 400 and "source" in no_source.json()["errors"]
    assert Source.objects.count() == 1 and not Document.objects.exists()
    assert not AuditLog.objects.filter(action__in=["source.create", "document.create"]).exists()


def test_the_services_refuse_what_the_api_would(curator):
    source = SourceFactory(name="NCI")
    DocumentFactory(source=source, title="Liver cancer")

    with pytest.raises(ServiceError) as blank:
        services.source_create(actor=curator, name="   ")
    with pytest.raises(ServiceError) as duplicate:
        services.document_create(actor=curator, source=source, title=" Liver cancer ")

    assert blank.value.status == 400 and "name" in blank.value.errors
    assert (
        duplicate.value.status == 400
        and "already has a document titled" in duplicate.value.errors["title"][0]
    )
    assert Source.objects.count() == 1 and Document.objects.count() == 1


def test_a_source_with_documents_is_not_deleted(api_as, curator):
    document = DocumentFactory()

    response = api_as(curator).delete(f"{SOURCES}{document.source_id}/")

    assert response.status_code == 409
    assert "still has 1 document" in response.json()["detail"]
    assert Source.objects.filter(pk=document.source_id).exists()


def test_deleting_a_document_with_segments_says_what_would_be_lost_until_confirmed(api_as, curator):
    document = DocumentFactory(title="Colon cancer")
    approved = SegmentFactory(document=document, status="approved")
    SegmentFactory(document=document)
    CandidateFactory(segment=approved)
    client = api_as(curator)

    refused = client.delete(f"{DOCUMENTS}{document.pk}/")

    assert refused.status_code == 409
    body = refused.json()
    assert "'Colon cancer' holds 2 segments (1 approved)" in body["detail"]
    assert "2 segment revisions" in body["detail"] and "1 candidate" in body["detail"]
    assert "confirm" in body["errors"]
    assert Segment.objects.filter(document=document).count() == 2 and Candidate.objects.count() == 1
    assert not AuditLog.objects.filter(action="document.delete").exists()

    confirmed = client.delete(f"{DOCUMENTS}{document.pk}/?confirm=true")

    assert confirmed.status_code == 204
    assert not Document.objects.exists() and not Segment.objects.exists()
    assert not SegmentRevision.objects.exists() and not Candidate.objects.exists()
    entry = AuditLog.objects.get(action="document.delete")
    assert (entry.details["segments"], entry.details["approved_segments"], entry.details["title"]) == (
        2,
        1,
        "Colon cancer",
    )


def test_an_empty_document_is_deleted_without_confirmation(api_as, curator):
    document = DocumentFactory()
    assert api_as(curator).delete(f"{DOCUMENTS}{document.pk}/").status_code == 204
    assert not Document.objects.exists()


def test_a_rater_cannot_write_sources_or_documents(api_as, rater_physician):
    document = DocumentFactory()
    client = api_as(rater_physician)
    assert client.post(SOURCES, {"name": "Mine"}, format="json").status_code == 403
    assert client.patch(f"{DOCUMENTS}{document.pk}/", {"title": "Mine"}, format="json").status_code == 403
    assert client.delete(f"{DOCUMENTS}{document.pk}/?confirm=true").status_code == 403
    assert Document.objects.get().title != "Mine" and Source.objects.count() == 1


def test_the_admin_writes_through_the_services_and_logs_each_change_once(client, curator):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    document = DocumentFactory(title="Old title")
    SegmentFactory(document=document)

    changed = client.post(
        f"/admin/corpus/document/{document.pk}/change/",
        {"source": document.source_id, "title": "  New title  ", "url": "", "topic": "colorectal"},
    )
    assert changed.status_code == 302
    document.refresh_from_db()
    assert document.title == "New title"
    deleted = client.post(f"/admin/corpus/document/{document.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not Document.objects.exists() and not Segment.objects.exists()
    assert [action for action, _ in actions_on(document)] == ["admin.change", "admin.delete"]
