"""GET /api/v1/feed: own and followed users' posts, keyset pages and query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.feed.models import Post
from tests.factories import FollowFactory, UserFactory

from .posts import FEED_URL, list_get, media_stored, post_stored

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    return [post["text"] for post in response.json()["results"]]


def test_feed_own_and_followed(alice_client, django_assert_max_num_queries):
    alice = alice_client.user
    followed = UserFactory()
    stranger = UserFactory()
    FollowFactory(follower=alice, followee=followed)
    FollowFactory(follower=followed, followee=stranger)
    post_stored(author=alice, text="mine")
    post_stored(author=followed, text="followed")
    post_stored(author=stranger, text="stranger")

    with django_assert_max_num_queries(3):
        response = list_get(alice_client, FEED_URL)

    assert response.status_code == 200, response.content
    assert texts(response) == ["followed", "mine"]


def test_feed_newest_by_publish_at(alice_client):
    first = post_stored(author=alice_client.user, text="published first")
    second = post_stored(author=alice_client.user, text="published second")
    Post.objects.filter(pk=second.pk).update(publish_at=first.publish_at - timedelta(minutes=5))

    response = list_get(alice_client, FEED_URL)

    assert texts(response) == ["published first", "published second"]


def test_feed_ties_broken_by_id(alice_client):
    same_time = timezone.now()
    posts = [post_stored(author=alice_client.user, text=f"tie {number}") for number in range(5)]
    Post.objects.filter(pk__in=[post.pk for post in posts]).update(publish_at=same_time)

    first = list_get(alice_client, FEED_URL, {"page_size": 2})
    second = list_get(alice_client, first.json()["next"])
    third = list_get(alice_client, second.json()["next"])

    seen = texts(first) + texts(second) + texts(third)
    assert seen == ["tie 4", "tie 3", "tie 2", "tie 1", "tie 0"]


def test_feed_anonymous_unauthorized(api_client):
    response = list_get(api_client, FEED_URL)

    assert response.status_code == 401, response.content
    assert response.json()["code"] == "not_authenticated"


def test_feed_cursor_exact_while_posting(alice_client):
    alice = alice_client.user
    followed = UserFactory()
    FollowFactory(follower=alice, followee=followed)
    for number in range(6):
        post_stored(author=followed if number % 2 else alice, text=f"old {number}")

    first = list_get(alice_client, FEED_URL, {"page_size": 3})
    for number in range(4):
        post_stored(author=followed, text=f"new {number}")
    second = list_get(alice_client, first.json()["next"])
    previous = list_get(alice_client, second.json()["previous"])

    assert texts(first) == ["old 5", "old 4", "old 3"]
    assert texts(second) == ["old 2", "old 1", "old 0"]
    assert second.json()["next"] is None
    assert texts(previous) == ["old 5", "old 4", "old 3"]
    assert texts(list_get(alice_client, previous.json()["previous"])) == ["new 2", "new 1", "new 0"]


def test_feed_cursor_survives_deletion(alice_client):
    posts = [post_stored(author=alice_client.user, text=f"post {number}") for number in range(6)]

    first = list_get(alice_client, FEED_URL, {"page_size": 3})
    alice_client.delete(f"/api/v1/posts/{posts[3].pk}")
    second = list_get(alice_client, first.json()["next"])

    assert texts(first) == ["post 5", "post 4", "post 3"]
    assert texts(second) == ["post 2", "post 1", "post 0"]


def test_feed_queries_constant(alice_client, django_assert_max_num_queries):
    alice = alice_client.user
    followees = [UserFactory() for _ in range(25)]
    for followee in followees:
        FollowFactory(follower=alice, followee=followee)
        for number in range(3):
            post_stored(author=followee, text=f"{followee.username} {number}", media=[media_stored(owner=followee)])

    with django_assert_max_num_queries(3):
        small = list_get(alice_client, FEED_URL, {"page_size": 1})
    with django_assert_max_num_queries(3):
        large = list_get(alice_client, FEED_URL, {"page_size": 100})

    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) == 75
    assert all(post["media"] for post in large.json()["results"])
    assert all(post["liked_by_me"] is False for post in large.json()["results"])


def test_feed_unfollowed_user_hidden(alice_client):
    followed = UserFactory()
    follow = FollowFactory(follower=alice_client.user, followee=followed)
    post_stored(author=followed, text="was followed")
    follow.delete()

    response = list_get(alice_client, FEED_URL)

    assert texts(response) == []
