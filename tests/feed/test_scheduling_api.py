"""GET /api/v1/posts/scheduled and POST /api/v1/posts/{id}/publish."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import status

from apps.engagement.models import Notification
from apps.feed.models import Hashtag, Post
from tests.factories import PostFactory, UserFactory

from .scheduled_posts import media_create, scheduled_post_create

LIST_URL = "/api/v1/posts/scheduled"


def publish_url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/publish"


def in_hours(hours: float):
    return timezone.now() + timedelta(hours=hours)


# The scheduled list.


def test_scheduled_list_soonest_first(alice_client, bob_client, django_assert_max_num_queries):
    alice = alice_client.user
    later = scheduled_post_create(author=alice, publish_at=in_hours(3))
    soonest = scheduled_post_create(author=alice, publish_at=in_hours(1))
    middle = scheduled_post_create(author=alice, publish_at=in_hours(2))
    PostFactory(author=alice)
    scheduled_post_create(author=bob_client.user, publish_at=in_hours(1))

    with django_assert_max_num_queries(3):
        response = alice_client.get(LIST_URL)

    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    assert [post["id"] for post in body["results"]] == [soonest.pk, middle.pk, later.pk]
    assert {post["status"] for post in body["results"]} == {"scheduled"}
    assert body["next"] is None
    assert body["results"][0]["author"]["username"] == "alice"
    assert body["results"][0]["liked_by_me"] is False


def test_scheduled_list_trailing_slash(alice_client):
    scheduled_post_create(author=alice_client.user, publish_at=in_hours(1))

    response = alice_client.get(f"{LIST_URL}/")

    assert response.status_code == status.HTTP_200_OK, response.content
    assert len(response.json()["results"]) == 1


def test_scheduled_list_pages_without_repeats(alice_client, django_assert_max_num_queries):
    alice = alice_client.user
    same_time = in_hours(1)
    posts = [scheduled_post_create(author=alice, publish_at=same_time) for _ in range(3)]
    posts += [scheduled_post_create(author=alice, publish_at=in_hours(2 + i)) for i in range(2)]

    seen: list[int] = []
    url = f"{LIST_URL}?page_size=2"
    while url:
        with django_assert_max_num_queries(3):
            response = alice_client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        seen += [post["id"] for post in response.json()["results"]]
        url = response.json()["next"]

    assert seen == [post.pk for post in posts]


def test_scheduled_list_link_header(alice_client):
    for hours in (1, 2, 3):
        scheduled_post_create(author=alice_client.user, publish_at=in_hours(hours))

    response = alice_client.get(f"{LIST_URL}?page_size=2")

    assert response.status_code == status.HTTP_200_OK, response.content
    assert 'rel="next"' in response["Link"]
    assert response.json()["next"] in response["Link"]


def test_scheduled_list_queries_constant(alice_client):
    alice = alice_client.user

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = alice_client.get(f"{LIST_URL}?page_size=100")
        assert response.status_code == status.HTTP_200_OK, response.content
        return len(queries)

    post = scheduled_post_create(author=alice, publish_at=in_hours(1))
    media_create(owner=alice, post=post)
    few = count_queries()
    for hours in range(2, 30):
        post = scheduled_post_create(author=alice, publish_at=in_hours(hours))
        media_create(owner=alice, post=post)
        media_create(owner=alice, post=post)

    assert count_queries() == few
    assert few <= 3


def test_scheduled_list_includes_media(alice_client):
    post = scheduled_post_create(author=alice_client.user, publish_at=in_hours(1))
    media = media_create(owner=alice_client.user, post=post)

    response = alice_client.get(LIST_URL)

    assert response.status_code == status.HTTP_200_OK, response.content
    [item] = response.json()["results"]
    assert [entry["id"] for entry in item["media"]] == [media.pk]
    assert item["media"][0]["url"].startswith("http://testserver/media/")


def test_scheduled_list_empty_for_new_user(bob_client):
    response = bob_client.get(LIST_URL)

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json() == {"next": None, "previous": None, "results": []}


@pytest.mark.django_db
def test_scheduled_list_anonymous_401(api_client):
    response = api_client.get(LIST_URL)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=many", "page_size"),
        ("cursor=bogus", "cursor"),
    ],
)
def test_scheduled_list_bad_query_400(alice_client, query, field):
    response = alice_client.get(f"{LIST_URL}?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == [field]


# Publishing now.


def test_publish_own_scheduled_post(alice_client):
    alice = alice_client.user
    post = scheduled_post_create(author=alice, publish_at=in_hours(5), tags=("launch",))
    before = timezone.now()

    response = alice_client.post(publish_url(post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    assert body["id"] == post.pk
    assert body["status"] == "published"
    assert body["liked_by_me"] is False
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert before <= post.publish_at <= timezone.now()
    alice.refresh_from_db()
    assert alice.posts_count == 1
    assert Hashtag.objects.get(name="launch").posts_count == 1


def test_publish_own_action_not_notified(alice_client):
    post = scheduled_post_create(author=alice_client.user, publish_at=in_hours(5))

    response = alice_client.post(publish_url(post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    assert not Notification.objects.filter(post=post).exists()


def test_publish_leaves_scheduled_list(alice_client):
    post = scheduled_post_create(author=alice_client.user, publish_at=in_hours(5))

    response = alice_client.post(publish_url(post.pk))
    assert response.status_code == status.HTTP_200_OK, response.content

    response = alice_client.get(LIST_URL)
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["results"] == []


def test_publish_twice_idempotent_200(alice_client):
    alice = alice_client.user
    post = scheduled_post_create(author=alice, publish_at=in_hours(5))

    first = alice_client.post(publish_url(post.pk))
    second = alice_client.post(publish_url(post.pk))

    assert first.status_code == status.HTTP_200_OK, first.content
    assert second.status_code == status.HTTP_200_OK, second.content
    assert second.json() == first.json()
    alice.refresh_from_db()
    assert alice.posts_count == 1
    assert Hashtag.objects.get(name="launch").posts_count == 1


def test_publish_published_post_unchanged(alice_client):
    post = PostFactory(author=alice_client.user, publish_at=timezone.now() - timedelta(days=1))

    response = alice_client.post(publish_url(post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["status"] == "published"
    post.refresh_from_db()
    assert post.publish_at < timezone.now() - timedelta(hours=23)
    alice_client.user.refresh_from_db()
    assert alice_client.user.posts_count == 0


def test_publish_others_scheduled_404(alice_client, bob_client):
    post = scheduled_post_create(author=alice_client.user, publish_at=in_hours(5))

    response = bob_client.post(publish_url(post.pk))

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED


def test_publish_others_published_403(alice_client, bob_client):
    post = PostFactory(author=alice_client.user)

    response = bob_client.post(publish_url(post.pk))

    assert response.status_code == status.HTTP_403_FORBIDDEN, response.content
    assert response.json()["code"] == "permission_denied"


def test_publish_missing_post_404(alice_client):
    response = alice_client.post(publish_url(999_999))

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


def test_publish_non_numeric_id_404(alice_client):
    response = alice_client.post("/api/v1/posts/abc/publish")

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_publish_anonymous_401(api_client):
    post = scheduled_post_create(author=UserFactory(), publish_at=in_hours(5))

    response = api_client.post(publish_url(post.pk))

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED


def test_publish_get_not_allowed_405(alice_client):
    post = scheduled_post_create(author=alice_client.user, publish_at=in_hours(5))

    response = alice_client.get(publish_url(post.pk))

    assert response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED, response.content


@pytest.mark.django_db
def test_schema_documents_publish_statuses():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    publish = schema["paths"]["/api/v1/posts/{id}/publish"]["post"]
    assert {"200", "401", "403", "404"} <= set(publish["responses"])
    listing = schema["paths"]["/api/v1/posts/scheduled"]["get"]
    assert {"cursor", "page_size"} <= {parameter["name"] for parameter in listing["parameters"]}
    assert {"200", "400", "401"} <= set(listing["responses"])
