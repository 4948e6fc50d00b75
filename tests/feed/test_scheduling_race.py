"""The publishing task, the sweep, the publish-now path and edits racing for the same posts.

The tests commit (`transaction=True`) and run each path in its own thread with its own
connection. On PostgreSQL concurrent batches lock disjoint posts (SKIP LOCKED), and on
SQLite the IMMEDIATE transactions run one after another. Both must publish each post once.
"""

import logging
import re
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from apps.accounts.models import User
from apps.engagement.models import Notification
from apps.feed.models import Hashtag, Post
from apps.feed.scheduling import post_publish_now, posts_publish_due
from apps.feed.services import post_update
from apps.feed.tasks import publish_due_posts, publish_post
from tests.factories import UserFactory

from .scheduled_posts import run_task, run_together, scheduled_post_create

POSTS = 6
ROUNDS = 3
PUBLISHED_LINE = re.compile(r"Published scheduled post (\d+) in ")


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_sweeps_race_publish_once(round_number, caplog):
    authors = [UserFactory() for _ in range(3)]
    posts = [
        scheduled_post_create(author=author, tags=("race", f"author{index}"))
        for index, author in enumerate(authors)
        for _ in range(12)
    ]
    post_ids = [post.pk for post in posts]

    def sweep() -> None:
        # Small batches, so the sweeps interleave.
        posts_publish_due(limit=5)

    def tasks() -> None:
        for post in posts[::-1]:
            run_task(publish_post, post.pk, post.publish_at.isoformat())

    with caplog.at_level(logging.INFO, logger="apps.feed.scheduling"):
        errors = run_together(sweep, sweep, tasks, sweep)

    assert errors == []
    assert Post.objects.filter(pk__in=post_ids, status=Post.Status.PUBLISHED).count() == len(posts)
    for index, author in enumerate(authors):
        author.refresh_from_db()
        assert author.posts_count == 12
        assert Hashtag.objects.get(name=f"author{index}").posts_count == 12
    assert Hashtag.objects.get(name="race").posts_count == len(posts)
    notified = Notification.objects.filter(type=Notification.Type.POST_PUBLISHED).values_list("post_id", flat=True)
    assert Counter(notified) == Counter(post_ids)
    logged = [PUBLISHED_LINE.match(record.getMessage()) for record in caplog.records]
    assert Counter(int(match.group(1)) for match in logged if match) == Counter(post_ids)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_move_racing_sweep_stays_consistent(round_number):
    author = UserFactory()
    posts = [scheduled_post_create(author=author, tags=("race",)) for _ in range(POSTS)]
    moved = posts[POSTS // 2]
    later = timezone.now() + timedelta(hours=1)
    outcome: list[str] = []

    def move() -> None:
        try:
            post_update(post_id=moved.pk, publish_at=later)
        except ValidationError:
            outcome.append("rejected")
        else:
            outcome.append("moved")

    def sweep() -> None:
        posts_publish_due(limit=2)

    errors = run_together(sweep, move, sweep)

    assert errors == []
    moved.refresh_from_db()
    if outcome == ["moved"]:
        assert moved.status == Post.Status.SCHEDULED
        assert moved.publish_at == later
        assert not Notification.objects.filter(post=moved).exists()
        expected = POSTS - 1
    else:
        assert outcome == ["rejected"]
        assert moved.status == Post.Status.PUBLISHED
        expected = POSTS
    assert Post.objects.filter(author=author, status=Post.Status.PUBLISHED).count() == expected
    author.refresh_from_db()
    assert author.posts_count == expected
    assert Hashtag.objects.get(name="race").posts_count == expected
    assert Notification.objects.filter(type=Notification.Type.POST_PUBLISHED).count() == expected


@pytest.mark.django_db(transaction=True)
def test_publish_post_waits_for_edit_lock():
    author = UserFactory()
    post = scheduled_post_create(author=author, tags=("race",))
    locked = threading.Event()
    results: list[object] = []

    def edit() -> None:
        with transaction.atomic():
            list(Post.objects.select_for_update().filter(pk=post.pk))
            locked.set()
            time.sleep(0.5)
            Post.objects.filter(pk=post.pk).update(text="Edited #race")

    def publish() -> None:
        assert locked.wait(timeout=10)
        results.append(run_task(publish_post, post.pk, post.publish_at.isoformat()))

    errors = run_together(edit, publish)

    assert errors == []
    assert results == [True]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.text == "Edited #race"
    author.refresh_from_db()
    assert author.posts_count == 1
    assert Hashtag.objects.get(name="race").posts_count == 1
    assert Notification.objects.filter(post=post, type=Notification.Type.POST_PUBLISHED).count() == 1
