"""The benchmark's reference endpoints: mounted only with BENCH_ENDPOINTS, authenticated like the API."""

import importlib

import pytest
from django.urls import clear_url_caches
from rest_framework import status

import project.urls

FLOOR_PATH = "/api/v1/bench/floor"


@pytest.fixture
def bench_endpoints(monkeypatch):
    """Reload the root URLconf with BENCH_ENDPOINTS on, and restore it afterwards."""
    monkeypatch.setenv("BENCH_ENDPOINTS", "1")
    importlib.reload(project.urls)
    clear_url_caches()
    yield
    monkeypatch.delenv("BENCH_ENDPOINTS")
    importlib.reload(project.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_floor_absent_by_default(alice_client):
    response = alice_client.get(FLOOR_PATH)

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content


@pytest.mark.django_db
def test_floor_returns_constant(bench_endpoints, alice_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = alice_client.get(FLOOR_PATH)

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_floor_trailing_slash(bench_endpoints, alice_client):
    response = alice_client.get(f"{FLOOR_PATH}/")

    assert response.status_code == status.HTTP_200_OK, response.content


@pytest.mark.django_db
def test_floor_anonymous_rejected(bench_endpoints, api_client):
    response = api_client.get(FLOOR_PATH)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert "WWW-Authenticate" in response


@pytest.mark.django_db
def test_floor_bad_token_rejected(bench_endpoints, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")

    response = api_client.get(FLOOR_PATH)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


@pytest.mark.django_db
def test_floor_not_in_schema(bench_endpoints, api_client):
    response = api_client.get("/api/schema", HTTP_ACCEPT="application/json")

    assert response.status_code == status.HTTP_200_OK, response.content
    assert "/api/v1/bench/floor" not in response.json()["paths"]
    assert "/api/v1/feed" in response.json()["paths"]
