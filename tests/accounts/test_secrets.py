"""Passwords and tokens are stored hashed, and no secret reaches logs, error bodies or `str()`."""

import hashlib
import importlib
import logging

import pytest
from rest_framework import status

from apps.accounts.models import AuthToken, IdempotencyRecord, User
from tests.factories import UserFactory

PASSWORD = "Unusual-passphrase-4711"
EMAIL = "secret.keeper@example.com"

pytestmark = pytest.mark.django_db


def _register_and_login(client) -> str:
    registered = client.post("/api/v1/auth/register", {"email": EMAIL, "username": "keeper", "password": PASSWORD})
    assert registered.status_code == status.HTTP_201_CREATED, registered.content
    logged_in = client.post("/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})
    assert logged_in.status_code == status.HTTP_200_OK, logged_in.content
    return logged_in.json()["token"]


def test_production_hasher_is_argon2(api_client, settings):
    production = importlib.import_module("project.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS

    _register_and_login(api_client)

    stored = User.objects.get(email=EMAIL).password
    assert stored.startswith("argon2$argon2id$")
    assert PASSWORD not in stored


def test_token_stored_only_as_hash(api_client):
    token = _register_and_login(api_client)

    row = AuthToken.objects.get()
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(getattr(row, field.attname)) for field in AuthToken._meta.concrete_fields]
    assert not any(token in value for value in stored)


def test_token_has_enough_entropy(api_client):
    token = _register_and_login(api_client)

    # token_urlsafe(32): 32 random bytes, 43 URL-safe base64 characters.
    assert len(token) >= 43


def test_token_list_shows_no_secret(api_client):
    token = _register_and_login(api_client)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.get("/api/v1/auth/tokens")

    assert response.status_code == status.HTTP_200_OK, response.content
    assert token not in response.content.decode()
    assert AuthToken.objects.get().key_hash not in response.content.decode()


def test_str_shows_no_secret(api_client):
    token = _register_and_login(api_client)
    user = User.objects.get(email=EMAIL)
    row = AuthToken.objects.get()
    record = IdempotencyRecord.objects.create(
        user=user, key="client-key-123", scope="POST /api/v1/posts", request_hash="f" * 64, response_body={"a": 1}
    )

    texts = [str(user), str(row), str(record), repr(user), repr(row), repr(record)]

    for text in texts:
        for secret in (EMAIL, PASSWORD, user.password, token, row.key_hash, "client-key-123", "f" * 64):
            assert secret not in text, text


def test_logs_carry_no_secret(api_client, caplog):
    caplog.set_level(logging.DEBUG)

    token = _register_and_login(api_client)
    api_client.post("/api/v1/auth/login", {"email": EMAIL, "password": "Wrong-" + PASSWORD})
    api_client.post("/api/v1/auth/login", {"email": "nobody@example.com", "password": PASSWORD})
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    api_client.get("/api/v1/me")
    api_client.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": PASSWORD + "-new"})
    api_client.post("/api/v1/auth/logout")
    api_client.get("/api/v1/me")

    assert caplog.records
    for record in caplog.records:
        texts = [record.getMessage(), *(str(value) for value in vars(record).values())]
        for secret in (EMAIL, PASSWORD, token, hashlib.sha256(token.encode()).hexdigest(), "nobody@example.com"):
            assert not any(secret in text for text in texts), (record.name, record.getMessage())


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD}),
        ("/api/v1/auth/register", {"email": EMAIL, "username": "keeper", "password": EMAIL}),
        ("/api/v1/auth/register", {"email": "not-an-email " + PASSWORD, "username": "keeper", "password": PASSWORD}),
    ],
    ids=["wrong-login", "password-like-email", "invalid-email"],
)
def test_error_body_echoes_no_secret(api_client, path, payload):
    UserFactory(email=EMAIL)

    response = api_client.post(path, payload)

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert payload["password"] not in response.content.decode()


def test_invalid_token_not_echoed(api_client):
    response = api_client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer guessed-token-value")

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert "guessed-token-value" not in response.content.decode()
