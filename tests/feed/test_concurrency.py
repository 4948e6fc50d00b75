"""Concurrent requests against the real database: idempotent creates and exact counts."""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from apps.accounts.models import User
from apps.feed import services
from apps.feed.models import Hashtag, Post

from .posts import POSTS_URL, post_url

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(tasks: list[Callable[[], object]]) -> list[object]:
    """Run the callables in parallel threads that start at the same moment; return their results."""
    barrier = threading.Barrier(len(tasks))

    def run(task: Callable[[], object]) -> object:
        try:
            barrier.wait(timeout=10)
            return task()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(run, tasks))


def test_same_key_creates_one_post(make_client):
    alice = make_client(username="alice")
    clients = [make_client(user=alice.user) for _ in range(6)]

    def create(client):
        return lambda: client.post(POSTS_URL, {"text": "Only once #once"}, HTTP_IDEMPOTENCY_KEY="same-key")

    responses = run_together([create(client) for client in clients])

    assert [response.status_code for response in responses] == [201] * 6, [r.content for r in responses]
    assert len({response.json()["id"] for response in responses}) == 1
    assert sum(response.get("Idempotent-Replayed") == "true" for response in responses) == 5
    assert Post.objects.count() == 1
    assert User.objects.get(pk=alice.user.pk).posts_count == 1
    assert Hashtag.objects.get(name="once").posts_count == 1


def test_parallel_creates_and_deletes_count_exactly(make_client):
    writers = [make_client(username=f"writer{number}") for number in range(4)]
    doomed = {
        writer.user.pk: [
            writer.post(POSTS_URL, {"text": f"Old #shared #w{index} {number}"}).json()["id"] for number in range(3)
        ]
        for index, writer in enumerate(writers)
    }

    def create(client, number):
        return lambda: client.post(POSTS_URL, {"text": f"New #shared #Fresh {number}"})

    def delete(client, post_id):
        return lambda: client.delete(post_url(post_id))

    tasks = []
    for writer in writers:
        tasks += [create(writer, number) for number in range(3)]
        tasks += [delete(writer, post_id) for post_id in doomed[writer.user.pk][:2]]
    responses = run_together(tasks)

    assert sorted(response.status_code for response in responses) == [201] * 12 + [204] * 8
    for writer in writers:
        assert User.objects.get(pk=writer.user.pk).posts_count == 4
        assert Post.objects.filter(author=writer.user).count() == 4
    counts = dict(Hashtag.objects.values_list("name", "posts_count"))
    assert counts["shared"] == 16 == Post.objects.filter(text__contains="#shared").count()
    assert counts["fresh"] == 12
    assert [counts[f"w{index}"] for index in range(4)] == [1, 1, 1, 1]


def test_parallel_deletes_of_one_post(make_client):
    alice = make_client(username="alice")
    post_id = alice.post(POSTS_URL, {"text": "Delete me #gone"}).json()["id"]
    clients = [make_client(user=alice.user) for _ in range(5)]

    responses = run_together([lambda client=client: client.delete(post_url(post_id)) for client in clients])

    assert sorted(response.status_code for response in responses) == [204] + [404] * 4
    assert User.objects.get(pk=alice.user.pk).posts_count == 0
    assert Hashtag.objects.get(name="gone").posts_count == 0


def test_parallel_schedules_respect_limit(make_client, settings, monkeypatch):
    settings.MAX_SCHEDULED_POSTS = 3
    alice = make_client(username="alice")
    clients = [make_client(user=alice.user) for _ in range(8)]
    publish_at = (timezone.now() + timedelta(days=1)).isoformat()
    extract = services.hashtags_extract

    def slow_extract(text: str) -> list[str]:
        # Runs between the limit check and the commit: the pause lets every request reach
        # the check before the first one commits, so only the row lock keeps the limit.
        time.sleep(0.05)
        return extract(text)

    monkeypatch.setattr(services, "hashtags_extract", slow_extract)

    def schedule(client):
        return lambda: client.post(POSTS_URL, {"text": "Later", "publish_at": publish_at})

    responses = run_together([schedule(client) for client in clients])

    assert sorted(response.status_code for response in responses) == [201] * 3 + [400] * 5
    assert Post.objects.scheduled().filter(author=alice.user).count() == 3
