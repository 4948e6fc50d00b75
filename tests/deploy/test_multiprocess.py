"""The production layout across processes: two Daphne servers, a Celery worker and beat.

`scripts/prod_layout.py` starts the processes against the pytest test database (so they see
rows this test commits: `transactional_db`) and the Redis of the run. A user acts through
server A, a WebSocket held on server B receives the event, and a post scheduled a few
seconds ahead is published by the worker and read back through both servers.
"""

import asyncio
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import websockets
from django.db import connection
from django.urls import Resolver404, resolve

from project.views import not_found
from tests.live import ROOT, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.services,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
    ),
]

READY_TIMEOUT = 150
PASSWORD = "a long and unusual passphrase 7"
SCHEDULING_REQUEST_ID = "deploy-test-scheduling"

# The HTTP endpoints the flow needs, with one sample path each.
FLOW_PATHS = [
    "/api/v1/auth/register",
    "/api/v1/auth/login",
    "/api/v1/posts",
    "/api/v1/posts/1",
    "/api/v1/posts/1/like",
]


@dataclass
class Layout:
    """The running layout: its supervisor process, base URLs and the id of every child."""

    process: subprocess.Popen
    ports: list[int]
    urls: list[str]
    pids: dict[str, int]
    output: Path
    log_dir: Path


def _database_url_for_test_db() -> str:
    """Return DATABASE_URL with its database name replaced by the test database's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


def _layout_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # pytest-django exports the test settings; the servers run the production ones.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "multiprocess-test-secret-key",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": _database_url_for_test_db(),
            "VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
            "API_THROTTLING": "off",
            "LOG_LEVEL": "INFO",
            "DB_POOL_MIN_SIZE": "1",
            "DB_POOL_MAX_SIZE": "4",
        }
    )
    return env


def _ports() -> list[int]:
    """Return two free ports, since several runs of the suite may share the machine.

    DEPLOY_TEST_PORTS="8501 8502" pins them.
    """
    pinned = [int(port) for port in os.environ.get("DEPLOY_TEST_PORTS", "").split()]
    if pinned:
        return pinned
    ports = {free_port()}
    while len(ports) < 2:
        ports.add(free_port())
    return sorted(ports)


def _read_pids(pid_dir: Path) -> dict[str, int]:
    return {path.stem: int(path.read_text()) for path in pid_dir.glob("*.pid")}


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _process_exists(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def layout(transactional_db: None, tmp_path: Path) -> Iterator[Layout]:
    """Run scripts/prod_layout.py until the test ends, then stop it with SIGTERM."""
    if importlib.util.find_spec("apps.feed.tasks") is None:
        pytest.skip("/readyz needs the beat heartbeat task of apps/feed/tasks.py, not built yet")
    var_dir = tmp_path / "var"
    pid_dir = var_dir / "run"
    output = tmp_path / "prod_layout.log"
    ports = _ports()
    with open(output, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "scripts/prod_layout.py",
                "--ports",
                *map(str, ports),
                "--pid-dir",
                str(pid_dir),
                "--log-dir",
                str(tmp_path / "logs"),
                "--ready-timeout",
                str(READY_TIMEOUT),
            ],
            cwd=ROOT,
            env=_layout_env(var_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT + 30
        while "prod_layout: ready" not in output.read_text():
            assert process.poll() is None, f"prod_layout exited with {process.returncode}:\n{output.read_text()}"
            assert time.monotonic() < deadline, f"prod_layout not ready:\n{output.read_text()}"
            time.sleep(0.5)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        yield Layout(process, ports, urls, _read_pids(pid_dir), output, tmp_path / "logs")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _missing_endpoints() -> list[str]:
    """Return the flow's paths that no route of this checkout serves yet."""
    from apps.engagement.routing import websocket_urlpatterns

    missing = []
    for path in FLOW_PATHS:
        try:
            match = resolve(path)
        except Resolver404:
            missing.append(path)
            continue
        if match.func is not_found:
            missing.append(path)
    if not any(pattern.pattern.match("ws/notifications") for pattern in websocket_urlpatterns):
        missing.append("ws://…/ws/notifications")
    return missing


