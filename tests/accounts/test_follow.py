"""Following: POST and DELETE /api/v1/users/{username}/follow, and the follower and following lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import status

from apps.accounts.follows import follow_create
from apps.accounts.models import Follow, User
from apps.engagement.models import Notification
from tests.factories import UserFactory


def _follow_url(username: str) -> str:
    return f"/api/v1/users/{username}/follow"


def _counts(user: User) -> tuple[int, int]:
    user.refresh_from_db()
    return user.followers_count, user.following_count


def test_follow_creates_row_counts_notification(alice_client, bob_client):
    response = alice_client.post(_follow_url("bob"))
    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert response["Location"] == "/api/v1/users/bob"
    body = response.json()
    assert (body["username"], body["followers_count"]) == ("bob", 1)
    assert (body["is_following"], body["follows_you"]) == (True, False)
    assert Follow.objects.filter(follower=alice_client.user, followee=bob_client.user).count() == 1
    assert _counts(alice_client.user) == (0, 1)
    assert _counts(bob_client.user) == (1, 0)
    notification = Notification.objects.get(recipient=bob_client.user)
    assert (notification.type, notification.actor_id) == ("follow", alice_client.user.pk)


def test_follow_username_case_insensitive(alice_client, bob_client):
    response = alice_client.post(_follow_url("BOB") + "/")
    assert response.status_code == status.HTTP_201_CREATED, response.content


def test_follow_twice_200_no_change(alice_client, bob_client):
    alice_client.post(_follow_url("bob"))
    response = alice_client.post(_follow_url("bob"))
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["followers_count"] == 1
    assert response.json()["is_following"] is True
    assert _counts(bob_client.user) == (1, 0)
    assert _counts(alice_client.user) == (0, 1)
    assert Notification.objects.filter(recipient=bob_client.user).count() == 1


def test_follow_self_400(alice_client):
    response = alice_client.post(_follow_url("alice"))
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert response.json()["detail"] == "You cannot follow yourself."
    assert not Follow.objects.exists()
    assert _counts(alice_client.user) == (0, 0)


@pytest.mark.parametrize("method", ["post", "delete"])
def test_follow_unknown_user_404(alice_client, method):
    response = getattr(alice_client, method)(_follow_url("nobody"))
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


def test_follow_inactive_user_404(alice_client):
    UserFactory(username="gone", is_active=False)
    response = alice_client.post(_follow_url("gone"))
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content


@pytest.mark.parametrize("method", ["post", "delete"])
def test_follow_anonymous_401(api_client, bob_client, method):
    response = getattr(api_client, method)(_follow_url("bob"))
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert response.json()["code"] == "not_authenticated"
    assert "WWW-Authenticate" in response


def test_unfollow_deletes_row_counts_notification(alice_client, bob_client):
    alice_client.post(_follow_url("bob"))
    response = alice_client.delete(_follow_url("bob"))
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert not Follow.objects.exists()
    assert _counts(alice_client.user) == (0, 0)
    assert _counts(bob_client.user) == (0, 0)
    assert not Notification.objects.filter(recipient=bob_client.user).exists()


def test_unfollow_when_not_following_204(alice_client, bob_client):
    follow_create(follower=bob_client.user, followee=alice_client.user)
    response = alice_client.delete(_follow_url("bob"))
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert _counts(bob_client.user) == (0, 1)
    assert _counts(alice_client.user) == (1, 0)


def test_follow_again_after_unfollow(alice_client, bob_client):
    alice_client.post(_follow_url("bob"))
    alice_client.delete(_follow_url("bob"))
    response = alice_client.post(_follow_url("bob"))
    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert _counts(bob_client.user) == (1, 0)
    assert Notification.objects.filter(recipient=bob_client.user).count() == 1


def test_follow_both_ways(alice_client, bob_client):
    alice_client.post(_follow_url("bob"))
    response = bob_client.post(_follow_url("alice"))
    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert (response.json()["is_following"], response.json()["follows_you"]) == (True, True)
    assert _counts(alice_client.user) == (1, 1)
    assert _counts(bob_client.user) == (1, 1)


# Follower and following lists.


def _list(client, username: str, direction: str, **params):
    response = client.get(f"/api/v1/users/{username}/{direction}", params)
    assert response.status_code == status.HTTP_200_OK, response.content
    return response


@pytest.fixture
def star(db):
    """A user followed by five others, one follow a minute, oldest first."""
    star = UserFactory(username="star")
    fans = [UserFactory(username=f"fan{index}") for index in range(5)]
    for fan in fans:
        follow_create(follower=fan, followee=star)
    start = timezone.now() - timezone.timedelta(hours=1)
    for minute, fan in enumerate(fans):
        Follow.objects.filter(follower=fan).update(created_at=start + timezone.timedelta(minutes=minute))
    return star, fans


def test_followers_newest_follow_first(api_client, star):
    response = _list(api_client, "STAR", "followers")
    assert [row["username"] for row in response.json()["results"]] == ["fan4", "fan3", "fan2", "fan1", "fan0"]
    assert "is_following" not in response.json()["results"][0]
    assert "email" not in response.json()["results"][0]


def test_following_newest_follow_first(api_client, star):
    star_user, fans = star
    for fan in fans[:3]:
        follow_create(follower=star_user, followee=fan)
    response = _list(api_client, "star", "following")
    assert [row["username"] for row in response.json()["results"]] == ["fan2", "fan1", "fan0"]


def test_follow_lists_viewer_flags(alice_client, star):
    _, fans = star
    follow_create(follower=alice_client.user, followee=fans[1])
    follow_create(follower=fans[2], followee=alice_client.user)
    rows = {row["username"]: row for row in _list(alice_client, "star", "followers").json()["results"]}
    assert (rows["fan1"]["is_following"], rows["fan1"]["follows_you"]) == (True, False)
    assert (rows["fan2"]["is_following"], rows["fan2"]["follows_you"]) == (False, True)
    assert (rows["fan3"]["is_following"], rows["fan3"]["follows_you"]) == (False, False)


def test_follow_lists_hide_inactive(api_client, star):
    User.objects.filter(username="fan3").update(is_active=False)
    usernames = [row["username"] for row in _list(api_client, "star", "followers").json()["results"]]
    assert "fan3" not in usernames


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_followers_pages_without_gaps(api_client, star, page_size):
    seen, url = [], f"/api/v1/users/star/followers?page_size={page_size}"
    while url:
        response = api_client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        seen += [row["username"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert seen == ["fan4", "fan3", "fan2", "fan1", "fan0"]


def test_followers_new_follow_causes_no_repeat(api_client, star):
    first = _list(api_client, "star", "followers", page_size=2)
    follow_create(follower=UserFactory(username="latecomer"), followee=star[0])
    second = api_client.get(first.json()["next"])
    rest = [row["username"] for row in second.json()["results"]]
    assert rest == ["fan2", "fan1"]


@pytest.mark.parametrize("direction", ["followers", "following"])
def test_follow_lists_unknown_user_404(api_client, db, direction):
    response = api_client.get(f"/api/v1/users/nobody/{direction}")
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("direction", ["followers", "following"])
@pytest.mark.parametrize("authenticated", [False, True])
def test_follow_lists_query_count_constant(
    api_client, alice_client, django_assert_max_num_queries, direction, authenticated
):
    client = alice_client if authenticated else api_client
    hub = UserFactory(username="hub")
    with CaptureQueriesContext(connection) as empty:
        _list(client, "hub", direction)
    for _ in range(30):
        other = UserFactory()
        if direction == "followers":
            follow_create(follower=other, followee=hub)
        else:
            follow_create(follower=hub, followee=other)
        follow_create(follower=other, followee=alice_client.user)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as full:
        response = _list(client, "hub", direction, page_size=100)
    assert len(response.json()["results"]) == 30
    assert len(full) == len(empty)
