"""Static files under ASGI: served from WhiteNoise's table, cached, compressed; the rest reaches Django."""

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.test import override_settings

from project.staticfiles import StaticFilesApp

STYLESHEET = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"
SOURCE = Path(__import__("drf_spectacular_sidecar").__file__).parent / "static" / STYLESHEET.removeprefix("/static/")


async def django_stand_in(scope, receive, send):
    """An ASGI app that responds with 418, to show which requests pass through."""
    await send({"type": "http.response.start", "status": 418, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"application"})


@pytest.fixture(scope="module")
def collected_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A STATIC_ROOT filled by collectstatic with the production storage."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        # Compressing every file takes seconds (Brotli when installed); the stylesheet is enough here.
        call_command(
            "collectstatic",
            "--noinput",
            "--verbosity",
            "0",
            "--ignore",
            "*.map",
            "--ignore",
            "*.js",
            "--ignore",
            "rest_framework",
            "--ignore",
            "redoc",
        )
    yield root


def client(app: StaticFilesApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_collected_file_served_with_cache_headers(collected_root):
    with override_settings(STATIC_ROOT=collected_root):
        app = StaticFilesApp(django_stand_in)
    async with client(app) as http:
        response = await http.get(STYLESHEET)
    assert response.status_code == 200, response.text[:200]
    assert response.content == SOURCE.read_bytes()
    assert response.headers["content-type"].startswith("text/css")
    assert "max-age=" in response.headers["cache-control"]
    assert response.headers["etag"]


async def test_collected_file_gzip_for_gzip_clients(collected_root):
    assert (collected_root / (STYLESHEET.removeprefix("/static/") + ".gz")).exists()
    with override_settings(STATIC_ROOT=collected_root):
        app = StaticFilesApp(django_stand_in)
    async with client(app) as http:
        response = await http.get(STYLESHEET, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < SOURCE.stat().st_size / 2
    # httpx decodes the body, so it equals the original file.
    assert response.content == SOURCE.read_bytes()
    assert gzip.decompress(gzip.compress(response.content)) == SOURCE.read_bytes()


async def test_etag_revalidation_not_modified(collected_root):
    with override_settings(STATIC_ROOT=collected_root):
        app = StaticFilesApp(django_stand_in)
    async with client(app) as http:
        etag = (await http.get(STYLESHEET)).headers["etag"]
        response = await http.get(STYLESHEET, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


async def test_range_and_head_requests(collected_root):
    with override_settings(STATIC_ROOT=collected_root):
        app = StaticFilesApp(django_stand_in)
    async with client(app) as http:
        # A range of the uncompressed file; with gzip accepted it is a range of the .gz copy.
        partial = await http.get(STYLESHEET, headers={"Range": "bytes=100-199", "Accept-Encoding": "identity"})
        head = await http.head(STYLESHEET, headers={"Accept-Encoding": "identity"})
    assert partial.status_code == 206
    assert partial.content == SOURCE.read_bytes()[100:200]
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) == SOURCE.stat().st_size


async def test_uncollected_root_uses_finders(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path / "never-collected", DEBUG=False):
        app = StaticFilesApp(django_stand_in)
    async with client(app) as http:
        response = await http.get(STYLESHEET)
    assert response.status_code == 200
    assert response.content == SOURCE.read_bytes()


async def test_other_paths_reach_application(collected_root):
    with override_settings(STATIC_ROOT=collected_root):
        app = StaticFilesApp(django_stand_in)
    async with client(app) as http:
        missing = await http.get("/static/no/such/file.js")
        api = await http.get("/api/v1/posts")
    assert missing.status_code == 418
    assert api.status_code == 418


@pytest.mark.django_db
async def test_asgi_application_serves_static_and_api():
    from asgi import application

    async with client(application) as http:
        static = await http.get(STYLESHEET)
        missing = await http.get("/static/no/such/file.js")
    assert static.status_code == 200
    assert static.content == SOURCE.read_bytes()
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
