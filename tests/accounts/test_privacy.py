"""Email addresses stay private: never in a public shape and never matched by search; likes are private."""

import pytest
from rest_framework import status

from apps.accounts.follows import follow_create
from apps.engagement.services import comment_create, like_create
from apps.feed.services import post_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "hidden.mailbox@private-domain.example"


@pytest.fixture
def hidden(db):
    """A user with a distinctive email who posted, commented, liked and follows someone."""
    user = UserFactory(email=EMAIL, username="hidden_user", display_name="Hidden")
    other = UserFactory(username="other_user")
    post = post_create(author=user, text="Hello #privacy")
    comment_create(author=user, post=post, text="First!")
    like_create(user=user, post=post)
    follow_create(follower=user, followee=other)
    follow_create(follower=other, followee=user)
    return user, post


@pytest.mark.parametrize("search", ["hidden.mailbox", "mailbox", "private-domain", "example", "@"])
def test_user_search_ignores_email(api_client, hidden, search):
    response = api_client.get("/api/v1/users", {"search": search})

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["results"] == []


@pytest.mark.parametrize(("parameter", "value"), [("username", EMAIL[:30]), ("location", EMAIL)])
def test_user_filters_ignore_email(api_client, hidden, parameter, value):
    response = api_client.get("/api/v1/users", {parameter: value})

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["results"] == []


def test_public_shapes_omit_email(api_client, make_client, hidden):
    user, post = hidden
    viewer = make_client()
    paths = [
        "/api/v1/users",
        "/api/v1/users?search=hidden",
        "/api/v1/users/hidden_user",
        "/api/v1/users/hidden_user/followers",
        "/api/v1/users/hidden_user/following",
        "/api/v1/users/other_user/followers",
        "/api/v1/users/hidden_user/posts",
        "/api/v1/posts",
        f"/api/v1/posts/{post.pk}",
        f"/api/v1/posts/{post.pk}/likes",
        f"/api/v1/posts/{post.pk}/comments",
        "/api/v1/hashtags/privacy/posts",
    ]

    for client in (api_client, viewer):
        for path in paths:
            response = client.get(path)
            assert response.status_code == status.HTTP_200_OK, (path, response.content)
            assert EMAIL not in response.content.decode(), path
            assert "hidden.mailbox" not in response.content.decode(), path


def test_own_profile_shows_email(make_client, hidden):
    user, _ = hidden

    response = make_client(user).get("/api/v1/me")

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["email"] == EMAIL


def test_likes_list_anonymous_401(api_client, hidden):
    response = api_client.get("/api/v1/me/likes")

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_likes_list_only_own(make_client, hidden):
    user, post = hidden
    viewer = make_client()

    own = make_client(user).get("/api/v1/me/likes")
    others = viewer.get("/api/v1/me/likes")

    assert own.status_code == status.HTTP_200_OK, own.content
    assert [item["id"] for item in own.json()["results"]] == [post.pk]
    assert others.status_code == status.HTTP_200_OK, others.content
    assert others.json()["results"] == []


@pytest.mark.parametrize(
    "path", ["/api/v1/users/hidden_user/likes", "/api/v1/likes", "/api/v1/me/likes?user=hidden_user"]
)
def test_no_path_lists_others_likes(make_client, hidden, path):
    viewer = make_client()

    response = viewer.get(path)

    assert response.status_code in (status.HTTP_200_OK, status.HTTP_404_NOT_FOUND), response.content
    if response.status_code == status.HTTP_200_OK:
        assert response.json()["results"] == []
