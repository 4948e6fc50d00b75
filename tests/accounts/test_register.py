"""POST /api/v1/auth/register."""

import pytest
from rest_framework import status

from apps.accounts.models import User

URL = "/api/v1/auth/register"


@pytest.mark.django_db
def test_register_creates_user(api_client):
    response = api_client.post(URL, {"email": "New@Example.COM", "username": "newbie", "password": "a long passphrase"})
    assert response.status_code == status.HTTP_201_CREATED, response.content
    body = response.json()
    assert body["email"] == "new@example.com"
    assert body["username"] == "newbie"
    assert "password" not in body
    assert response["Location"] == "/api/v1/me"
    assert User.objects.get(email="new@example.com").check_password("a long passphrase")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "username": "valid_name", "password": "a long passphrase"}, "email"),
        ({"email": "a@example.com", "username": "no", "password": "a long passphrase"}, "username"),
        ({"email": "a@example.com", "username": "bad-name!", "password": "a long passphrase"}, "username"),
        ({"email": "a@example.com", "username": "valid_name", "password": "123"}, "password"),
        ({"username": "valid_name", "password": "a long passphrase"}, "email"),
    ],
)
def test_register_invalid_field(api_client, payload, field):
    response = api_client.post(URL, payload)
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


@pytest.mark.django_db
def test_register_duplicate_email_case_insensitive(api_client):
    api_client.post(URL, {"email": "dup@example.com", "username": "first", "password": "a long passphrase"})
    response = api_client.post(URL, {"email": "DUP@example.com", "username": "second", "password": "a long passphrase"})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "email" in response.json()["errors"]


@pytest.mark.django_db
def test_register_duplicate_username_case_insensitive(api_client):
    api_client.post(URL, {"email": "one@example.com", "username": "Taken", "password": "a long passphrase"})
    response = api_client.post(URL, {"email": "two@example.com", "username": "taken", "password": "a long passphrase"})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "username" in response.json()["errors"]


@pytest.mark.django_db
def test_register_malformed_json(api_client):
    response = api_client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_register_unsupported_media_type(api_client):
    response = api_client.post(URL, "email=x", content_type="text/plain")
    assert response.status_code == status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, response.content
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_register_wrong_method_405(api_client):
    response = api_client.get(URL)
    assert response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED, response.content
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_register_password_keeps_whitespace(api_client):
    password = "  spaced passphrase  "
    api_client.post(URL, {"email": "space@example.com", "username": "spacey", "password": password})
    user = User.objects.get(email="space@example.com")
    assert user.check_password(password)
    assert not user.check_password(password.strip())
