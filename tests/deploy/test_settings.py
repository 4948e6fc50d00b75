"""Production settings: HTTPS behind a proxy, health probes, proxies, media storage."""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.live import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from healthcheck import host_header  # noqa: E402

PRODUCTION_ENV = {"DEBUG": "0", "SECRET_KEY": "settings-test-key", "ALLOWED_HOSTS": "api.example.com"}


def production_settings(**env: str) -> dict:
    """Import project.settings in a fresh interpreter with `env` and return a few values."""
    code = (
        "import json; from project import settings as s; print(json.dumps({"
        "'storage': s.STORAGES['default']['BACKEND'], 'serve_media': s.SERVE_MEDIA,"
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE,"
        "'hsts': s.SECURE_HSTS_SECONDS, 'hsts_preload': s.SECURE_HSTS_PRELOAD,"
        "'num_proxies': s.REST_FRAMEWORK['NUM_PROXIES'], 'region': s.AWS_S3_REGION_NAME,"
        "'endpoint': s.AWS_S3_ENDPOINT_URL, 'querystring_auth': s.AWS_QUERYSTRING_AUTH,"
        "'static_storage': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "SECURE_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_defaults():
    values = production_settings()
    assert values["storage"] == "django.core.files.storage.FileSystemStorage"
    assert values["serve_media"] is True
    assert values["session_secure"] is True
    assert values["csrf_secure"] is True
    assert values["hsts"] == 0
    assert values["num_proxies"] == 0
    assert values["static_storage"] == "whitenoise.storage.CompressedStaticFilesStorage"


def test_production_environment_read():
    values = production_settings(
        SECURE_HSTS_SECONDS="31536000", SECURE_HSTS_PRELOAD="1", NUM_PROXIES="1", AWS_STORAGE_BUCKET_NAME="media"
    )
    assert values["hsts"] == 31536000
    assert values["hsts_preload"] is True
    assert values["num_proxies"] == 1
    assert values["storage"] == "storages.backends.s3.S3Storage"
    assert values["serve_media"] is False


def test_s3_options_read():
    values = production_settings(
        AWS_STORAGE_BUCKET_NAME="media",
        AWS_S3_REGION_NAME="eu-west-1",
        AWS_S3_ENDPOINT_URL="https://minio.example.com",
        AWS_QUERYSTRING_AUTH="off",
    )
    assert values["region"] == "eu-west-1"
    assert values["endpoint"] == "https://minio.example.com"
    assert values["querystring_auth"] is False


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=3600)
def test_ssl_redirect_spares_probes():
    client = APIClient()

    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    response = client.get("/readyz")
    assert response.status_code in (200, 503), response.content

    response = client.get("/api/v1/posts")
    assert response.status_code == 301, response.content
    assert response["Location"] == "https://testserver/api/v1/posts"

    response = client.get("/api/v1/posts", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200, response.content
    assert response["Strict-Transport-Security"] == "max-age=3600"


@pytest.mark.parametrize(
    ("allowed_hosts", "expected"),
    [
        ("api.example.com,localhost", "api.example.com"),
        (".example.com", "example.com"),
        ("*", "localhost"),
        ("*, api.example.com", "api.example.com"),
        ("", "localhost"),
    ],
)
def test_healthcheck_host_header(allowed_hosts, expected):
    assert host_header(allowed_hosts) == expected
