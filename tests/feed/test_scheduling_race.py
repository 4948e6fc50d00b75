"""The publishing task, the sweep and the publish-now path racing for the same posts."""

import threading
from collections.abc import Callable

import pytest
from celery import Task
from django.db import connection

from apps.accounts.models import User
from apps.engagement.models import Notification
from apps.feed.models import Hashtag, Post
from apps.feed.scheduling import post_publish_now
from apps.feed.tasks import publish_due_posts, publish_post
from tests.factories import UserFactory

from .scheduled_posts import scheduled_post_create

POSTS = 6
ROUNDS = 3


def run_together(*jobs: Callable[[], object]) -> list[BaseException]:
    """Start every job in its own thread at the same moment, and return the errors they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a publishing thread hung"
    return errors


def run_task(task: Task, *args: object) -> object:
    """Run a task eagerly in this thread. Celery's `.get()` raises here, seeing another thread's task running."""
    result = task.apply(args=args)
    if result.failed():
        raise result.result
    return result.result


def assert_published_once(author: User, posts: list[Post]) -> None:
    assert Post.objects.filter(pk__in=[post.pk for post in posts], status=Post.Status.PUBLISHED).count() == len(posts)
    author.refresh_from_db()
    assert author.posts_count == len(posts)
    assert Hashtag.objects.get(name="race").posts_count == len(posts)
    assert Notification.objects.filter(type=Notification.Type.POST_PUBLISHED).count() <= len(posts)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_task_and_sweep_race_publish_once(round_number):
    author = UserFactory()
    posts = [scheduled_post_create(author=author, tags=("race",)) for _ in range(POSTS)]

    def tasks() -> None:
        for post in posts:
            run_task(publish_post, post.pk, post.publish_at.isoformat())

    def sweep() -> None:
        run_task(publish_due_posts)

    errors = run_together(tasks, sweep, sweep, tasks)

    assert errors == []
    assert_published_once(author, posts)
    for post in posts:
        assert Notification.objects.filter(post=post, recipient=author, actor=None).count() == 1


@pytest.mark.django_db(transaction=True)
def test_publish_now_and_sweep_race_publish_once():
    author = UserFactory()
    posts = [scheduled_post_create(author=author, tags=("race",)) for _ in range(POSTS)]

    def publish_now() -> None:
        for post in posts:
            post_publish_now(post=post, user=author)

    def sweep() -> None:
        run_task(publish_due_posts)

    errors = run_together(publish_now, sweep, publish_now)

    assert errors == []
    assert_published_once(author, posts)
