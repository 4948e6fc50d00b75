"""List pages render posts from plain rows: the same shape as one post, in fewer queries."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.engagement import services as engagement
from apps.feed import services
from apps.feed.models import Post

from .posts import FEED_URL, POSTS_URL, image_bytes, list_get, media_stored, post_stored, post_url
from .scheduled_posts import scheduled_post_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_posts(alice_client, bob_client):
    """Posts that use every part of the shape: pictures, an avatar, an edit, likes and no text."""
    alice, bob = alice_client.user, bob_client.user
    bob.avatar.save("bob.png", ContentFile(image_bytes()), save=True)
    first, second = media_stored(owner=bob, description="first"), media_stored(owner=bob, description="second")
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
