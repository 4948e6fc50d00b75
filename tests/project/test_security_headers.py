"""Security headers, the HTTPS redirect and the host check of `project.security.SecurityMiddleware`.

Each behaviour is checked through the sync test client and through `AsyncClient`, which
runs the middleware in its async mode as Daphne does.
"""

import pytest
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import AsyncClient, Client, RequestFactory, override_settings
from django.utils import deprecation
from django.utils.module_loading import import_string
from rest_framework import status

from apps.accounts.services import token_create
from project.security import SecurityMiddleware
from tests.factories import UserFactory

HEALTH = "/healthz"
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _assert_base_headers(response: HttpResponse) -> None:
    for name, value in BASE_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert response["Content-Length"] == str(len(response.content))


@pytest.fixture
def no_middleware_thread_hops(monkeypatch):
    """Make a MiddlewareMixin thread hop (its `sync_to_async` call) fail the request."""

    def reject_hop(*args: object, **kwargs: object) -> None:
        raise AssertionError("a MiddlewareMixin middleware ran in a worker thread")

    monkeypatch.setattr(deprecation, "sync_to_async", reject_hop)


def test_middleware_all_async_capable():
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        assert getattr(middleware, "async_capable", False) is True, path
        assert getattr(middleware, "sync_capable", True) is True, path


def test_headers_sync_client():
    response = Client().get(HEALTH)

    assert response.status_code == status.HTTP_200_OK, response.content
    _assert_base_headers(response)
    assert "Strict-Transport-Security" not in response


async def test_headers_async_client(no_middleware_thread_hops):
    response = await AsyncClient().get(HEALTH)

    assert response.status_code == status.HTTP_200_OK, response.content
    _assert_base_headers(response)
    assert "Strict-Transport-Security" not in response


@pytest.fixture
def token_key(transactional_db: None) -> str:
    _, key = token_create(user=UserFactory(username="dana"))
    return key


@pytest.mark.django_db(transaction=True)
async def test_headers_async_api_response(token_key, no_middleware_thread_hops):
    response = await AsyncClient().get("/api/v1/me", headers={"Authorization": f"Bearer {token_key}"})

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["username"] == "dana"
    _assert_base_headers(response)


@pytest.mark.django_db(transaction=True)
async def test_headers_async_error_response(no_middleware_thread_hops):
    response = await AsyncClient().get("/api/v1/me", headers={"Authorization": "Bearer wrong"})

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    _assert_base_headers(response)


HSTS = {"SECURE_HSTS_SECONDS": 3600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True}
HSTS_VALUE = "max-age=3600; includeSubDomains; preload"


@override_settings(**HSTS)
def test_hsts_over_https_sync():
    client = Client()

    secure = client.get(HEALTH, headers={"X-Forwarded-Proto": "https"})
    plain = client.get(HEALTH)
    spoofed = client.get(HEALTH, headers={"X-Forwarded-Proto": "http"})

    assert secure.status_code == status.HTTP_200_OK, secure.content
    assert secure["Strict-Transport-Security"] == HSTS_VALUE
    assert "Strict-Transport-Security" not in plain
    assert "Strict-Transport-Security" not in spoofed


@override_settings(**HSTS)
async def test_hsts_over_https_async(no_middleware_thread_hops):
    client = AsyncClient()

    secure = await client.get(HEALTH, headers={"X-Forwarded-Proto": "https"})
    plain = await client.get(HEALTH)

    assert secure.status_code == status.HTTP_200_OK, secure.content
    assert secure["Strict-Transport-Security"] == HSTS_VALUE
    assert "Strict-Transport-Security" not in plain


