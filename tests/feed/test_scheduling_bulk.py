"""Publishing due posts in batches: counts, notifications, pushes and query counts."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import DataError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.engagement.models import Notification
from apps.feed import scheduling
from apps.feed.models import Hashtag, Post
from apps.feed.scheduling import post_publish_now, posts_publish_due
from apps.feed.tasks import publish_post
from project.realtime import user_group
from tests.factories import PostFactory, UserFactory

from .scheduled_posts import scheduled_post_create

pytestmark = pytest.mark.django_db


def run_publish_post(post: Post, expected_publish_at=None) -> bool:
    expected = expected_publish_at or post.publish_at
    return publish_post.delay(post.pk, expected.isoformat()).get()


async def receive_within(layer, channel: str, seconds: float = 5) -> dict:
    return await asyncio.wait_for(layer.receive(channel), seconds)


def posts_count(user: User) -> int:
    user.refresh_from_db()
    return user.posts_count


def hashtag_counts() -> dict[str, int]:
    return dict(Hashtag.objects.values_list("name", "posts_count"))


def published_notifications() -> list[tuple[int, int, int | None]]:
    """Return (post id, recipient id, actor id) of every post_published notification, by post id."""
    rows = Notification.objects.filter(type=Notification.Type.POST_PUBLISHED).order_by("post_id")
    return list(rows.values_list("post_id", "recipient_id", "actor_id"))


def test_bulk_publish_exact_counts():
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    due = timezone.now() - timedelta(seconds=1)
    posts = [scheduled_post_create(author=alice, publish_at=due, tags=("launch", "news")) for _ in range(5)]
    posts += [scheduled_post_create(author=bob, publish_at=due, tags=("launch",)) for _ in range(4)]
    posts += [scheduled_post_create(author=carol, publish_at=due, tags=("news", "carol")) for _ in range(2)]
    posts.append(scheduled_post_create(author=carol, publish_at=due, tags=()))
    future = scheduled_post_create(author=alice, publish_at=timezone.now() + timedelta(hours=1), tags=("launch",))

    # Batches of 5 split the authors' posts across transactions.
    assert posts_publish_due(limit=5) == 12

    assert Post.objects.filter(pk__in=[post.pk for post in posts], status=Post.Status.PUBLISHED).count() == 12
    assert (posts_count(alice), posts_count(bob), posts_count(carol)) == (5, 4, 3)
    assert hashtag_counts() == {"launch": 9, "news": 7, "carol": 2}
    authors = {post.pk: post.author_id for post in posts}
    assert published_notifications() == sorted((post_id, author_id, None) for post_id, author_id in authors.items())
    future.refresh_from_db()
    assert future.status == Post.Status.SCHEDULED


def test_bulk_publish_keeps_existing_counts():
    alice = UserFactory()
    PostFactory(author=alice)
    User.objects.filter(pk=alice.pk).update(posts_count=1)
    Hashtag.objects.create(name="launch", posts_count=7)
    scheduled_post_create(author=alice, tags=("launch",))

    assert posts_publish_due() == 1
    assert posts_publish_due() == 0

    assert posts_count(alice) == 2
    assert hashtag_counts() == {"launch": 8}


def test_bulk_publish_sets_real_time():
    due = timezone.now() - timedelta(minutes=10)
    post = scheduled_post_create(author=UserFactory(), publish_at=due)
    before = timezone.now()

    assert posts_publish_due() == 1

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert before <= post.publish_at <= timezone.now()


def test_bulk_publish_cutoff_respected():
    author = UserFactory()
    cutoff = timezone.now() - timedelta(minutes=1)
    early = scheduled_post_create(author=author, publish_at=cutoff - timedelta(seconds=1))
    late = scheduled_post_create(author=author, publish_at=cutoff + timedelta(seconds=1))

    assert posts_publish_due(now=cutoff) == 1

    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == Post.Status.PUBLISHED
    assert late.status == Post.Status.SCHEDULED
    assert posts_count(author) == 1


def test_bulk_publish_queries_constant():
    def queries_to_publish(posts_per_author: int) -> int:
        authors = [UserFactory() for _ in range(3)]
        for author in authors:
            for _ in range(posts_per_author):
                scheduled_post_create(author=author, tags=("launch", "news"))
        with CaptureQueriesContext(connection) as queries:
            assert posts_publish_due() == 3 * posts_per_author
        return len(queries)

    few = queries_to_publish(1)
    many = queries_to_publish(10)

    assert many == few
    assert many <= 14


def test_bulk_publish_pushes_one_query(django_capture_on_commit_callbacks, django_assert_num_queries):
    layer = get_channel_layer()
    alice, bob = UserFactory(), UserFactory()
    channels = {}
    for user in (alice, bob):
        channels[user.pk] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(user_group(user.pk), channels[user.pk])
    alice_posts = [scheduled_post_create(author=alice, text=f"Alice {index} #launch") for index in range(3)]
    bob_post = scheduled_post_create(author=bob, text="Bob #launch")

    with django_capture_on_commit_callbacks() as callbacks:
        assert posts_publish_due() == 4
    with django_assert_num_queries(1):
        for callback in callbacks:
            callback()

    received = [async_to_sync(receive_within)(layer, channels[alice.pk]) for _ in alice_posts]
    received_by_bob = async_to_sync(receive_within)(layer, channels[bob.pk])
    assert sorted(message["notification"]["post"]["id"] for message in received) == [post.pk for post in alice_posts]
    assert received_by_bob["type"] == "notification.created"
    notification = received_by_bob["notification"]
    assert notification["type"] == "post_published"
    assert notification["actor"] is None
    assert notification["post"] == {"id": bob_post.pk, "text": "Bob #launch"}
    assert notification["read"] is False
    assert notification["id"] == Notification.objects.get(post=bob_post).pk


def test_bulk_failure_isolates_failing_post(monkeypatch, caplog):
    author = UserFactory()
    posts = [scheduled_post_create(author=author) for _ in range(4)]
    failing = posts[1]
    hashtag_counts_apply = scheduling._hashtag_counts_apply

    def fail_on_one_post(post_ids: list[int]) -> None:
        if failing.pk in post_ids:
            raise DataError("value out of range")
        hashtag_counts_apply(post_ids)

    monkeypatch.setattr(scheduling, "_hashtag_counts_apply", fail_on_one_post)

    assert posts_publish_due() == 3

    failing.refresh_from_db()
    assert failing.status == Post.Status.SCHEDULED
    assert Post.objects.published().count() == 3
    assert posts_count(author) == 3
    assert hashtag_counts() == {"launch": 3}
    assert [post_id for post_id, _, _ in published_notifications()] == [post.pk for post in posts if post != failing]
    assert f"Publishing due post {failing.pk} in sweep None failed" in caplog.messages


def test_publish_post_publishes_every_due_post():
    alice, bob = UserFactory(), UserFactory()
    first = scheduled_post_create(author=alice)
    others = [scheduled_post_create(author=alice), scheduled_post_create(author=bob)]

    assert run_publish_post(first) is True
    for post in others:
        assert run_publish_post(post) is False

    assert Post.objects.published().count() == 3
    assert (posts_count(alice), posts_count(bob)) == (2, 1)
    assert hashtag_counts() == {"launch": 3}
    assert len(published_notifications()) == 3


def test_publish_post_published_one_query(django_assert_num_queries):
    posts = [scheduled_post_create(author=UserFactory()) for _ in range(3)]
    assert run_publish_post(posts[0]) is True

    with django_assert_num_queries(1):
        assert run_publish_post(posts[1]) is False


def test_publish_post_moved_post_left_out():
    author = UserFactory()
    due = timezone.now() - timedelta(seconds=1)
    trigger = scheduled_post_create(author=author, publish_at=due)
    neighbour = scheduled_post_create(author=author, publish_at=due)
    moved = scheduled_post_create(author=author, publish_at=due, tags=("moved",))
    later = timezone.now() + timedelta(hours=1)
    Post.objects.filter(pk=moved.pk).update(publish_at=later)

    assert run_publish_post(trigger) is True
    assert run_publish_post(moved, expected_publish_at=due) is False

    neighbour.refresh_from_db()
    assert neighbour.status == Post.Status.PUBLISHED
    moved.refresh_from_db()
    assert moved.status == Post.Status.SCHEDULED
    assert moved.publish_at == later
    assert posts_count(author) == 2
    assert hashtag_counts() == {"launch": 2, "moved": 0}
    assert not Notification.objects.filter(post=moved).exists()


def test_publish_now_publishes_only_that_post():
    author = UserFactory()
    post = scheduled_post_create(author=author)
    other = scheduled_post_create(author=author)

    published = post_publish_now(post=post, user=author)

    assert published.status == Post.Status.PUBLISHED
    other.refresh_from_db()
    assert other.status == Post.Status.SCHEDULED
    assert posts_count(author) == 1
    assert hashtag_counts() == {"launch": 1}
    assert not Notification.objects.exists()
