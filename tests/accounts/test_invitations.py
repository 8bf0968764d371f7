"""Invitations: one-time, expiring sign-up links (API, CSV import, pages) and the sign-up page."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from apps.accounts.models import Invitation, RaterProfile, token_hash
from apps.core.models import AuditLog

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "violet-harbour-29-lantern"


def invite(api_as, curator, **fields):
    body = {"name": "Dr Ada Obi", "email": "ada@example.org", "group": "physician", **fields}
    response = api_as(curator).post("/api/v1/invitations/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def path_of(link: str) -> str:
    return link[link.index("/signup/") :]


def test_an_invitation_gives_a_one_time_link_that_is_emailed_and_stored_only_as_a_hash(
    api_as, curator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = invite(api_as, curator)
    token = path_of(body["link"]).split("/")[2]
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert body["status"] == "pending" and body["group"] == "physician"
    expires = timezone.now() + timedelta(days=7)
    assert abs((invitation.expires_at - expires).total_seconds()) < 60
    [message] = mail.outbox
    assert message.to == ["ada@example.org"] and body["link"] in message.body
    assert AuditLog.objects.filter(action="invitation.create", object_id=str(invitation.pk)).exists()
    # The link is never shown again.
    listed = api_as(curator).get("/api/v1/invitations/").json()["results"][0]
    assert "link" not in listed and listed["status"] == "pending"


def test_the_signup_link_works_once(client, api_as, curator):
    link = path_of(invite(api_as, curator)["link"])
    page = client.get(link)
    assert page.status_code == 200 and b"Dr Ada Obi" in page.content
    created = client.post(
        link, {"username": "ada", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}, follow=True
    )
    assert created.redirect_chain[-1][0] == "/queue/"
    ada = User.objects.get(username="ada")
    assert ada.email == "ada@example.org" and ada.first_name == "Dr Ada Obi" and ada.has_perm("core.rate")
    assert RaterProfile.objects.get(user=ada).group.slug == "physician"
    assert created.context["user"] == ada  # logged in
    client.logout()
    again = client.get(link)
    assert again.status_code == 410 and b"already been used" in again.content
    reuse = client.post(
        link, {"username": "mallory", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    )
    assert reuse.status_code == 410 and not User.objects.filter(username="mallory").exists()
    assert Invitation.objects.get().user == ada


def test_an_expired_link_is_refused(client, api_as, curator):
    body = invite(api_as, curator, days=1)
    Invitation.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    link = path_of(body["link"])
    page = client.get(link)
    assert page.status_code == 410 and b"expired" in page.content
    client.post(link, {"username": "ada", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert not User.objects.filter(username="ada").exists()


def test_an_unknown_or_withdrawn_link_is_refused(client, api_as, curator):
    assert client.get("/signup/not-a-real-token/").status_code == 404
    body = invite(api_as, curator)
    assert api_as(curator).post(f"/api/v1/invitations/{body['id']}/revoke/").json()["status"] == "revoked"
    page = client.get(path_of(body["link"]))
    assert page.status_code == 410 and b"withdrawn" in page.content


def test_signup_applies_djangos_password_validators_and_unique_usernames(
    client, api_as, curator, rater_physician
):
    link = path_of(invite(api_as, curator)["link"])
    weak = client.post(link, {"username": "ada", "password": "password", "password_again": "password"})
    assert weak.status_code == 400 and b"too common" in weak.content
    taken = client.post(link, {"username": "BOB", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert taken.status_code == 400 and b"is taken" in taken.content
    differ = client.post(
        link, {"username": "ada", "password": GOOD_PASSWORD, "password_again": "other-x-9-long"}
    )
    assert differ.status_code == 400 and b"differ" in differ.content
    assert not User.objects.filter(username="ada").exists()
    assert Invitation.objects.get().status == "pending"  # still usable after mistakes


def test_invitation_errors_name_the_field(api_as, curator, rater_physician):
    response = api_as(curator).post(
        "/api/v1/invitations/", {"name": "X", "email": "bob@example.org", "group": "surgeons"}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "already has an account" in errors["email"][0]
    assert "surgeons" in errors["group"][0] and "physician" in errors["group"][0]
    assert not Invitation.objects.exists()


CSV_OK = "name,email,group\nAda Obi,ada@example.org,physician\nLee Chan,,Consumers\n"
CSV_BAD = (
    "name,email,group\nAda Obi,ada@example.org,physician\n,lee@example,consumer\nSam,ada@example.org,nobody\n"
)


def test_csv_import_invites_every_row_with_its_link(api_as, curator):
    response = api_as(curator).post("/api/v1/invitations/import/", {"csv": CSV_OK}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] == 2
    assert [(i["name"], i["group"]) for i in body["invitations"]] == [
        ("Ada Obi", "physician"),
        ("Lee Chan", "consumer"),
    ]
    assert all("/signup/" in i["link"] for i in body["invitations"])


def test_a_csv_with_any_bad_row_creates_nothing_and_reports_each_row(api_as, curator):
    response = api_as(curator).post("/api/v1/invitations/import/", {"csv": CSV_BAD}, format="json")
    assert response.status_code == 400
    problems = response.json()["errors"]["file"]
    assert any(p.startswith("row 3: name") for p in problems)
    assert any(p.startswith("row 3: email") and "not an email" in p for p in problems)
    assert any(p.startswith("row 4: email") and "appears twice" in p for p in problems)
    assert any(p.startswith("row 4: group") and "nobody" in p for p in problems)
    assert not any(p.startswith("row 2") for p in problems)
    assert not Invitation.objects.exists()
    missing = api_as(curator).post("/api/v1/invitations/import/", {"csv": "name,mail\nA,b\n"}, format="json")
    assert "missing column(s) email, group" in missing.json()["errors"]["file"][0]


def test_invitation_pages_show_the_new_link_once_and_import_errors(client, curator):
    client.force_login(curator)
    from apps.accounts.models import RaterGroup

    group = RaterGroup.objects.get(slug="consumer")
    created = client.post("/invitations/", {"name": "Lee Chan", "email": "", "group": group.pk, "days": 3})
    assert created.status_code == 200 and b"/signup/" in created.content and b"Lee Chan" in created.content
    listing = client.get("/invitations/")
    assert b"Lee Chan" in listing.content and b"/signup/" not in listing.content
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        "/invitations/import/", {"file": SimpleUploadedFile("r.csv", CSV_BAD.encode()), "days": 7}
    )
    assert bad.status_code == 400 and b"row 4: group" in bad.content and b"Nothing was created" in bad.content
    assert Invitation.objects.count() == 1


def test_invitations_are_for_curators(api_as, client, rater_physician):
    assert api_as(rater_physician).get("/api/v1/invitations/").status_code == 403
    client.force_login(rater_physician)
    assert client.get("/invitations/").status_code == 403
