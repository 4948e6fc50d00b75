"""Scheduled publishing through a real `celery -A project worker --beat` on Redis and PostgreSQL.

Eager mode ignores ETAs, so only a real worker shows a post published at its time. The
worker runs against pytest-django's test database, so the tests commit their data
(`transactional_db`). They run only on the engines of a deployment with separate worker
processes: PostgreSQL and Redis.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from apps.engagement.models import Notification
from apps.feed.models import Hashtag, Post
from apps.feed.services import post_create
from project.celery import app
from tests.factories import UserFactory

from .scheduled_posts import scheduled_post_create

ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_TIMEOUT = 30
PUBLISH_TIMEOUT = 30


def _services_configured() -> bool:
    return bool(os.environ.get("REDIS_URL")) and os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    )


pytestmark = [
    pytest.mark.slow,
    pytest.mark.services,
    pytest.mark.skipif(not _services_configured(), reason="needs REDIS_URL and a PostgreSQL DATABASE_URL"),
]


def _test_database_url() -> str:
    """Return a DATABASE_URL for the test database pytest-django created."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """Run a worker with embedded beat on the test database, yield its log file, and stop it by PID."""
    app.control.purge()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "SECRET_KEY": "test-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "project", "worker", "--beat", "--loglevel=INFO", "--concurrency=1",
        "--schedule", str(tmp_path / "celerybeat-schedule"), "--hostname", f"scheduling-test-{os.getpid()}@%h",
    ]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        ready = wait_until(lambda: " ready." in log_path.read_text(), WORKER_READY_TIMEOUT)
        assert ready, f"worker did not start:\n{log_path.read_text()}"
        yield log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def broker_queueing() -> Iterator[None]:
    """Send tasks to the real broker instead of running them in this process."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


def published(post: Post) -> bool:
    return Post.objects.filter(pk=post.pk, status=Post.Status.PUBLISHED).exists()


def test_worker_publishes_at_publish_at_once(worker, broker_queueing):
    author = UserFactory()
    publish_at = timezone.now() + timedelta(seconds=4)
    post = post_create(author=author, text="Real worker #worker", publish_at=publish_at)

    time.sleep(2)
    assert not published(post), "published before its time"
    assert wait_until(lambda: published(post), PUBLISH_TIMEOUT), worker.read_text()
    # One more sweep period, so a second publication would show.
    time.sleep(6)

    post.refresh_from_db()
    assert post.publish_at >= publish_at
    assert post.publish_at - publish_at < timedelta(seconds=5)
    author.refresh_from_db()
    assert author.posts_count == 1
    assert Hashtag.objects.get(name="worker").posts_count == 1
    assert Notification.objects.filter(post=post, type=Notification.Type.POST_PUBLISHED).count() == 1
    assert f"Published scheduled post {post.pk} in task" in worker.read_text()


def test_worker_sweep_publishes_lost_task(worker):
    author = UserFactory()
    # No task was queued for this post, as when the broker lost it: beat's sweep must publish it.
    post = scheduled_post_create(author=author, publish_at=timezone.now() + timedelta(seconds=2), tags=("lost",))

    assert wait_until(lambda: published(post), PUBLISH_TIMEOUT), worker.read_text()
    time.sleep(6)

    author.refresh_from_db()
    assert author.posts_count == 1
    assert Hashtag.objects.get(name="lost").posts_count == 1
    assert Notification.objects.filter(post=post).count() == 1
    assert f"Published scheduled post {post.pk} in sweep" in worker.read_text()
