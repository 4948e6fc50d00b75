"""Processes the benchmark starts: Daphne servers and Celery, each stopped by its own process id."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Process:
    """A child process with its command, environment and log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} is not running")
        return self.process.pid

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            # A session of its own, so a Ctrl-C in the terminal reaches only the benchmark,
            # which then stops its children in order.
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self, timeout: float = 15.0) -> None:
        """Send SIGTERM to this process only, then SIGKILL if it is still running after `timeout` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss_kb(self) -> int:
        """Return the resident set size of the process in KiB, from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for process {self.pid}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def daphne(name: str, application: str, port: int, env: dict[str, str], log_dir: Path) -> Process:
    """Return a Daphne process for `application` on 127.0.0.1:`port`, not yet started."""
    command = [sys.executable, "-m", "daphne", "--bind", "127.0.0.1", "--port", str(port), "--verbosity", "0", application]
    return Process(name, command, env, log_dir / f"{name}.log")


def celery_worker(env: dict[str, str], log_dir: Path) -> Process:
    command = [sys.executable, "-m", "celery", "-A", "project", "worker", "--loglevel=INFO", f"--hostname=bench-{os.getpid()}@%h"]
    return Process("worker", command, env, log_dir / "worker.log")


def celery_beat(env: dict[str, str], log_dir: Path, schedule: Path) -> Process:
    command = [sys.executable, "-m", "celery", "-A", "project", "beat", "--loglevel=INFO", f"--schedule={schedule}"]
    return Process("beat", command, env, log_dir / "beat.log")


def wait_http_ok(process: Process, url: str, timeout: float = 60.0) -> None:
    """Wait until `url` responds with 200; raise RuntimeError if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process is not None and process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited with code {process.process.returncode}; see {process.log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not respond with 200 on {url} within {timeout:.0f} s; see {process.log_path}")


def wait_log_line(process: Process, text: str, timeout: float = 60.0) -> None:
    """Wait until the process's log contains `text`; raise RuntimeError on exit or timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process is not None and process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited with code {process.process.returncode}; see {process.log_path}")
        if text in process.log_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not log {text!r} within {timeout:.0f} s; see {process.log_path}")