@override_settings(SECURE_HSTS_SECONDS=60)
def test_hsts_without_options():
    response = Client().get(HEALTH, headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"] == "max-age=60"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_ssl_redirect_sync():
    client = Client()

    redirected = client.get("/api/v1/posts?limit=5")
    exempt = client.get(HEALTH)

    assert redirected.status_code == status.HTTP_301_MOVED_PERMANENTLY, redirected.content
    assert redirected["Location"] == "https://testserver/api/v1/posts?limit=5"
    _assert_base_headers(redirected)
    assert exempt.status_code == status.HTTP_200_OK, exempt.content


@pytest.mark.django_db(transaction=True)
@override_settings(SECURE_SSL_REDIRECT=True)
async def test_ssl_redirect_async(no_middleware_thread_hops):
    client = AsyncClient()

    redirected = await client.get("/api/v1/posts?limit=5")
    exempt = await client.get(HEALTH)
    secure = await client.get("/api/v1/posts?limit=5", headers={"X-Forwarded-Proto": "https"})

    assert redirected.status_code == status.HTTP_301_MOVED_PERMANENTLY, redirected.content
    assert redirected["Location"] == "https://testserver/api/v1/posts?limit=5"
    assert exempt.status_code == status.HTTP_200_OK, exempt.content
    assert secure.status_code == status.HTTP_200_OK, secure.content


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_SSL_HOST="secure.example.com")
def test_ssl_redirect_to_ssl_host():
    response = Client().get("/api/v1/posts")

    assert response.status_code == status.HTTP_301_MOVED_PERMANENTLY, response.content
    assert response["Location"] == "https://secure.example.com/api/v1/posts"


def test_disallowed_host_400_sync():
    response = Client().get(HEALTH, headers={"Host": "evil.example.com"})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content


async def test_disallowed_host_400_async():
    response = await AsyncClient().get(HEALTH, headers={"Host": "evil.example.com"})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content


@override_settings(
    SECURE_CONTENT_TYPE_NOSNIFF=False,
    SECURE_REFERRER_POLICY=None,
    SECURE_CROSS_ORIGIN_OPENER_POLICY=None,
    X_FRAME_OPTIONS="",
)
def test_headers_off_by_settings():
    response = Client().get(HEALTH)

    assert response.status_code == status.HTTP_200_OK, response.content
    for name in BASE_HEADERS:
        assert name not in response, name


@override_settings(SECURE_REFERRER_POLICY=["no-referrer", "strict-origin"], X_FRAME_OPTIONS="sameorigin")
def test_header_values_from_settings():
    response = Client().get(HEALTH)

    assert response["Referrer-Policy"] == "no-referrer,strict-origin"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


# The middleware on its own, for responses no endpoint returns.


def _run(response: HttpResponse) -> HttpResponse:
    request: HttpRequest = RequestFactory().get(HEALTH)
    return SecurityMiddleware(lambda request: response)(request)


def test_own_headers_kept():
    response = HttpResponse("x", headers={"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"})

    result = _run(response)

    assert result["X-Frame-Options"] == "SAMEORIGIN"
    assert result["Referrer-Policy"] == "no-referrer"


def test_frame_exempt_response_skipped():
    response = HttpResponse("x")
    response.xframe_options_exempt = True

    assert "X-Frame-Options" not in _run(response)


def test_streaming_response_no_length():
    result = _run(StreamingHttpResponse(iter([b"a", b"b"])))

    assert "Content-Length" not in result
    assert result["X-Content-Type-Options"] == "nosniff"


def test_own_content_length_kept():
    response = HttpResponse(b"abc", headers={"Content-Length": "3"})
    assert _run(response)["Content-Length"] == "3"


# Django runs its deploy checks of these settings only with its own class in MIDDLEWARE.


def _security_check_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True, tags=[Tags.security])}


@override_settings(SECURE_HSTS_SECONDS=0, SECURE_SSL_REDIRECT=False, SECURE_REFERRER_POLICY=None)
def test_deploy_checks_warn_weak_settings():
    ids = _security_check_ids()

    assert {"security.W004", "security.W008", "security.W022"} <= ids


@override_settings(SECURE_HSTS_SECONDS=3600, SECURE_HSTS_INCLUDE_SUBDOMAINS=False, SECURE_HSTS_PRELOAD=False)
def test_deploy_checks_warn_hsts_options():
    ids = _security_check_ids()

    assert {"security.W005", "security.W021"} <= ids
    assert "security.W004" not in ids


@override_settings(
    SECURE_HSTS_SECONDS=3600,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SECURE_SSL_REDIRECT=True,
)
def test_deploy_checks_pass_strict_settings():
    ids = _security_check_ids()

    for check_id in ("W004", "W005", "W006", "W008", "W019", "W021", "W022", "E023", "E024"):
        assert f"security.{check_id}" not in ids, check_id


@override_settings(
    SECURE_REFERRER_POLICY="no-such-policy", SECURE_CROSS_ORIGIN_OPENER_POLICY="open", X_FRAME_OPTIONS="SAMEORIGIN"
)
def test_deploy_checks_reject_bad_values():
    ids = _security_check_ids()

    assert {"security.E023", "security.E024", "security.W019"} <= ids
