"""The copies of a post's status and publish_at on its PostHashtag rows."""

import importlib
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.feed import scheduling, services
from apps.feed.models import Post, PostHashtag

from .posts import POSTS_URL, post_stored, post_url

pytestmark = pytest.mark.django_db

posthashtag_copies_fill = importlib.import_module(
    "apps.feed.migrations.0002_posthashtag_status_publish_at"
).posthashtag_copies_fill


def future(hours: float = 2) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def copies(post: Post) -> dict[str, tuple[str, datetime]]:
    """Return the (status, publish_at) stored on each of the post's hashtag rows, by hashtag name."""
    rows = PostHashtag.objects.filter(post_id=post.pk).values_list("hashtag__name", "status", "publish_at")
    return {name: (status, publish_at) for name, status, publish_at in rows}


def expected_copies(post: Post, names: list[str]) -> dict[str, tuple[str, datetime]]:
    """Return what `copies` must return: the post's current values on a row per name."""
    post.refresh_from_db()
    return {name: (post.status, post.publish_at) for name in names}


# The copies follow every write.


def test_copies_on_create_published(alice_client):
    post = post_stored(author=alice_client.user, text="Now #one #two")

    assert copies(post) == expected_copies(post, ["one", "two"])
    assert post.status == Post.Status.PUBLISHED


def test_copies_on_create_scheduled(alice_client):
    when = future()
    post = post_stored(author=alice_client.user, text="Later #one", publish_at=when)

    assert copies(post) == {"one": (Post.Status.SCHEDULED, when)}


def test_copies_on_create_api(alice_client):
    response = alice_client.post(POSTS_URL, {"text": "Via the API #one", "publish_at": future().isoformat()})

    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert copies(post) == expected_copies(post, ["one"])


def test_copies_on_text_edit(alice_client):
    post = post_stored(author=alice_client.user, text="Before #kept #dropped")

    response = alice_client.patch(post_url(post.pk), {"text": "After #kept #added"}, format="json")

    assert response.status_code == 200, response.content
    assert copies(post) == expected_copies(post, ["kept", "added"])


def test_copies_on_reschedule(alice_client):
    post = post_stored(author=alice_client.user, text="Later #one #two", publish_at=future(1))
    moved_to = future(5)

    response = alice_client.patch(post_url(post.pk), {"publish_at": moved_to.isoformat()}, format="json")

    assert response.status_code == 200, response.content
    assert copies(post) == {name: (Post.Status.SCHEDULED, moved_to) for name in ("one", "two")}


def test_copies_on_reschedule_with_new_text(alice_client):
    post = post_stored(author=alice_client.user, text="Later #kept", publish_at=future(1))
    moved_to = future(5)

    services.post_update(post_id=post.pk, text="Later #kept #added", publish_at=moved_to)

    assert copies(post) == {name: (Post.Status.SCHEDULED, moved_to) for name in ("kept", "added")}


def test_copies_on_publish_task(alice_client):
    post = post_stored(author=alice_client.user, text="Later #one #two", publish_at=future(1))
    before = timezone.now()

    published = scheduling.post_publish(
        post_id=post.pk, expected_publish_at=post.publish_at, now=post.publish_at + timedelta(seconds=1)
    )

    assert published is True
    assert copies(post) == expected_copies(post, ["one", "two"])
    assert post.status == Post.Status.PUBLISHED
    assert post.publish_at >= before


def test_copies_on_publish_sweep(alice_client, bob_client):
    posts = [
        post_stored(author=alice_client.user, text="Due #one", publish_at=future(1)),
        post_stored(author=bob_client.user, text="Due #one #two", publish_at=future(1)),
        post_stored(author=alice_client.user, text="Due #three", publish_at=future(2)),
    ]
    later = future(10)
    not_due = post_stored(author=alice_client.user, text="Not due #one", publish_at=later)

    assert scheduling.posts_publish_due(now=future(3)) == 3

    assert copies(posts[0]) == expected_copies(posts[0], ["one"])
    assert copies(posts[1]) == expected_copies(posts[1], ["one", "two"])
    assert copies(posts[2]) == expected_copies(posts[2], ["three"])
    assert copies(not_due) == {"one": (Post.Status.SCHEDULED, later)}


def test_copies_on_publish_sweep_one_by_one(alice_client):
    posts = [
        post_stored(author=alice_client.user, text=f"Due #one {number}", publish_at=future(1)) for number in range(3)
    ]

    # Limit 1 makes the sweep publish in several transactions, each with its own time.
    assert scheduling.posts_publish_due(now=future(3), limit=1) == 3

    for post in posts:
        assert copies(post) == expected_copies(post, ["one"])


def test_copies_on_publish_now(alice_client):
    post = post_stored(author=alice_client.user, text="Later #one", publish_at=future())

    response = alice_client.post(f"{post_url(post.pk)}/publish")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert copies(post) == expected_copies(post, ["one"])


# The migration's fill.


def test_fill_copies_from_posts(alice_client, bob_client):
    published = post_stored(author=alice_client.user, text="Now #one #two")
    scheduled = post_stored(author=bob_client.user, text="Later #two", publish_at=future())
    untagged = post_stored(author=bob_client.user, text="No tags")
    PostHashtag.objects.update(status=Post.Status.SCHEDULED, publish_at=timezone.now() - timedelta(days=400))
    PostHashtag.objects.filter(post=scheduled).update(status=Post.Status.PUBLISHED)

    posthashtag_copies_fill(connection)

    assert copies(published) == expected_copies(published, ["one", "two"])
    assert copies(scheduled) == expected_copies(scheduled, ["two"])
    assert copies(untagged) == {}
