"""Everyone can change their own password, and reset a forgotten one through an e-mailed one-time link;
both are audited, and a reset request never tells whether an address has an account."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.core.models import AuditLog
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a whole new passphrase 42"


def can_log_in(client, username: str, password: str) -> bool:
    """Through the log-in page, as a person would (the throttling backend needs the request)."""
    client.logout()
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_a_rater_changes_their_password_and_stays_signed_in(client, rater_physician):
    client.force_login(rater_physician)
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert client.get("/queue/").status_code == 200  # this session goes on
    assert AuditLog.objects.filter(action="account.password_change", actor=rater_physician).exists()
    assert can_log_in(client, "bob", NEW) and not can_log_in(client, "bob", PASSWORD)


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(client, curator):
    client.force_login(curator)
    wrong = client.post(
        "/account/password/", {"old_password": "not it", "new_password1": NEW, "new_password2": NEW}
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    weak = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": "alice", "new_password2": "alice"}
    )
    assert "too similar to the username" in weak.content.decode()
    assert can_log_in(client, "alice", PASSWORD)
    assert not AuditLog.objects.filter(action__startswith="account.password").exists()


def test_a_forgotten_password_is_reset_with_the_emailed_link_once(client, curator):
    curator.email = "alice@example.org"
    curator.save()
    response = client.post("/password-reset/", {"email": "ALICE@example.org"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    [message] = mail.outbox
    assert message.to == ["alice@example.org"] and '"alice"' in message.body
    link = re.search(r"http://testserver(/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)  # Django swaps the token for a session marker, then shows the form
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert AuditLog.objects.filter(action="account.password_reset", actor=curator).exists()
    assert can_log_in(client, "alice", NEW)

    client.logout()
    again = client.get(link, follow=True)
    assert "This reset link is not valid" in again.content.decode()


def test_a_reset_request_for_an_unknown_or_deactivated_address_looks_the_same_and_sends_nothing(
    client, rater_consumer
):
    rater_consumer.email, rater_consumer.is_active = "carol@example.org", False
    rater_consumer.save()
    for address in ("nobody@example.org", "carol@example.org"):
        response = client.post("/password-reset/", {"email": address})
        assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_the_login_page_links_to_the_reset_and_signed_in_pages_to_the_change(client, curator):
    assert 'href="/password-reset/"' in client.get("/login/").content.decode()
    client.force_login(curator)
    assert 'href="/account/password/"' in client.get("/dashboard/").content.decode()


def test_repeated_reset_requests_send_one_link_per_five_minutes(client, curator):
    curator.email = "alice@example.org"
    curator.save()
    for _ in range(3):
        assert client.post("/password-reset/", {"email": "alice@example.org"}).status_code == 302
    assert len(mail.outbox) == 1
    AuditLog.objects.filter(action="account.password_reset_sent").update(
        at=timezone.now() - timedelta(minutes=6)
    )
    client.post("/password-reset/", {"email": "alice@example.org"})
    assert len(mail.outbox) == 2
