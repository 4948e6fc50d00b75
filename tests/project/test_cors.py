"""CORS: closed unless CORS_ALLOWED_ORIGINS names the origin."""

import pytest

pytestmark = pytest.mark.django_db

APP_ORIGIN = "https://app.example.com"


def _preflight(client, origin: str):
    return client.options(
        "/api/v1/posts",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


@pytest.mark.parametrize("origin", ["https://evil.example", APP_ORIGIN, "null"])
def test_cors_closed_by_default(api_client, origin):
    response = api_client.get("/api/v1/posts", HTTP_ORIGIN=origin)
    preflight = _preflight(api_client, origin)

    assert response.status_code == 200, response.content
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_allowed_origin_configured(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP_ORIGIN]

    response = api_client.get("/api/v1/posts", HTTP_ORIGIN=APP_ORIGIN)
    preflight = _preflight(api_client, APP_ORIGIN)

    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"link", "location", "x-request-id", "retry-after", "idempotent-replayed"} <= exposed
    assert preflight["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "authorization" in preflight["Access-Control-Allow-Headers"].lower()


def test_cors_other_origin_still_closed(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP_ORIGIN]

    response = api_client.get("/api/v1/posts", HTTP_ORIGIN="https://app.example.com.evil.example")

    assert "Access-Control-Allow-Origin" not in response
