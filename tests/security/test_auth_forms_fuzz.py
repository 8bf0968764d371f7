"""The log-in page, `POST /api/v1/auth/token/`, the password-reset form and the sign-up page take any
value a client can send — very long, empty, NUL bytes, bytes that are not UTF-8, unusual Unicode — and
answer with their normal refusal: never a 500, no account created, no invitation used up, no mail sent.

django-axes records every failed log-in with its username in a 255-character column: a longer username
used to answer 500 on both the page and the API."""

from urllib.parse import quote_from_bytes

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client

from apps.accounts import services as account_services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()

# Each value as text (JSON, and form fields Django encodes) ...
TEXT_VALUES = {
    "long": "a" * 300,
    "very long": "alice" + "x" * 100_000,
    "empty": "",
    "spaces": "   ",
    "nul": "alice\x00",
    "nul only": "\x00",
    "control": "\x01\x02\x1b[31m\x7f",
    "rtl and zwj": "\u202eecila\u200d👩\u200d⚕️",
    "combining": "a\u0301" * 200,
    "astral": "𝔼𝕢𝕦𝕚𝕥𝕪" * 60,
    "surrogate escape": "\\ud800",
    "newlines": "alice\r\nSet-Cookie: x=1",
}
# ... and raw bytes in the form encoding, as a client that sends whatever it likes would.
RAW_VALUES = {
    "invalid utf-8": b"\xff\xfe\xc3\x28alice",
    "overlong nul": b"\xc0\x80",
    "lone surrogate bytes": b"\xed\xa0\x80",
    "latin-1": "caf\xe9".encode("latin-1"),
    "long invalid": b"\xff" * 400,
}


def form_body(**fields: bytes | str) -> bytes:
    """An application/x-www-form-urlencoded body with exactly these bytes in each field."""
    return b"&".join(
        quote_from_bytes(name.encode()).encode()
        + b"="
        + quote_from_bytes(
            value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        ).encode()
        for name, value in fields.items()
    )


def all_values():
    return [*TEXT_VALUES.items(), *RAW_VALUES.items()]


@pytest.fixture(autouse=True)
def fresh_throttles(settings):
    """The API's log-in throttle (20 a minute) counts in the cache: each test starts from zero. A fast
    password hasher keeps a hundred log-ins quick; what is checked here is the answer, not the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser_client():
    """A client that reports a crash as the 500 a user would see instead of raising it in the test."""
    return Client(raise_request_exception=False)


def assert_refused(response):
    """The log-in page's normal refusal: the wrong-credentials message, or the field's own error (a
    missing value, a NUL byte)."""
    content = response.content.decode()
    assert "Please enter a correct username and password" in content or (
        'role="alert"' in content and ("This field is required" in content or "Null characters" in content)
    ), content[content.find("<main") :][:600]


def post_form(client, path: str, **fields):
    page = client.get(path)  # sets the CSRF cookie where the page has a form
    token = page.cookies.get("csrftoken")
    body = form_body(**fields, **({"csrfmiddlewaretoken": token.value} if token else {}))
    return client.post(path, body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize(("label", "value"), all_values(), ids=[k for k, _ in all_values()])
def test_the_login_page_refuses_any_username_with_the_normal_message(browser_client, curator, label, value):
    users = User.objects.count()
    response = post_form(browser_client, "/login/", username=value, password=PASSWORD)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    assert_refused(response)
    assert "_auth_user_id" not in browser_client.session
    assert User.objects.count() == users


@pytest.mark.parametrize(("label", "value"), all_values(), ids=[k for k, _ in all_values()])
def test_the_login_page_refuses_any_password_with_the_normal_message(browser_client, curator, label, value):
    response = post_form(browser_client, "/login/", username="alice", password=value)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    assert_refused(response)
    assert "_auth_user_id" not in browser_client.session


@pytest.mark.parametrize(("label", "value"), TEXT_VALUES.items(), ids=list(TEXT_VALUES))
def test_the_token_endpoint_answers_the_normal_400_for_any_username(curator, label, value):
    client = Client(raise_request_exception=False)
    for field in ("username", "password"):
        body = {"username": "alice", "password": PASSWORD, field: value}
        response = client.post("/api/v1/auth/token/", body, content_type="application/json")
        assert response.status_code == 400, f"{label} as {field}: {response.status_code}"
        body = response.json()
        assert "check the username and password" in body.get("detail", "") or body.get("errors"), body


@pytest.mark.parametrize(("label", "value"), RAW_VALUES.items(), ids=list(RAW_VALUES))
def test_the_token_endpoint_refuses_undecodable_form_bodies_with_a_400(curator, label, value):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/auth/token/",
        form_body(username=value, password=PASSWORD),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400, f"{label}: {response.status_code}"
    assert response["Content-Type"].startswith("application/json")


def test_a_300_character_username_gets_the_normal_answer_and_still_counts_towards_the_lock(curator):
    client = Client(raise_request_exception=False)
    long_name = "alice" + "x" * 295
    for _ in range(4):
        response = client.post("/api/v1/auth/token/", {"username": long_name, "password": "guess"})
        assert response.status_code == 400
    # the fifth failure locks the same long name out, like any other name
    assert client.post("/api/v1/auth/token/", {"username": long_name, "password": "guess"}).status_code == 429
    # alice herself is not
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(("label", "value"), all_values(), ids=[k for k, _ in all_values()])
def test_the_password_reset_form_answers_the_same_and_sends_nothing(browser_client, curator, label, value):
    response = post_form(browser_client, "/password-reset/", email=value)
    # Either "check your inbox" (the address looked like one) or the form with its error: never a crash.
    assert response.status_code in (200, 302), f"{label}: {response.status_code}"
    assert mail.outbox == []


@pytest.fixture
def invitation_link(curator):
    invitation, link = account_services.invitation_create(
        name="Dr Ada Obi", email="", group="physician", actor=curator, base_url="http://testserver/"
    )
    return invitation, link[link.index("/signup/") :]


GOOD_PASSWORD = "violet-harbour-29-lantern"


@pytest.mark.parametrize(("label", "value"), all_values(), ids=[k for k, _ in all_values()])
def test_the_signup_page_refuses_any_bad_username_by_field_and_keeps_the_invitation(
    browser_client, invitation_link, label, value
):
    invitation, path = invitation_link
    users = User.objects.count()
    response = post_form(
        browser_client, path, username=value, password=GOOD_PASSWORD, password_again=GOOD_PASSWORD
    )
    assert response.status_code == 400, f"{label}: {response.status_code}"
    assert b'class="error' in response.content or b"errorlist" in response.content
    assert User.objects.count() == users
    invitation.refresh_from_db()
    assert invitation.used_at is None


@pytest.mark.parametrize(("label", "value"), all_values(), ids=[k for k, _ in all_values()])
def test_the_signup_page_takes_or_refuses_any_password_without_crashing(
    browser_client, invitation_link, label, value
):
    invitation, path = invitation_link
    users = User.objects.count()
    response = post_form(browser_client, path, username="ada", password=value, password_again=value)
    invitation.refresh_from_db()
    if response.status_code == 302:  # a long or unusual password can be a good one: the account is made
        assert User.objects.filter(username="ada").count() == 1
        assert invitation.used_at is not None
        return
    assert response.status_code == 400, f"{label}: {response.status_code}"
    assert User.objects.count() == users
    assert invitation.used_at is None
