"""Scheduling on POST and PATCH /api/v1/posts: publish_at rules and what others can see."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.feed import services
from apps.feed.models import Hashtag, Post
from tests.factories import FollowFactory

from .posts import FEED_URL, HASHTAGS_URL, POSTS_URL, list_get, post_stored, post_url

pytestmark = pytest.mark.django_db


def future(hours: float = 2) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[int, datetime]]:
    """Record the scheduled posts handed to the publishing queue."""
    calls: list[tuple[int, datetime]] = []
    monkeypatch.setattr(
        services, "post_schedule_enqueue", lambda *, post_id, publish_at: calls.append((post_id, publish_at))
    )
    return calls


def test_schedule_create_scheduled(alice_client, enqueued, django_capture_on_commit_callbacks):
    when = future()

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(POSTS_URL, {"text": "Soon #launch", "publish_at": when.isoformat()})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["publish_at"] == when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert enqueued == [(body["id"], when)]
    assert User.objects.get(pk=alice_client.user.pk).posts_count == 0
    assert Hashtag.objects.get(name="launch").posts_count == 0


def test_schedule_offset_stored_utc(alice_client, enqueued):
    when = future(5)
    local = when.astimezone(timezone.get_fixed_timezone(330)).isoformat()  # +05:30

    response = alice_client.post(POSTS_URL, {"text": "Offset", "publish_at": local})

    assert response.status_code == 201, response.content
    assert "+05:30" in local
    assert response.json()["publish_at"] == when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert Post.objects.get().publish_at == when


def test_schedule_z_suffix_accepted(alice_client, enqueued):
    when = future()

    response = alice_client.post(POSTS_URL, {"text": "Zulu", "publish_at": when.strftime("%Y-%m-%dT%H:%M:%SZ")})

    assert response.status_code == 201, response.content
    assert Post.objects.get().publish_at == when


@pytest.mark.parametrize(
    "publish_at",
    [
        "2099-01-01T10:00:00",  # naive
        "2099-01-01",  # date only
        "next tuesday",
        "2099-13-01T10:00:00Z",
        12345,
    ],
)
def test_schedule_invalid_time_rejected(alice_client, publish_at):
    response = alice_client.post(POSTS_URL, {"text": "When?", "publish_at": publish_at})

    assert response.status_code == 400, response.content
    assert "publish_at" in response.json()["errors"]
    assert not Post.objects.exists()


def test_schedule_naive_time_message(alice_client):
    response = alice_client.post(POSTS_URL, {"text": "Naive", "publish_at": "2099-01-01T10:00:00"})

    assert response.status_code == 400, response.content
    assert "time zone" in response.json()["errors"]["publish_at"][0]


def test_schedule_past_rejected(alice_client):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()

    response = alice_client.post(POSTS_URL, {"text": "Too late", "publish_at": past})

    assert response.status_code == 400, response.content
    assert "future" in response.json()["errors"]["publish_at"][0]


def test_schedule_null_publishes_now(alice_client):
    response = alice_client.post(POSTS_URL, {"text": "Now", "publish_at": None})

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "published"


def test_schedule_limit_enforced(alice_client, settings, enqueued):
    settings.MAX_SCHEDULED_POSTS = 2
    for hours in (1, 2):
        post_stored(author=alice_client.user, text="queued", publish_at=future(hours))
    post_stored(author=alice_client.user, text="published posts do not count")

    response = alice_client.post(POSTS_URL, {"text": "One too many", "publish_at": future(3).isoformat()})

    assert response.status_code == 400, response.content
    assert "publish_at" in response.json()["errors"]
    assert Post.objects.scheduled().count() == 2


def test_schedule_limit_per_user(alice_client, bob_client, settings, enqueued):
    settings.MAX_SCHEDULED_POSTS = 1
    post_stored(author=bob_client.user, text="bob's", publish_at=future())

    response = alice_client.post(POSTS_URL, {"text": "alice's", "publish_at": future().isoformat()})

    assert response.status_code == 201, response.content


def test_schedule_hidden_from_others(alice_client, bob_client, api_client, enqueued, django_assert_max_num_queries):
    FollowFactory(follower=bob_client.user, followee=alice_client.user)
    scheduled = post_stored(author=alice_client.user, text="Secret #surprise", publish_at=future())
    post_stored(author=alice_client.user, text="Public #surprise")

    for client in (bob_client, api_client):
        assert client.get(post_url(scheduled.pk)).status_code == 404
        for url in (
            POSTS_URL,
            f"{POSTS_URL}?hashtag=surprise",
            "/api/v1/users/alice/posts",
            f"{HASHTAGS_URL}/surprise/posts",
        ):
            with django_assert_max_num_queries(3):
                response = client.get(url)
            assert response.status_code == 200, response.content
            assert [post["text"] for post in response.json()["results"]] == ["Public #surprise"], url
    feed = list_get(bob_client, FEED_URL)
    assert [post["text"] for post in feed.json()["results"]] == ["Public #surprise"]
    assert list_get(bob_client, HASHTAGS_URL).json()["results"] == [{"name": "surprise", "posts_count": 1}]


def test_schedule_hidden_from_author_lists(alice_client, enqueued):
    post_stored(author=alice_client.user, text="Secret #later", publish_at=future())

    feed = list_get(alice_client, FEED_URL)
    posts = list_get(alice_client, POSTS_URL)
    hashtags = list_get(alice_client, HASHTAGS_URL)

    assert feed.json()["results"] == []
    assert posts.json()["results"] == []
    assert hashtags.json()["results"] == []


def test_schedule_visible_to_author(alice_client, enqueued):
    scheduled = post_stored(author=alice_client.user, text="Mine", publish_at=future())

    response = alice_client.get(post_url(scheduled.pk))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"


def test_schedule_others_edit_not_found(alice_client, bob_client, enqueued):
    scheduled = post_stored(author=alice_client.user, text="Mine", publish_at=future())

    patch = bob_client.patch(post_url(scheduled.pk), {"text": "hijacked"})
    delete = bob_client.delete(post_url(scheduled.pk))

    assert patch.status_code == 404, patch.content
    assert delete.status_code == 404, delete.content
    assert Post.objects.get(pk=scheduled.pk).text == "Mine"


def test_schedule_move_enqueues(alice_client, enqueued, django_capture_on_commit_callbacks):
    scheduled = post_stored(author=alice_client.user, text="Move me", publish_at=future(1))
    enqueued.clear()
    later = future(6)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.patch(post_url(scheduled.pk), {"publish_at": later.isoformat()})

    assert response.status_code == 200, response.content
    assert response.json()["publish_at"] == later.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert response.json()["edited_at"] is None
    assert enqueued == [(scheduled.pk, later)]


def test_schedule_same_time_not_enqueued(alice_client, enqueued, django_capture_on_commit_callbacks):
    when = future(1)
    scheduled = post_stored(author=alice_client.user, text="Stay", publish_at=when)
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.patch(post_url(scheduled.pk), {"publish_at": when.isoformat()})

    assert response.status_code == 200, response.content
    assert enqueued == []


def test_schedule_move_past_rejected(alice_client, enqueued):
    scheduled = post_stored(author=alice_client.user, text="Move me", publish_at=future(1))

    response = alice_client.patch(post_url(scheduled.pk), {"publish_at": "2020-01-01T00:00:00Z"})

    assert response.status_code == 400, response.content
    assert "publish_at" in response.json()["errors"]


def test_schedule_published_not_movable(alice_client):
    post = post_stored(author=alice_client.user, text="Already out")

    response = alice_client.patch(post_url(post.pk), {"publish_at": future().isoformat()})

    assert response.status_code == 400, response.content
    assert "publish_at" in response.json()["errors"]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_schedule_edit_keeps_counts(alice_client, enqueued):
    scheduled = post_stored(author=alice_client.user, text="Draft #old", publish_at=future())

    response = alice_client.patch(post_url(scheduled.pk), {"text": "Draft #new"})

    assert response.status_code == 200, response.content
    assert response.json()["hashtags"] == ["new"]
    assert response.json()["edited_at"] is None
    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"old": 0, "new": 0}


def test_schedule_publish_applies_counts(alice_client, enqueued):
    scheduled = post_stored(author=alice_client.user, text="Later #soon #later", publish_at=future())
    Post.objects.filter(pk=scheduled.pk).update(status=Post.Status.PUBLISHED)
    scheduled.refresh_from_db()

    services.post_counts_apply(post=scheduled, delta=+1)

    assert User.objects.get(pk=alice_client.user.pk).posts_count == 1
    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"soon": 1, "later": 1}


def test_schedule_delete_keeps_counts(alice_client, enqueued):
    post_stored(author=alice_client.user, text="Visible #tag")
    scheduled = post_stored(author=alice_client.user, text="Hidden #tag", publish_at=future())

    response = alice_client.delete(post_url(scheduled.pk))

    assert response.status_code == 204, response.content
    assert User.objects.get(pk=alice_client.user.pk).posts_count == 1
    assert Hashtag.objects.get(name="tag").posts_count == 1
