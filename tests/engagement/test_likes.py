"""Liking and unliking posts, the likers of a post, and the caller's liked posts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import status

from apps.engagement.models import Like, Notification
from apps.engagement.services import like_create
from apps.feed.models import Post
from tests.factories import FollowFactory, PostFactory, UserFactory


def like_url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/like"


def likes_url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/likes"


@pytest.fixture
def bob_post(bob_client):
    return PostFactory(author=bob_client.user, text="Sunset over the harbour")


def scheduled_post(author):
    return PostFactory(author=author, status=Post.Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=2))


# POST /posts/{id}/like


def test_like_creates_201(alice_client, bob_post):
    response = alice_client.post(like_url(bob_post.pk))

    assert response.status_code == status.HTTP_201_CREATED, response.content
    body = response.json()
    assert body["post"] == bob_post.pk
    assert body["liked"] is True
    assert body["likes_count"] == 1
    assert body["created_at"].endswith("Z")
    assert response["Location"] == f"/api/v1/posts/{bob_post.pk}/like"
    bob_post.refresh_from_db()
    assert bob_post.likes_count == 1
    assert Like.objects.filter(user=alice_client.user, post=bob_post).count() == 1


def test_like_twice_keeps_count(alice_client, bob_post):
    first = alice_client.post(like_url(bob_post.pk))
    second = alice_client.post(like_url(bob_post.pk))

    assert first.status_code == status.HTTP_201_CREATED, first.content
    assert second.status_code == status.HTTP_200_OK, second.content
    assert second.json()["likes_count"] == 1
    assert second.json()["created_at"] == first.json()["created_at"]
    bob_post.refresh_from_db()
    assert bob_post.likes_count == 1
    assert Notification.objects.filter(type="like").count() == 1


def test_like_trailing_slash_works(alice_client, bob_post):
    response = alice_client.post(f"{like_url(bob_post.pk)}/")
    assert response.status_code == status.HTTP_201_CREATED, response.content


def test_like_notifies_post_author(alice_client, bob_post):
    alice_client.post(like_url(bob_post.pk))

    notification = Notification.objects.get()
    assert notification.type == Notification.Type.LIKE
    assert notification.recipient == bob_post.author
    assert notification.actor == alice_client.user
    assert notification.post == bob_post


def test_like_own_post_no_notification(bob_client, bob_post):
    response = bob_client.post(like_url(bob_post.pk))

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert not Notification.objects.exists()


def test_like_anonymous_401(api_client, bob_post):
    response = api_client.post(like_url(bob_post.pk))

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert response.json()["code"] == "not_authenticated"
    assert not Like.objects.exists()


@pytest.mark.django_db
def test_like_missing_post_404(alice_client):
    response = alice_client.post(like_url(999999))
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_like_non_numeric_id_404(alice_client):
    response = alice_client.post("/api/v1/posts/abc/like")
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content


def test_like_others_scheduled_post_404(alice_client, bob_client):
    post = scheduled_post(bob_client.user)

    response = alice_client.post(like_url(post.pk))

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert not Like.objects.exists()


def test_like_own_scheduled_post_allowed(bob_client):
    post = scheduled_post(bob_client.user)

    response = bob_client.post(like_url(post.pk))

    assert response.status_code == status.HTTP_201_CREATED, response.content


# DELETE /posts/{id}/like


def test_unlike_removes_like(alice_client, bob_post):
    alice_client.post(like_url(bob_post.pk))

    response = alice_client.delete(like_url(bob_post.pk))

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert not Like.objects.exists()
    bob_post.refresh_from_db()
    assert bob_post.likes_count == 0
    assert not Notification.objects.exists()


def test_unlike_not_liked_204(alice_client, bob_post):
    other = UserFactory()
    like_create(user=other, post=bob_post)

    response = alice_client.delete(like_url(bob_post.pk))

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    bob_post.refresh_from_db()
    assert bob_post.likes_count == 1


def test_unlike_twice_keeps_count(alice_client, bob_post):
    like_create(user=UserFactory(), post=bob_post)
    alice_client.post(like_url(bob_post.pk))

    first = alice_client.delete(like_url(bob_post.pk))
    second = alice_client.delete(like_url(bob_post.pk))

    assert first.status_code == status.HTTP_204_NO_CONTENT, first.content
    assert second.status_code == status.HTTP_204_NO_CONTENT, second.content
    bob_post.refresh_from_db()
    assert bob_post.likes_count == 1


def test_like_unlike_like_one_notification(alice_client, bob_post):
    alice_client.post(like_url(bob_post.pk))
    alice_client.delete(like_url(bob_post.pk))
    response = alice_client.post(like_url(bob_post.pk))

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert Notification.objects.filter(type="like", actor=alice_client.user, post=bob_post).count() == 1
    bob_post.refresh_from_db()
    assert bob_post.likes_count == 1


def test_unlike_anonymous_401(api_client, bob_post):
    response = api_client.delete(like_url(bob_post.pk))
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_unlike_others_scheduled_post_404(alice_client, bob_client):
    post = scheduled_post(bob_client.user)

    response = alice_client.delete(like_url(post.pk))

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content


# GET /posts/{id}/likes


def test_likers_newest_first(api_client, bob_post, django_assert_max_num_queries):
    older, newer = UserFactory(username="older"), UserFactory(username="newer")
    like_create(user=older, post=bob_post)
    like_create(user=newer, post=bob_post)

    with django_assert_max_num_queries(3):
        response = api_client.get(likes_url(bob_post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    assert [user["username"] for user in body["results"]] == ["newer", "older"]
    assert body["next"] is None
    assert "is_following" not in body["results"][0]
    assert "email" not in body["results"][0]


def test_likers_follow_flags_for_caller(alice_client, bob_post, django_assert_max_num_queries):
    followed, follower = UserFactory(username="followed"), UserFactory(username="follower")
    FollowFactory(follower=alice_client.user, followee=followed)
    FollowFactory(follower=follower, followee=alice_client.user)
    like_create(user=followed, post=bob_post)
    like_create(user=follower, post=bob_post)

    with django_assert_max_num_queries(3):
        response = alice_client.get(likes_url(bob_post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    rows = {user["username"]: user for user in response.json()["results"]}
    assert rows["followed"]["is_following"] is True
    assert rows["followed"]["follows_you"] is False
    assert rows["follower"]["is_following"] is False
    assert rows["follower"]["follows_you"] is True


def test_likers_pages_without_repeats(api_client, bob_post, django_assert_max_num_queries):
    for _ in range(5):
        like_create(user=UserFactory(), post=bob_post)

    seen = []
    url = f"{likes_url(bob_post.pk)}?page_size=2"
    while url:
        with django_assert_max_num_queries(3):
            response = api_client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        seen.extend(user["id"] for user in response.json()["results"])
        url = response.json()["next"]

    expected = list(Like.objects.filter(post=bob_post).order_by("-created_at", "-id").values_list("user_id", flat=True))
    assert seen == expected


@pytest.mark.parametrize("likers", [1, 8])
def test_likers_query_count_constant(alice_client, bob_post, django_assert_max_num_queries, likers):
    for _ in range(likers):
        user = UserFactory()
        FollowFactory(follower=alice_client.user, followee=user)
        like_create(user=user, post=bob_post)

    with django_assert_max_num_queries(3):
        response = alice_client.get(likes_url(bob_post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    assert len(response.json()["results"]) == likers


def test_likers_others_scheduled_post_404(alice_client, bob_client):
    post = scheduled_post(bob_client.user)

    response = alice_client.get(likes_url(post.pk))

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content


def test_likers_bad_page_size_400(api_client, bob_post):
    response = api_client.get(f"{likes_url(bob_post.pk)}?page_size=0")

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "page_size" in response.json()["errors"]


# GET /me/likes


def test_my_likes_most_recent_first(alice_client, django_assert_max_num_queries):
    first, second = PostFactory(text="first"), PostFactory(text="second")
    like_create(user=alice_client.user, post=second)
    like_create(user=alice_client.user, post=first)
    PostFactory(text="not liked")

    with django_assert_max_num_queries(3):
        response = alice_client.get("/api/v1/me/likes")

    assert response.status_code == status.HTTP_200_OK, response.content
    results = response.json()["results"]
    assert [post["text"] for post in results] == ["first", "second"]
    assert all(post["liked_by_me"] is True for post in results)
    assert results[0]["likes_count"] == 1
    assert results[0]["author"]["username"] == first.author.username


def test_my_likes_only_callers(alice_client, bob_client, django_assert_max_num_queries):
    like_create(user=bob_client.user, post=PostFactory())

    with django_assert_max_num_queries(3):
        response = alice_client.get("/api/v1/me/likes")

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["results"] == []


def test_my_likes_anonymous_401(api_client):
    response = api_client.get("/api/v1/me/likes")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_my_likes_pages_without_repeats(alice_client, django_assert_max_num_queries):
    posts = [PostFactory() for _ in range(5)]
    for post in posts:
        like_create(user=alice_client.user, post=post)

    seen = []
    url = "/api/v1/me/likes?page_size=2"
    while url:
        with django_assert_max_num_queries(3):
            response = alice_client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        seen.extend(post["id"] for post in response.json()["results"])
        url = response.json()["next"]

    assert seen == [post.pk for post in reversed(posts)]


@pytest.mark.parametrize("liked", [1, 8])
def test_my_likes_query_count_constant(alice_client, django_assert_max_num_queries, liked):
    for _ in range(liked):
        like_create(user=alice_client.user, post=PostFactory())

    with django_assert_max_num_queries(3):
        response = alice_client.get("/api/v1/me/likes")

    assert response.status_code == status.HTTP_200_OK, response.content
    assert len(response.json()["results"]) == liked
