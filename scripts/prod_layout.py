"""Start the production layout by hand: migrate, Daphne on several ports, a Celery worker and beat.

Usage:
    DATABASE_URL=postgres://... REDIS_URL=redis://... SECRET_KEY=... ALLOWED_HOSTS=... \\
        python scripts/prod_layout.py --ports 8000 8001

The script runs `manage.py migrate`, starts one Daphne process per port, one Celery worker
and one Celery beat, writes their process ids to `--pid-dir`, and waits until every Daphne
process responds with 200 on /readyz. It then prints one `ready` line and supervises: Ctrl-C or
SIGTERM stops every process (SIGTERM, then SIGKILL after `--stop-timeout` seconds), and so
does the exit of any one of them, in which case the script exits with status 1.

The processes share PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): WebSocket events,
Celery tasks and the cache cross processes only through them, so both are required.
Each child runs in its own session, so a Ctrl-C in the terminal reaches only this script,
which then stops the children in order.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from healthcheck import host_header  # noqa: E402


@dataclass
class Child:
    """One supervised process and the file its id is written to."""

    name: str
    command: list[str]
    pid_file: Path
    process: subprocess.Popen | None = field(default=None, repr=False)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--ports",
        type=int,
        nargs="+",
        default=[int(port) for port in os.environ.get("PROD_LAYOUT_PORTS", "8000 8001").split()],
        help="one Daphne process per port (default: $PROD_LAYOUT_PORTS or 8000 8001)",
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address Daphne binds to")
    parser.add_argument(
        "--pid-dir",
        type=Path,
        default=Path(os.environ.get("VAR_DIR", ROOT / "var")) / "run",
        help="folder for the <name>.pid files (default: $VAR_DIR/run)",
    )
    parser.add_argument(
        "--log-dir", type=Path, help="write each process's output to <name>.log there instead of this terminal"
    )
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes (default: 2)")
    parser.add_argument("--skip-migrate", action="store_true", help="do not run manage.py migrate first")
    parser.add_argument(
        "--ready-timeout", type=float, default=120.0, help="seconds to wait for every /readyz (default: 120)"
    )
    parser.add_argument(
        "--stop-timeout", type=float, default=15.0, help="seconds between SIGTERM and SIGKILL (default: 15)"
    )
    return parser.parse_args(argv)


def check_environment(env: dict[str, str]) -> list[str]:
    """Return the configuration errors that would make the layout pointless or fail to start."""
    errors = []
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        errors.append("DATABASE_URL must name a PostgreSQL database (postgres://user@host:5432/name).")
    if not env.get("REDIS_URL"):
        errors.append("REDIS_URL is missing: the processes share WebSocket events and tasks through Redis.")
    return errors


def build_children(args: argparse.Namespace) -> list[Child]:
    python = sys.executable
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    children = [
        Child(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "project",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={args.worker_concurrency}",
                f"--hostname=worker-{os.getpid()}@%h",
            ],
            args.pid_dir / "worker.pid",
        ),
        Child(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "project",
                "beat",
                "--loglevel=INFO",
                f"--schedule={var_dir / 'celerybeat-schedule'}",
            ],
            args.pid_dir / "beat.pid",
        ),
    ]
    for port in args.ports:
        children.append(
            Child(
                f"web-{port}",
                [
                    python,
                    "-m",
                    "daphne",
                    "--bind",
                    args.host,
                    "--port",
                    str(port),
                    "--verbosity",
                    "0",
                    "asgi:application",
                ],
                args.pid_dir / f"web-{port}.pid",
            )
        )
    return children


def start(child: Child, env: dict[str, str], log_dir: Path | None) -> None:
    output = open(log_dir / f"{child.name}.log", "ab") if log_dir else None  # noqa: SIM115 - the child owns it
    child.process = subprocess.Popen(
        child.command,
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
    )
    if output:
        output.close()
    child.pid_file.write_text(f"{child.process.pid}\n")
    print(f"prod_layout: started {child.name} (pid {child.process.pid})", flush=True)


def stop(children: list[Child], timeout: float) -> None:
    """Send SIGTERM to every running child, wait up to `timeout` s in all, then SIGKILL the rest."""
    running = [child for child in children if child.process and child.process.poll() is None]
    for child in running:
        child.process.terminate()
    deadline = time.monotonic() + timeout
    for child in running:
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"prod_layout: {child.name} did not stop within {timeout:.0f} s; killing it", flush=True)
            child.process.kill()
            child.process.wait()
    for child in children:
        child.pid_file.unlink(missing_ok=True)
        if child.process:
            print(f"prod_layout: stopped {child.name} (exit code {child.process.returncode})", flush=True)


def readiness(url: str, host: str) -> str | None:
    """Return None when `url` responds with 200, else the response or the connection error."""
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return None if response.status == 200 else f"status {response.status}"
    except urllib.error.HTTPError as error:
        return f"status {error.code}: {error.read(500).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, OSError) as error:
        return str(error)


def exited(children: list[Child]) -> Child | None:
    return next((child for child in children if child.process and child.process.poll() is not None), None)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    errors = check_environment(env)
    if errors:
        for error in errors:
            print(f"prod_layout: {error}", file=sys.stderr)
        return 2

    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    args.pid_dir.mkdir(parents=True, exist_ok=True)
    if args.log_dir:
        args.log_dir.mkdir(parents=True, exist_ok=True)
    (args.pid_dir / "prod_layout.pid").write_text(f"{os.getpid()}\n")

    if not args.skip_migrate:
        print("prod_layout: running migrations", flush=True)
        result = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env)
        if result.returncode != 0:
            print(f"prod_layout: migrate failed with exit code {result.returncode}", file=sys.stderr)
            (args.pid_dir / "prod_layout.pid").unlink(missing_ok=True)
            return 1

    children = build_children(args)
    status = 0
    try:
        for child in children:
            start(child, env, args.log_dir)

        host = host_header(env.get("ALLOWED_HOSTS", ""))
        urls = [f"http://{args.host}:{port}/readyz" for port in args.ports]
        waiting = {url: "not checked yet" for url in urls}
        deadline = time.monotonic() + args.ready_timeout
        while waiting and not stopping:
            failed = exited(children)
            if failed:
                print(f"prod_layout: {failed.name} exited with code {failed.process.returncode}", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                for url, reason in sorted(waiting.items()):
                    print(f"prod_layout: {url} not ready after {args.ready_timeout:.0f} s: {reason}", file=sys.stderr)
                return 1
            waiting = {url: reason for url in waiting if (reason := readiness(url, host)) is not None}
            if waiting:
                time.sleep(0.5)
        if not stopping:
            print(f"prod_layout: ready: {' '.join(f'http://{args.host}:{port}' for port in args.ports)}", flush=True)

        while not stopping:
            failed = exited(children)
            if failed:
                print(f"prod_layout: {failed.name} exited with code {failed.process.returncode}", file=sys.stderr)
                status = 1
                break
            time.sleep(0.5)
        return status
    finally:
        print("prod_layout: stopping", flush=True)
        stop(children, args.stop_timeout)
        (args.pid_dir / "prod_layout.pid").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
