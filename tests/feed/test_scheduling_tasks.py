"""The publishing task and the sweep, run as real Celery tasks (eager) on the real database."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.engagement.models import Notification
from apps.feed import scheduling
from apps.feed.models import Hashtag, Post
from apps.feed.scheduling import post_schedule_enqueue
from apps.feed.tasks import publish_due_posts, publish_post
from tests.factories import PostFactory, UserFactory

from .scheduled_posts import scheduled_post_create

pytestmark = pytest.mark.django_db


def run_publish_post(post: Post, expected_publish_at=None) -> bool:
    expected = expected_publish_at or post.publish_at
    return publish_post.delay(post.pk, expected.isoformat()).get()


def test_publish_post_publishes_due_post():
    author = UserFactory()
    post = scheduled_post_create(author=author, tags=("launch", "news"))
    before = timezone.now()

    assert run_publish_post(post) is True

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert before <= post.publish_at <= timezone.now()
    author.refresh_from_db()
    assert author.posts_count == 1
    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"launch": 1, "news": 1}


def test_publish_post_notifies_author_only():
    author = UserFactory()
    bystander = UserFactory()
    post = scheduled_post_create(author=author)

    run_publish_post(post)

    notification = Notification.objects.get()
    assert notification.recipient_id == author.pk
    assert notification.type == Notification.Type.POST_PUBLISHED
    assert notification.actor_id is None
    assert notification.post_id == post.pk
    assert not Notification.objects.filter(recipient=bystander).exists()


def test_publish_post_twice_counts_once():
    author = UserFactory()
    post = scheduled_post_create(author=author)

    assert run_publish_post(post) is True
    assert run_publish_post(post) is False

    author.refresh_from_db()
    assert author.posts_count == 1
    assert Hashtag.objects.get(name="launch").posts_count == 1
    assert Notification.objects.count() == 1


def test_publish_post_moved_later_skipped():
    post = scheduled_post_create(author=UserFactory())
    queued_for = post.publish_at
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() + timedelta(hours=1))

    assert run_publish_post(post, expected_publish_at=queued_for) is False

    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    assert Notification.objects.count() == 0


def test_publish_post_moved_earlier_waits_for_own_task():
    post = scheduled_post_create(author=UserFactory(), publish_at=timezone.now() - timedelta(seconds=5))
    stale_time = timezone.now() - timedelta(seconds=1)

    assert run_publish_post(post, expected_publish_at=stale_time) is False
    assert run_publish_post(post) is True

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_publish_post_deleted_post_skipped():
    author = UserFactory()
    post = scheduled_post_create(author=author)
    Post.objects.filter(pk=post.pk).delete()

    assert run_publish_post(post) is False

    author.refresh_from_db()
    assert author.posts_count == 0
    assert Hashtag.objects.get(name="launch").posts_count == 0
    assert Notification.objects.count() == 0


def test_publish_post_future_post_untouched():
    post = scheduled_post_create(author=UserFactory(), publish_at=timezone.now() + timedelta(minutes=5))

    assert run_publish_post(post) is False

    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED


def test_publish_post_published_post_untouched():
    author = UserFactory()
    post = PostFactory(author=author)

    assert run_publish_post(post) is False

    author.refresh_from_db()
    assert author.posts_count == 0
    assert Notification.objects.count() == 0


def test_publish_post_logs_post_and_task(caplog):
    post = scheduled_post_create(author=UserFactory(), text="secret words #launch")

    with caplog.at_level(logging.INFO, logger="apps.feed.scheduling"):
        result = publish_post.apply(args=[post.pk, post.publish_at.isoformat()], task_id="task-123")

    assert result.get() is True
    messages = [record.getMessage() for record in caplog.records]
    assert f"Published scheduled post {post.pk} in task task-123" in messages
    assert not any("secret words" in message for message in messages)


def test_enqueue_due_post_published():
    post = scheduled_post_create(author=UserFactory())

    # Eager mode runs the task at once and ignores the ETA.
    post_schedule_enqueue(post_id=post.pk, publish_at=post.publish_at)

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_enqueue_future_post_stays_scheduled():
    post = scheduled_post_create(author=UserFactory(), publish_at=timezone.now() + timedelta(hours=1))

    post_schedule_enqueue(post_id=post.pk, publish_at=post.publish_at)

    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED


def test_sweep_publishes_when_task_never_ran():
    author = UserFactory()
    post = scheduled_post_create(author=author)

    assert publish_due_posts.delay().get() == 1
    assert publish_due_posts.delay().get() == 0

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    author.refresh_from_db()
    assert author.posts_count == 1
    assert Hashtag.objects.get(name="launch").posts_count == 1
    assert Notification.objects.filter(post=post, type=Notification.Type.POST_PUBLISHED).count() == 1


def test_sweep_then_task_publishes_once():
    author = UserFactory()
    post = scheduled_post_create(author=author)

    assert publish_due_posts.delay().get() == 1
    assert run_publish_post(post) is False

    author.refresh_from_db()
    assert author.posts_count == 1
    assert Notification.objects.count() == 1


def test_sweep_skips_future_and_published():
    author = UserFactory()
    future = scheduled_post_create(author=author, publish_at=timezone.now() + timedelta(minutes=1))
    PostFactory(author=author)

    assert publish_due_posts.delay().get() == 0

    future.refresh_from_db()
    assert future.status == Post.Status.SCHEDULED
    assert Notification.objects.count() == 0


def test_sweep_walks_every_batch():
    author = UserFactory()
    same_time = timezone.now() - timedelta(minutes=1)
    posts = [scheduled_post_create(author=author, publish_at=same_time) for _ in range(3)]
    posts += [scheduled_post_create(author=author, publish_at=same_time + timedelta(seconds=i)) for i in range(2)]

    assert scheduling.posts_publish_due(limit=2) == 5

    assert Post.objects.filter(pk__in=[post.pk for post in posts], status=Post.Status.PUBLISHED).count() == 5
    author.refresh_from_db()
    assert author.posts_count == 5
    assert Hashtag.objects.get(name="launch").posts_count == 5
