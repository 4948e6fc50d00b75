"""The notification inbox: listing with filters, and marking notifications read."""

import pytest
from rest_framework import status

from apps.engagement.models import Notification
from apps.engagement.services import comment_create, like_create
from tests.factories import NotificationFactory, PostFactory, UserFactory

URL = "/api/v1/notifications"
READ_URL = "/api/v1/notifications/read"


@pytest.fixture
def inbox(alice_client):
    """One notification of each type for Alice, oldest first: follow, like, comment, post_published."""
    actor = UserFactory(username="carol")
    post = PostFactory(author=alice_client.user, text="Sunset over the harbour")
    follow = NotificationFactory(recipient=alice_client.user, actor=actor, type="follow")
    like = NotificationFactory(recipient=alice_client.user, actor=actor, type="like", post=post)
    comment = comment_create(author=actor, post=post, text="Lovely!")
    commented = Notification.objects.get(comment=comment)
    published = NotificationFactory(recipient=alice_client.user, actor=None, type="post_published", post=post)
    return [follow, like, commented, published]


def test_inbox_newest_first(alice_client, inbox, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = alice_client.get(URL)

    assert response.status_code == status.HTTP_200_OK, response.content
    results = response.json()["results"]
    assert [row["id"] for row in results] == [notification.pk for notification in reversed(inbox)]


def test_inbox_shape(alice_client, inbox, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = alice_client.get(URL)

    assert response.status_code == status.HTTP_200_OK, response.content
    published, commented = response.json()["results"][:2]
    assert published["type"] == "post_published"
    assert published["actor"] is None
    assert published["comment"] is None
    assert published["post"] == {"id": inbox[3].post_id, "text": "Sunset over the harbour"}
    assert commented["type"] == "comment"
    assert commented["actor"]["username"] == "carol"
    assert commented["comment"]["text"] == "Lovely!"
    assert commented["read"] is False
    assert set(commented) == {"id", "type", "actor", "post", "comment", "created_at", "read"}


def test_inbox_only_own(alice_client, bob_client, inbox, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = bob_client.get(URL)

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_inbox_anonymous_401(api_client):
    response = api_client.get(URL)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


@pytest.mark.parametrize("kind", ["follow", "like", "comment", "post_published"])
def test_inbox_type_filter(alice_client, inbox, kind, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = alice_client.get(URL, {"type": kind})

    assert response.status_code == status.HTTP_200_OK, response.content
    results = response.json()["results"]
    assert len(results) == 1
    assert results[0]["type"] == kind


def test_inbox_invalid_type_400(alice_client, inbox):
    response = alice_client.get(URL, {"type": "mention"})

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "type" in response.json()["errors"]


def test_inbox_unread_filter(alice_client, inbox, django_assert_max_num_queries):
    Notification.objects.filter(pk__in=[inbox[0].pk, inbox[2].pk]).update(read=True)

    with django_assert_max_num_queries(3):
        unread = alice_client.get(URL, {"unread": "true"})
    with django_assert_max_num_queries(3):
        read = alice_client.get(URL, {"unread": "false"})

    assert unread.status_code == status.HTTP_200_OK, unread.content
    assert [row["id"] for row in unread.json()["results"]] == [inbox[3].pk, inbox[1].pk]
    assert read.status_code == status.HTTP_200_OK, read.content
    assert [row["id"] for row in read.json()["results"]] == [inbox[2].pk, inbox[0].pk]


def test_inbox_invalid_unread_400(alice_client, inbox):
    response = alice_client.get(URL, {"unread": "maybe"})

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "unread" in response.json()["errors"]


def test_inbox_filters_combine(alice_client, inbox, django_assert_max_num_queries):
    Notification.objects.filter(pk=inbox[1].pk).update(read=True)

    with django_assert_max_num_queries(3):
        response = alice_client.get(URL, {"unread": "true", "type": "like"})

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["results"] == []


def test_inbox_pages_while_new_arrive(alice_client, django_assert_max_num_queries):
    notifications = [NotificationFactory(recipient=alice_client.user) for _ in range(5)]

    with django_assert_max_num_queries(3):
        first = alice_client.get(URL, {"page_size": 2})
    newer = NotificationFactory(recipient=alice_client.user)
    seen = [row["id"] for row in first.json()["results"]]
    url = first.json()["next"]
    while url:
        with django_assert_max_num_queries(3):
            response = alice_client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        seen.extend(row["id"] for row in response.json()["results"])
        url = response.json()["next"]

    assert first.status_code == status.HTTP_200_OK, first.content
    assert seen == [notification.pk for notification in reversed(notifications)]
    assert newer.pk not in seen
    assert 'rel="next"' in first["Link"]


@pytest.mark.parametrize("count", [1, 12])
def test_inbox_query_count_constant(alice_client, django_assert_max_num_queries, count):
    post = PostFactory(author=alice_client.user)
    for _ in range(count):
        actor = UserFactory()
        like_create(user=actor, post=post)
        comment_create(author=actor, post=post, text="hello")

    with django_assert_max_num_queries(3):
        response = alice_client.get(URL, {"page_size": 100, "unread": "true", "type": "comment"})

    assert response.status_code == status.HTTP_200_OK, response.content
    assert len(response.json()["results"]) == count


# POST /notifications/read


def test_read_by_ids(alice_client, inbox):
    response = alice_client.post(READ_URL, {"ids": [inbox[0].pk, inbox[2].pk]}, format="json")

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    read_ids = set(Notification.objects.filter(read=True).values_list("pk", flat=True))
    assert read_ids == {inbox[0].pk, inbox[2].pk}


def test_read_all(alice_client, inbox):
    other = NotificationFactory(recipient=UserFactory())

    response = alice_client.post(READ_URL, {"all": True}, format="json")

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert not Notification.objects.filter(recipient=alice_client.user, read=False).exists()
    other.refresh_from_db()
    assert other.read is False


def test_read_others_ids_ignored(alice_client, bob_client):
    bobs = NotificationFactory(recipient=bob_client.user)

    response = alice_client.post(READ_URL, {"ids": [bobs.pk]}, format="json")

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    bobs.refresh_from_db()
    assert bobs.read is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"all": False}, "non_field_errors"),
        ({"ids": [1], "all": True}, "non_field_errors"),
        ({"ids": "1,2"}, "ids"),
        ({"ids": [0]}, "ids.0"),
        ({"ids": ["x"]}, "ids.0"),
        ({"all": "sometimes"}, "all"),
    ],
)
def test_read_invalid_body_400(alice_client, inbox, payload, field):
    response = alice_client.post(READ_URL, payload, format="json")

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert field in response.json()["errors"]
    assert not Notification.objects.filter(read=True).exists()


@pytest.mark.django_db
def test_read_anonymous_401(api_client):
    response = api_client.post(READ_URL, {"all": True}, format="json")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
