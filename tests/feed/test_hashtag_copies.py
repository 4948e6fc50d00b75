"""The copies of a post's status and publish_at on its PostHashtag rows, and the hashtag page that reads them."""

import importlib
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from apps.feed import scheduling, services
from apps.feed.models import Post, PostHashtag
from tests.factories import UserFactory

from .posts import HASHTAGS_URL, POSTS_URL, list_get, post_stored, post_url

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


def cursor_of(link: str | None) -> str | None:
    return None if link is None else parse_qs(urlsplit(link).query)["cursor"][0]


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


# The hashtag page, read through the copies.


def walk(client, path: str, params: dict) -> list[tuple[list[int], str | None, str | None]]:
    """Return the post ids and the `next` and `previous` cursors of every page of a list.

    It follows `next` links to the last page, then `previous` links back to the first.
    """
    pages = []

    def page_record(response) -> dict:
        assert response.status_code == 200, response.content
        body = response.json()
        ids = [post["id"] for post in body["results"]]
        pages.append((ids, cursor_of(body["next"]), cursor_of(body["previous"])))
        return body

    body = page_record(list_get(client, path, {**params, "page_size": 4}))
    while body["next"] is not None:
        body = page_record(list_get(client, body["next"]))
    while body["previous"] is not None:
        body = page_record(list_get(client, body["previous"]))
    return pages


def test_hashtag_page_equals_filtered_posts(alice_client, bob_client):
    alice, bob = alice_client.user, bob_client.user
    for number in range(5):
        post_stored(author=alice if number % 2 else bob, text=f"Early #same {number}")
        post_stored(author=bob, text=f"Other tag #other {number}")
    # One batch publishes these six at the same moment, so the id alone orders them.
    for number in range(6):
        post_stored(author=alice, text=f"Batch #same {number}", publish_at=future(1))
    post_stored(author=alice, text="Still scheduled #same", publish_at=future(10))
    assert scheduling.posts_publish_due(now=future(2)) == 6
    post_stored(author=bob, text="Late #same")
    # This orders by the posts' own columns, and the hashtag page must give the same order from the copies.
    expected = list(
        Post.objects.published()
        .filter(post_hashtags__hashtag__name="same")
        .order_by("-publish_at", "-id")
        .values_list("pk", flat=True)
    )

    hashtag_pages = walk(alice_client, f"{HASHTAGS_URL}/same/posts", {})
    filtered_pages = walk(alice_client, POSTS_URL, {"hashtag": "same"})

    assert len(expected) == 12
    assert Post.objects.filter(text__startswith="Batch").values("publish_at").distinct().count() == 1
    assert [post_id for ids, _, _ in hashtag_pages[:3] for post_id in ids] == expected
    assert [ids for ids, _, _ in hashtag_pages[2:]] == [expected[8:], expected[4:8], expected[:4]]
    assert hashtag_pages == filtered_pages


def test_hashtag_page_after_publish_now(alice_client):
    older = post_stored(author=alice_client.user, text="Older #launch")
    scheduled = post_stored(author=alice_client.user, text="Launch #launch", publish_at=future())

    before = list_get(alice_client, f"{HASHTAGS_URL}/launch/posts")
    alice_client.post(f"{post_url(scheduled.pk)}/publish")
    after = list_get(alice_client, f"{HASHTAGS_URL}/launch/posts")

    assert [post["id"] for post in before.json()["results"]] == [older.pk]
    assert [post["id"] for post in after.json()["results"]] == [scheduled.pk, older.pk]


def test_hashtag_page_cursor_queries_constant(alice_client):
    authors = [UserFactory() for _ in range(3)]
    for number in range(30):
        post_stored(author=authors[number % 3], text=f"#busy number {number}")

    first = list_get(alice_client, f"{HASHTAGS_URL}/busy/posts", {"page_size": 10})
    second = list_get(alice_client, first.json()["next"])
    back = list_get(alice_client, second.json()["previous"])

    assert second.status_code == 200, second.content
    assert [post["text"] for post in second.json()["results"]] == [f"#busy number {n}" for n in range(19, 9, -1)]
    assert back.json()["results"] == first.json()["results"]


def test_hashtag_page_ordered_by_copies(alice_client):
    older = post_stored(author=alice_client.user, text="Older #order")
    newer = post_stored(author=alice_client.user, text="Newer #order")
    # A copy that disagrees with its post shows that the page orders by the copies.
    PostHashtag.objects.filter(post=newer).update(publish_at=older.publish_at - timedelta(hours=1))

    response = list_get(alice_client, f"{HASHTAGS_URL}/order/posts")

    assert [post["id"] for post in response.json()["results"]] == [older.pk, newer.pk]


@pytest.mark.parametrize("name", ["%00", "a" * 300])
def test_hashtag_page_invalid_name_cursor(alice_client, name):
    for number in range(3):
        post_stored(author=alice_client.user, text=f"#valid number {number}")
    cursor = cursor_of(list_get(alice_client, f"{HASHTAGS_URL}/valid/posts", {"page_size": 1}).json()["next"])

    response = list_get(alice_client, f"{HASHTAGS_URL}/{name}/posts", {"cursor": cursor})

    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