def test_layout_ready_logs_and_stops(layout: Layout, tmp_path: Path):
    for url in layout.urls:
        response = httpx.get(f"{url}/readyz", timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["checks"] == {"database": "ok", "channel_layer": "ok", "broker": "ok", "beat": "ok"}
    assert set(layout.pids) == {"prod_layout", "worker", "beat", *(f"web-{port}" for port in layout.ports)}
    for name, pid in layout.pids.items():
        assert _process_exists(pid), f"{name} (pid {pid}) is not running"

    # One access line per request, carrying the client's request id; Daphne's own is off.
    response = httpx.get(f"{layout.urls[0]}/healthz", headers={"X-Request-ID": "deploy-test-request"}, timeout=10)
    assert response.status_code == 200, response.text
    log = layout.log_dir / f"web-{layout.ports[0]}.log"
    deadline = time.monotonic() + 5
    while "deploy-test-request" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [line for line in log.read_text().splitlines() if "/healthz" in line]
    assert len(lines) == 1, lines
    assert "[deploy-test-request]" in lines[0]
    assert "GET /healthz 200" in lines[0]

    # The container health check script against a live server and a closed port.
    check_env = {**os.environ, "ALLOWED_HOSTS": "localhost"}
    healthy = subprocess.run(
        [sys.executable, "scripts/healthcheck.py", f"{layout.urls[0]}/healthz"], cwd=ROOT, env=check_env, timeout=30
    )
    assert healthy.returncode == 0
    closed = subprocess.run(
        [sys.executable, "scripts/healthcheck.py", f"http://127.0.0.1:{free_port()}/healthz"],
        cwd=ROOT,
        env=check_env,
        capture_output=True,
        timeout=30,
    )
    assert closed.returncode == 1

    layout.process.send_signal(signal.SIGTERM)
    assert layout.process.wait(timeout=60) == 0, layout.output.read_text()
    for name, pid in layout.pids.items():
        assert _wait_for_exit(pid, timeout=5), f"{name} (pid {pid}) still runs after the layout stopped"
    assert list((tmp_path / "var" / "run").glob("*.pid")) == []


async def _receive_event(socket: websockets.ClientConnection, event: str, timeout: float) -> dict:
    """Return the next frame whose `event` is `event`, skipping others, within `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {event!r} event within {timeout} s")
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=remaining))
        if frame.get("event") == event:
            return frame


async def _register_and_login(client: httpx.AsyncClient, username: str) -> str:
    email = f"{username}@example.com"
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "username": username, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["token"]


async def _flow(url_a: str, url_b: str) -> None:
    async with (
        httpx.AsyncClient(base_url=url_a, timeout=10) as server_a,
        httpx.AsyncClient(base_url=url_b, timeout=10) as server_b,
    ):
        alice_token = await _register_and_login(server_a, "alice")
        bob_token = await _register_and_login(server_a, "bob")
        alice = {"Authorization": f"Bearer {alice_token}"}
        bob = {"Authorization": f"Bearer {bob_token}"}

        ws_url = url_b.replace("http://", "ws://") + "/ws/notifications"
        async with websockets.connect(ws_url, additional_headers=alice, open_timeout=10) as socket:
            await socket.send(json.dumps({"action": "ping"}))
            await _receive_event(socket, "pong", timeout=10)

            # Bob likes Alice's post through server A; Alice's socket on server B hears of it.
            response = await server_a.post("/api/v1/posts", json={"text": "Hello from server A"}, headers=alice)
            assert response.status_code == 201, response.text
            post_id = response.json()["id"]
            response = await server_a.post(f"/api/v1/posts/{post_id}/like", headers=bob)
            assert response.status_code == 201, response.text

            frame = await _receive_event(socket, "notification", timeout=10)
            assert frame["notification"]["type"] == "like"
            assert frame["notification"]["actor"]["username"] == "bob"
            assert frame["notification"]["post"]["id"] == post_id

            # A post scheduled 3 s ahead is published by the Celery worker.
            publish_at = (datetime.now(UTC) + timedelta(seconds=3)).isoformat().replace("+00:00", "Z")
            response = await server_a.post(
                "/api/v1/posts",
                json={"text": "Scheduled across processes", "publish_at": publish_at},
                headers={**alice, "X-Request-ID": SCHEDULING_REQUEST_ID},
            )
            assert response.status_code == 201, response.text
            assert response.json()["status"] == "scheduled"
            scheduled_id = response.json()["id"]
            response = await server_b.get(f"/api/v1/posts/{scheduled_id}")
            assert response.status_code == 404, response.text

            deadline = time.monotonic() + 30
            while True:
                response = await server_b.get(f"/api/v1/posts/{scheduled_id}")
                if response.status_code == 200:
                    break
                assert response.status_code == 404, response.text
                assert time.monotonic() < deadline, "the scheduled post was not published within 30 s"
                await asyncio.sleep(0.5)

            # The worker's notification reaches the socket on server B through Redis.
            frame = await _receive_event(socket, "notification", timeout=10)
            assert frame["notification"]["type"] == "post_published"
            assert frame["notification"]["post"]["id"] == scheduled_id

        for server in (server_a, server_b):
            response = await server.get(f"/api/v1/posts/{scheduled_id}")
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "published"
            response = await server.get("/api/v1/posts", params={"author": "alice"})
            assert response.status_code == 200, response.text
            assert scheduled_id in [post["id"] for post in response.json()["results"]]


def test_flow_across_processes(request: pytest.FixtureRequest):
    missing = _missing_endpoints()
    if missing:
        pytest.skip(f"endpoints not built yet: {', '.join(missing)}")
    layout: Layout = request.getfixturevalue("layout")
    url_a, url_b = layout.urls
    asyncio.run(_flow(url_a, url_b))

    # The publishing task's log lines carry the id of the request that scheduled the post.
    worker_log = layout.log_dir / "worker.log"
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in worker_log.read_text().splitlines() if "feed.publish_post[" in line]
        if any(f"[{SCHEDULING_REQUEST_ID} task=" in line for line in lines):
            break
        assert time.monotonic() < deadline, "\n".join(lines) or worker_log.read_text()[-3000:]
        time.sleep(0.5)
