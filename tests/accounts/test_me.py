"""GET /api/v1/me and the token authentication it relies on."""

import pytest
from rest_framework import status

URL = "/api/v1/me"


def test_me_returns_own_profile(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["email"] == "alice@example.com"


def test_me_token_keyword_accepted(alice_client, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {alice_client.token_key}")
    response = api_client.get(URL)
    assert response.status_code == status.HTTP_200_OK, response.content


@pytest.mark.django_db
def test_me_anonymous_401(api_client):
    response = api_client.get(URL)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_me_unknown_token_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    response = api_client.get(URL)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert response.json()["code"] == "authentication_failed"
    assert "WWW-Authenticate" in response
