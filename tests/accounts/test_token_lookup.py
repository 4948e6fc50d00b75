"""The token lookup behind every authenticated request: its result, its queries, and revocation.

`token_authenticate` runs a hand-written query and builds the instances itself, so these
tests compare what it builds with what the ORM loads, on whichever engine the run uses.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework import status

from apps.accounts.models import AuthToken, User
from apps.accounts.selectors import token_authenticate
from apps.accounts.services import token_create
from tests.factories import PASSWORD, UserFactory

ME = "/api/v1/me"


def _fields(instance: AuthToken | User) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def carol_token(db: None) -> tuple[AuthToken, str]:
    user = UserFactory(username="carol", email="carol@example.com", bio="Hello", location="Lisbon")
    return token_create(user=user, user_agent="pytest")


def test_lookup_matches_orm_rows(carol_token):
    stored, key = carol_token

    token = token_authenticate(key)

    assert token is not None
    expected = AuthToken.objects.select_related("user").get(pk=stored.pk)
    assert _fields(token) == _fields(expected)
    assert _fields(token.user) == _fields(expected.user)


def test_lookup_values_have_python_types(carol_token):
    _, key = carol_token

    token = token_authenticate(key)

    assert token is not None
    for value in (token.created_at, token.last_used_at, token.expires_at, token.user.created_at):
        assert timezone.is_aware(value), value
    assert token.user.is_active is True
    assert token.user.is_staff is False
    assert token.user.is_superuser is False


def test_lookup_instances_saved_normally(carol_token):
    _, key = carol_token
    token = token_authenticate(key)
    assert token is not None
    assert token._state.adding is False
    assert token.user._state.adding is False

    token.user.bio = "Changed"
    token.user.save(update_fields=["bio"])

    assert User.objects.get(pk=token.user_id).bio == "Changed"


def test_lookup_one_query_within_resolution(carol_token, django_assert_num_queries):
    _, key = carol_token

    with django_assert_num_queries(1):
        token = token_authenticate(key)
        assert token is not None
        assert token.user.username == "carol"


def test_lookup_writes_last_used_once(carol_token, django_assert_num_queries):
    stored, key = carol_token
    stale = timezone.now() - settings.TOKEN_LAST_USED_RESOLUTION - timedelta(seconds=1)
    AuthToken.objects.filter(pk=stored.pk).update(last_used_at=stale)

    with django_assert_num_queries(2):
        token = token_authenticate(key)
    with django_assert_num_queries(1):
        again = token_authenticate(key)

    assert token is not None
    assert again is not None
    assert token.last_used_at > stale
    assert AuthToken.objects.get(pk=stored.pk).last_used_at == token.last_used_at
    assert again.last_used_at == token.last_used_at


def test_lookup_unknown_key_none(carol_token):
    assert token_authenticate("not-a-token") is None
    assert token_authenticate("") is None


def test_lookup_expired_token_none(carol_token):
    stored, key = carol_token
    AuthToken.objects.filter(pk=stored.pk).update(expires_at=timezone.now())

    assert token_authenticate(key) is None


def test_lookup_inactive_user_none(carol_token):
    stored, key = carol_token
    User.objects.filter(pk=stored.user_id).update(is_active=False)

    assert token_authenticate(key) is None


# Revocation: each path makes the next request with a token that was just used a 401.


def test_logout_rejects_used_token(alice_client):
    assert alice_client.get(ME).status_code == status.HTTP_200_OK

    response = alice_client.post("/api/v1/auth/logout")

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    response = alice_client.get(ME)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_logout_all_rejects_used_tokens(alice_client, make_client):
    phone = make_client(alice_client.user)
    assert alice_client.get(ME).status_code == status.HTTP_200_OK
    assert phone.get(ME).status_code == status.HTTP_200_OK

    response = alice_client.post("/api/v1/auth/logout-all")

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert alice_client.get(ME).status_code == status.HTTP_401_UNAUTHORIZED
    assert phone.get(ME).status_code == status.HTTP_401_UNAUTHORIZED


def test_token_revoke_rejects_used_token(alice_client, make_client):
    phone = make_client(alice_client.user)
    assert phone.get(ME).status_code == status.HTTP_200_OK
    phone_token = AuthToken.objects.get(key_hash=AuthToken.hash_key(phone.token_key))

    response = alice_client.delete(f"/api/v1/auth/tokens/{phone_token.pk}")

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert phone.get(ME).status_code == status.HTTP_401_UNAUTHORIZED
    assert alice_client.get(ME).status_code == status.HTTP_200_OK


def test_password_change_rejects_used_token(alice_client, make_client):
    phone = make_client(alice_client.user)
    assert phone.get(ME).status_code == status.HTTP_200_OK

    response = alice_client.post(
        "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "an even longer passphrase"}
    )

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert phone.get(ME).status_code == status.HTTP_401_UNAUTHORIZED
    assert alice_client.get(ME).status_code == status.HTTP_200_OK


def test_account_delete_rejects_used_token(alice_client, make_client):
    phone = make_client(alice_client.user)
    assert alice_client.get(ME).status_code == status.HTTP_200_OK
    assert phone.get(ME).status_code == status.HTTP_200_OK

    response = alice_client.delete(ME, {"password": PASSWORD})

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert alice_client.get(ME).status_code == status.HTTP_401_UNAUTHORIZED
    assert phone.get(ME).status_code == status.HTTP_401_UNAUTHORIZED


def test_deactivation_rejects_used_token(alice_client):
    assert alice_client.get(ME).status_code == status.HTTP_200_OK

    User.objects.filter(pk=alice_client.user.pk).update(is_active=False)

    response = alice_client.get(ME)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_token_row_delete_rejects_used_token(alice_client):
    assert alice_client.get(ME).status_code == status.HTTP_200_OK

    AuthToken.objects.filter(user=alice_client.user).delete()

    response = alice_client.get(ME)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_user_row_change_seen_next_request(alice_client):
    assert alice_client.get(ME).json()["display_name"] == "Alice"

    User.objects.filter(pk=alice_client.user.pk).update(display_name="Alice B.", followers_count=7)

    response = alice_client.get(ME)
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["display_name"] == "Alice B."
    assert response.json()["followers_count"] == 7
