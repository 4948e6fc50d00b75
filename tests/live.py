"""Real server processes for end-to-end tests: Daphne on a free port against its own database."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Return the environment of a production-like server on a fresh SQLite file under `tmp_path`.

    REDIS_URL is kept from the test run's environment, so the services run exercises Redis.
    """
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "end-to-end-test-secret-key",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "VAR_DIR": str(tmp_path / "var"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "API_THROTTLING": "off",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command in `env` and return its standard output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextmanager
def daphne(env: dict[str, str], log_path: Path | None = None) -> Iterator[str]:
    """Start Daphne with `env` on a free port, wait for /healthz, yield the base URL, then stop it.

    The test binds the listening socket itself and Daphne adopts it (`--fd`), so no other
    process can take the port between choosing it and the server start.
    """
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "--access-log", os.devnull, "--fd", str(listener.fileno()), "asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
        base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        try:
            deadline = time.monotonic() + 30
            while not _ready(base_url):
                assert process.poll() is None, f"Daphne exited with code {process.returncode}; see {log_path}"
                assert time.monotonic() < deadline, f"Daphne did not answer /healthz within 30 s; see {log_path}"
                time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if log_path:
                log.close()


def _ready(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
