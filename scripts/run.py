"""Run the embedded stack: migrate, then Daphne and a Celery worker with beat, until Ctrl-C.

Used by `make run`. Stops both processes when either exits or on SIGINT/SIGTERM.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    python = sys.executable
    # The beat schedule lives beside the database and the file broker, so runs with their
    # own VAR_DIR never share one.
    var_dir = Path(env.get("VAR_DIR") or ROOT / "var")
    var_dir.mkdir(parents=True, exist_ok=True)

    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True)
    worker = subprocess.Popen(
        [python, "-m", "celery", "-A", "project", "worker", "--beat", "--loglevel=INFO", "--concurrency=1",
         "--schedule", str(var_dir / "celerybeat-schedule")],
        cwd=ROOT,
        env=env,
    )
    # Verbosity 0 turns off Daphne's own access log: the API writes one line per request itself.
    server = subprocess.Popen(
        [python, "-m", "daphne", "--verbosity", "0", "-b", host, "-p", port, "asgi:application"], cwd=ROOT, env=env
    )
    print(f"Starting the API on http://{host}:{port}/api/v1/ (docs at /api/docs); Ctrl-C stops.", flush=True)

    def stop(*_: object) -> None:
        for process in (server, worker):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while server.poll() is None and worker.poll() is None:
            try:
                server.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    finally:
        stop()
        for process in (server, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return server.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
