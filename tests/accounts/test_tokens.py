"""Token lifecycle: logout, logout everywhere, listing and revoking tokens, expiry."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import status
from rest_framework.test import APIClient

from apps.accounts.models import AuthToken
from apps.accounts.services import token_create

ME = "/api/v1/me"
LOGOUT = "/api/v1/auth/logout"
LOGOUT_ALL = "/api/v1/auth/logout-all"
TOKENS = "/api/v1/auth/tokens"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _assert_rejected(client: APIClient) -> None:
    response = client.get(ME)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_expired_token_401(alice_client):
    AuthToken.objects.filter(user=alice_client.user).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_rejected(alice_client)


def test_inactive_user_token_401(alice_client):
    alice_client.user.is_active = False
    alice_client.user.save()
    _assert_rejected(alice_client)


def test_logout_revokes_used_token(alice_client, revocations, django_capture_on_commit_callbacks):
    token = AuthToken.objects.get(user=alice_client.user)
    _, other_key = token_create(user=alice_client.user)
    received = revocations(token.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(LOGOUT)
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert response.content == b""
    _assert_rejected(alice_client)
    assert _client(other_key).get(ME).status_code == status.HTTP_200_OK
    assert received() == [{"type": "token.revoked"}]


def test_logout_anonymous_401(api_client, db):
    response = api_client.post(LOGOUT)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert "WWW-Authenticate" in response


def test_logout_twice_second_401(alice_client):
    assert alice_client.post(LOGOUT).status_code == status.HTTP_204_NO_CONTENT
    response = alice_client.post(LOGOUT)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_logout_all_revokes_every_token(alice_client, bob_client, revocations, django_capture_on_commit_callbacks):
    _, other_key = token_create(user=alice_client.user)
    listeners = [
        revocations(pk) for pk in AuthToken.objects.filter(user=alice_client.user).values_list("pk", flat=True)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(LOGOUT_ALL)
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    _assert_rejected(alice_client)
    _assert_rejected(_client(other_key))
    assert not AuthToken.objects.filter(user=alice_client.user).exists()
    assert [received() for received in listeners] == [[{"type": "token.revoked"}]] * 2
    # Other users keep their sessions.
    assert bob_client.get(ME).status_code == status.HTTP_200_OK


def test_logout_all_anonymous_401(api_client, db):
    response = api_client.post(LOGOUT_ALL)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_tokens_list_shape_and_current(alice_client):
    older = AuthToken.objects.get(user=alice_client.user)
    AuthToken.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))
    newer, _ = token_create(user=alice_client.user, user_agent="Phone/2.0")
    response = alice_client.get(TOKENS)
    assert response.status_code == status.HTTP_200_OK, response.content
    results = response.json()["results"]
    assert [row["id"] for row in results] == [newer.pk, older.pk]
    assert set(results[0]) == {"id", "created_at", "last_used_at", "expires_at", "user_agent", "current"}
    assert [row["current"] for row in results] == [False, True]
    assert results[0]["user_agent"] == "Phone/2.0"
    assert alice_client.token_key not in response.content.decode()


def test_tokens_list_hides_expired_and_others(alice_client, bob_client):
    expired, _ = token_create(user=alice_client.user)
    AuthToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = alice_client.get(TOKENS)
    assert response.status_code == status.HTTP_200_OK, response.content
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [AuthToken.objects.get(user=alice_client.user, expires_at__gt=timezone.now()).pk]


def test_tokens_list_anonymous_401(api_client, db):
    response = api_client.get(TOKENS)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_tokens_list_pages_without_repeats(alice_client):
    for _ in range(6):
        token_create(user=alice_client.user)
    seen, url = [], f"{TOKENS}?page_size=3"
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = alice_client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        assert len(queries) <= 3
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert sorted(seen) == sorted(AuthToken.objects.filter(user=alice_client.user).values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 7


def test_tokens_list_queries_constant(alice_client, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        alice_client.get(f"{TOKENS}?page_size=100")
    for _ in range(30):
        token_create(user=alice_client.user)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as many:
        response = alice_client.get(f"{TOKENS}?page_size=100")
    assert len(response.json()["results"]) == 31
    assert len(many) == len(few)


def test_token_delete_revokes_it(alice_client, revocations, django_capture_on_commit_callbacks):
    other, other_key = token_create(user=alice_client.user)
    received = revocations(other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.delete(f"{TOKENS}/{other.pk}")
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    _assert_rejected(_client(other_key))
    assert alice_client.get(ME).status_code == status.HTTP_200_OK
    assert received() == [{"type": "token.revoked"}]


def test_token_delete_current_logs_out(alice_client):
    current = AuthToken.objects.get(user=alice_client.user)
    response = alice_client.delete(f"{TOKENS}/{current.pk}/")
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    _assert_rejected(alice_client)


def test_token_delete_others_404(alice_client, bob_client):
    bobs = AuthToken.objects.get(user=bob_client.user)
    response = alice_client.delete(f"{TOKENS}/{bobs.pk}")
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"
    assert bob_client.get(ME).status_code == status.HTTP_200_OK


@pytest.mark.parametrize("token_id", ["999999", "abc", "99999999999999999999999"])
def test_token_delete_unknown_404(alice_client, token_id):
    response = alice_client.delete(f"{TOKENS}/{token_id}")
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


def test_token_delete_anonymous_401(api_client, alice_client):
    token = AuthToken.objects.get(user=alice_client.user)
    response = api_client.delete(f"{TOKENS}/{token.pk}")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert AuthToken.objects.filter(pk=token.pk).exists()
