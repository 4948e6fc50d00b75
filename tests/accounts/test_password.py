"""POST /api/v1/auth/password."""

import pytest
from rest_framework import status
from rest_framework.test import APIClient

from apps.accounts.models import AuthToken
from apps.accounts.services import token_create
from tests.factories import PASSWORD

URL = "/api/v1/auth/password"
NEW_PASSWORD = "an even longer passphrase"


def test_password_change_sets_new_password(alice_client):
    response = alice_client.post(URL, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    alice_client.user.refresh_from_db()
    assert alice_client.user.check_password(NEW_PASSWORD)
    assert not alice_client.user.check_password(PASSWORD)


def test_password_change_revokes_other_tokens(
    alice_client, bob_client, revocations, django_capture_on_commit_callbacks
):
    other, other_key = token_create(user=alice_client.user)
    received = revocations(other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(URL, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert alice_client.get("/api/v1/me").status_code == status.HTTP_200_OK
    stale = APIClient()
    stale.credentials(HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert stale.get("/api/v1/me").status_code == status.HTTP_401_UNAUTHORIZED
    assert list(AuthToken.objects.filter(user=alice_client.user).values_list("key_hash", flat=True)) == [
        AuthToken.hash_key(alice_client.token_key)
    ]
    assert received() == [{"type": "token.revoked"}]
    assert bob_client.get("/api/v1/me").status_code == status.HTTP_200_OK


def test_password_change_login_with_new(alice_client, api_client):
    alice_client.post(URL, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    old = api_client.post("/api/v1/auth/login", {"email": "alice@example.com", "password": PASSWORD})
    new = api_client.post("/api/v1/auth/login", {"email": "alice@example.com", "password": NEW_PASSWORD})
    assert old.status_code == status.HTTP_400_BAD_REQUEST, old.content
    assert new.status_code == status.HTTP_200_OK, new.content


def test_password_change_wrong_current(alice_client):
    _, other_key = token_create(user=alice_client.user)
    response = alice_client.post(URL, {"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["current_password"]
    alice_client.user.refresh_from_db()
    assert alice_client.user.check_password(PASSWORD)
    assert AuthToken.objects.filter(user=alice_client.user).count() == 2


@pytest.mark.parametrize(
    "new_password",
    ["short", "12345678901234", "password123", "alice@example.com"],
    ids=["too-short", "all-digits", "common", "like-email"],
)
def test_password_change_weak_new_rejected(alice_client, new_password):
    response = alice_client.post(URL, {"current_password": PASSWORD, "new_password": new_password})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["new_password"]
    alice_client.user.refresh_from_db()
    assert alice_client.user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"new_password": NEW_PASSWORD}, "current_password"), ({"current_password": PASSWORD}, "new_password")],
)
def test_password_change_missing_field(alice_client, payload, field):
    response = alice_client.post(URL, payload)
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == [field]


def test_password_change_anonymous_401(api_client, db):
    response = api_client.post(URL, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
