"""Health, readiness, JSON errors for unknown paths, request ids and the schema."""

import pytest
from django.core.management import call_command
from rest_framework import status


def test_healthz_ok(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_unknown_path_json_404(api_client):
    response = api_client.get("/api/v1/nothing-here")
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_request_id_generated(api_client):
    response = api_client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


def test_request_id_echoed(api_client):
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID="client-id-123")
    assert response["X-Request-ID"] == "client-id-123"


def test_request_id_unsafe_replaced(api_client):
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs", "/api/redoc"])
def test_docs_pages_load_nothing_remote(api_client, path):
    response = api_client.get(path)
    assert response.status_code == status.HTTP_200_OK, response.content
    page = response.content.decode()
    assert "https://" not in page
    assert "http://" not in page
