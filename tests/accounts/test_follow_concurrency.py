"""Concurrent follow and unfollow requests for one pair keep one row and exact counts.

Each thread sends its request through its own client and its own database connection,
and all of them start together at a barrier.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connections
from rest_framework.test import APIClient

from apps.accounts.models import Follow, User
from apps.accounts.services import token_create
from apps.engagement.models import Notification
from tests.factories import UserFactory

THREADS = 8


def _in_parallel(request: Callable[[APIClient], object], key: str) -> list[int]:
    """Send `request` from THREADS threads at once and return the status codes."""
    barrier = threading.Barrier(THREADS)
    codes: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            barrier.wait(timeout=10)
            codes.append(request(client).status_code)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return codes


@pytest.fixture
def pair(transactional_db):
    follower = UserFactory(username="eager")
    followee = UserFactory(username="popular")
    _, key = token_create(user=follower)
    return follower, followee, key


@pytest.mark.django_db(transaction=True)
def test_parallel_follows_one_row(pair):
    follower, followee, key = pair
    codes = _in_parallel(lambda client: client.post("/api/v1/users/popular/follow"), key)
    assert sorted(codes) == [200] * (THREADS - 1) + [201]
    assert Follow.objects.filter(follower=follower, followee=followee).count() == 1
    assert User.objects.get(pk=followee.pk).followers_count == 1
    assert User.objects.get(pk=follower.pk).following_count == 1
    assert Notification.objects.filter(recipient=followee, type="follow").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_unfollows_count_once(pair):
    follower, followee, key = pair
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post("/api/v1/users/popular/follow").status_code == 201
    codes = _in_parallel(lambda client: client.delete("/api/v1/users/popular/follow"), key)
    assert codes == [204] * THREADS
    assert not Follow.objects.exists()
    assert User.objects.get(pk=followee.pk).followers_count == 0
    assert User.objects.get(pk=follower.pk).following_count == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_mutual_follows_both_counted(transactional_db):
    # A follows B while B follows A: both transactions update the same two rows.
    users = [UserFactory(username=name) for name in ("left", "right")]
    keys = [token_create(user=user)[1] for user in users]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def run(key: str, target: str) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            barrier.wait(timeout=10)
            codes.append(client.post(f"/api/v1/users/{target}/follow").status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(keys[0], "right")),
        threading.Thread(target=run, args=(keys[1], "left")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [201, 201]
    for user in users:
        user.refresh_from_db()
        assert (user.followers_count, user.following_count) == (1, 1)
