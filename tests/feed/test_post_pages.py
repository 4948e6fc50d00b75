"""List pages render posts from plain rows: the same shape as one post, in fewer queries."""

import base64
import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.engagement import services as engagement
from apps.feed import selectors, services
from apps.feed.models import Post
from project.pagination import CursorPagination

from .posts import FEED_URL, POSTS_URL, image_bytes, list_get, media_stored, post_stored, post_url
from .scheduled_posts import scheduled_post_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_posts(alice_client, bob_client):
    """Posts that use every part of the shape: pictures, an avatar, an edit, likes and no text."""
    alice, bob = alice_client.user, bob_client.user
    bob.avatar.save("bob.png", ContentFile(image_bytes()), save=True)
    first = media_stored(owner=bob, description="first")
    second = media_stored(owner=bob, description="second")
    posts = [
        post_stored(author=bob, text="Two pictures #日本", media=[second, first]),
        post_stored(author=bob, text="Plain text, liked #café"),
        post_stored(author=alice, text="Alice's own"),
        post_stored(author=bob, text="", media=[media_stored(owner=bob)]),
    ]
    services.post_update(post_id=posts[2].pk, text="Alice's own, edited #привет")
    engagement.like_create(user=alice, post=posts[1])
    alice_client.post(f"/api/v1/users/{bob.username}/follow")
    return posts


@pytest.mark.parametrize("url", [POSTS_URL, FEED_URL, "/api/v1/users/bob/posts", "/api/v1/me/likes"])
def test_page_items_equal_single_post(alice_client, varied_posts, url):
    page = list_get(alice_client, url).json()["results"]

    assert page, url
    for item in page:
        assert item == alice_client.get(post_url(item["id"])).json()


def test_page_items_equal_single_post_anonymous(api_client, varied_posts):
    page = list_get(api_client, POSTS_URL).json()["results"]

    assert len(page) == len(varied_posts)
    assert all("liked_by_me" not in item for item in page)
    for item in page:
        assert item == api_client.get(post_url(item["id"])).json()


def test_page_shape_details(alice_client, varied_posts):
    page = {item["id"]: item for item in list_get(alice_client, FEED_URL).json()["results"]}
    pictures, liked, own = (page[post.pk] for post in varied_posts[:3])

    assert [picture["description"] for picture in pictures["media"]] == ["second", "first"]
    assert all(picture["url"].startswith("http://testserver/") for picture in pictures["media"])
    assert pictures["author"]["avatar"].startswith("http://testserver/")
    assert (liked["liked_by_me"], liked["likes_count"]) == (True, 1)
    assert pictures["liked_by_me"] is False
    assert own["edited_at"] is not None and own["edited_at"].endswith("Z")
    assert own["hashtags"] == ["привет"]


def test_scheduled_page_items_equal_single_post(alice_client):
    for minutes in (5, 10):
        scheduled_post_create(author=alice_client.user, publish_at=timezone.now() + timedelta(minutes=minutes))

    page = list_get(alice_client, f"{POSTS_URL}/scheduled").json()["results"]

    assert [item["status"] for item in page] == [Post.Status.SCHEDULED] * 2
    for item in page:
        assert item == alice_client.get(post_url(item["id"])).json()


def test_page_without_media_reads_no_media(alice_client, django_assert_num_queries):
    for number in range(3):
        post_stored(author=alice_client.user, text=f"post {number}")

    # Authentication and the page: the media query runs only when a post on the page has media.
    with django_assert_num_queries(2):
        response = alice_client.get(FEED_URL)

    assert len(response.json()["results"]) == 3


def _reference(user, position=None, reverse=False) -> list[dict]:
    """The feed's rows through the ORM, as the other lists read theirs."""
    pagination = CursorPagination(selectors.POST_ORDERING)
    pagination.page_size = 100
    queryset = selectors.post_rows(selectors.feed_list(user=user))
    return pagination._fetch(queryset, position, reverse)


def test_feed_rows_equal_orm_rows(alice_client, varied_posts):
    alice = alice_client.user
    # Every post gets the same publish_at, so the id alone decides the order.
    Post.objects.update(publish_at=varied_posts[0].publish_at)
    source = selectors.FeedRows(alice)
    rows = source.fetch(None, reverse=False, limit=100)

    assert [row["id"] for row in rows] == sorted((post.pk for post in varied_posts), reverse=True)
    assert rows == _reference(alice)
    middle = [rows[1]["publish_at"].isoformat(), rows[1]["id"]]
    for reverse in (False, True):
        cleaned = source.position_clean(middle)
        assert source.fetch(cleaned, reverse=reverse, limit=100) == _reference(alice, middle, reverse)


@pytest.mark.parametrize(
    "position",
    [
        ["2026-12-04T10:00:00", 5],
        ["2026-12-04T10:00:00Z", "5"],
        ["2026-12-04T10:00:00Z", True],
        ["2026-12-04T10:00:00Z", 2**63],
        ["2026-12-04T10:00:00Z", 1.5],
        ["2026-12-04T10:00:00\x00Z", 5],
        ["0001-01-01T00:00:00+23:59", 5],
        [20261204, 5],
    ],
)
def test_feed_bad_cursor_400(alice_client, position):
    cursor = base64.urlsafe_b64encode(json.dumps({"p": position}).encode()).decode().rstrip("=")

    response = alice_client.get(FEED_URL, {"cursor": cursor})

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["cursor"]
