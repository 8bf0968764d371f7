import pytest

from apps.accounts.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_from_username_and_password_authenticates_api_calls(api, curator):
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=token).exists(), "only the hash of a key is stored"

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/raters/").status_code == 200


def test_wrong_password_gets_a_clear_400(api, curator):
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "check the username and password" in response.json()["detail"]


def test_a_revoked_token_stops_working(api, api_as, curator):
    created = api_as(curator).post("/api/v1/tokens/", {"name": "notebook"}, format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {created['key']}")
    assert api.get("/api/v1/jobs/").status_code == 200
    assert api_as(curator).delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    response = api.get("/api/v1/jobs/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_users_see_only_their_own_tokens(api_as, curator, rater_physician):
    api_as(curator).post("/api/v1/tokens/", {"name": "alice's"}, format="json")
    assert api_as(rater_physician).get("/api/v1/tokens/").json()["results"] == []


def test_anonymous_gets_401_and_a_rater_gets_403_on_curator_endpoints(api, api_as, rater_physician):
    assert api.get("/api/v1/raters/").status_code == 401
    assert api.get("/api/v1/jobs/").status_code == 401
    response = api_as(rater_physician).get("/api/v1/raters/")
    assert response.status_code == 403
    assert "curator" in response.json()["detail"]


def test_curators_list_raters_by_group(api_as, curator, rater_physician, rater_consumer):
    body = api_as(curator).get("/api/v1/raters/", {"group__slug": "consumer"}).json()
    assert [r["username"] for r in body["results"]] == ["carol"]


def test_repeated_wrong_passwords_lock_the_login_even_with_the_right_one(api, client, curator):
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": "alice", "password": "guess"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    page = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert page.status_code == 429
    assert b"Too many failed log-ins" in page.content
