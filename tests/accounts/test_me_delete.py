"""DELETE /api/v1/me: deleting an account and everything it owns."""

import pytest
from django.core.files.storage import default_storage
from rest_framework import status

from apps.accounts.follows import follow_create
from apps.accounts.models import AuthToken, Follow, User
from apps.engagement.models import Comment, Like, Notification
from apps.feed.models import Post
from tests.factories import PASSWORD, CommentFactory, LikeFactory, PostFactory, UserFactory

from .conftest import picture, upload

URL = "/api/v1/me"


def test_delete_account_removes_user_and_tokens(alice_client, revocations, django_capture_on_commit_callbacks):
    user_id = alice_client.user.pk
    token_id = AuthToken.objects.get(user_id=user_id).pk
    received = revocations(token_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.delete(URL, {"password": PASSWORD})
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert not User.objects.filter(pk=user_id).exists()
    assert not AuthToken.objects.filter(user_id=user_id).exists()
    assert received() == [{"type": "token.revoked"}]
    assert alice_client.get(URL).status_code == status.HTTP_401_UNAUTHORIZED


def test_delete_account_fixes_follow_counts(alice_client, bob_client):
    alice, bob = alice_client.user, bob_client.user
    carol = UserFactory()
    follow_create(follower=alice, followee=bob)
    follow_create(follower=alice, followee=carol)
    follow_create(follower=carol, followee=alice)
    follow_create(follower=bob, followee=carol)

    response = alice_client.delete(URL, {"password": PASSWORD})
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content

    bob.refresh_from_db()
    carol.refresh_from_db()
    assert (bob.followers_count, bob.following_count) == (0, 1)
    assert (carol.followers_count, carol.following_count) == (1, 0)
    assert list(Follow.objects.values_list("follower_id", "followee_id")) == [(bob.pk, carol.pk)]
    assert not Notification.objects.filter(actor_id=alice.pk).exists()


def test_delete_account_removes_content(alice_client, bob_client):
    alice, bob = alice_client.user, bob_client.user
    own_post = PostFactory(author=alice)
    # The factories do not maintain counters: set them as the services would have.
    User.objects.filter(pk=alice.pk).update(posts_count=1)
    CommentFactory(post=own_post, author=bob)
    bobs_post = PostFactory(author=bob, likes_count=1, comments_count=1)
    LikeFactory(user=alice, post=bobs_post)
    CommentFactory(post=bobs_post, author=alice)

    response = alice_client.delete(URL, {"password": PASSWORD})
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content

    assert not Post.objects.filter(author_id=alice.pk).exists()
    assert not Like.objects.filter(user_id=alice.pk).exists()
    assert not Comment.objects.filter(author_id=alice.pk).exists()
    bobs_post.refresh_from_db()
    assert (bobs_post.likes_count, bobs_post.comments_count) == (0, 0)


def test_delete_account_deletes_avatar_file(alice_client, django_capture_on_commit_callbacks):
    alice_client.patch(URL, {"avatar": upload(picture("PNG"))}, format="multipart")
    name = User.objects.get(pk=alice_client.user.pk).avatar.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.delete(URL, {"password": PASSWORD})
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert not default_storage.exists(name)


@pytest.mark.parametrize(
    "payload", [{"password": "wrong password"}, {}, {"password": ""}], ids=["wrong", "missing", "blank"]
)
def test_delete_account_password_required(alice_client, payload):
    response = alice_client.delete(URL, payload)
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["password"]
    assert User.objects.filter(pk=alice_client.user.pk).exists()


def test_delete_account_anonymous_401(api_client, alice_client):
    response = api_client.delete(URL, {"password": PASSWORD})
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert User.objects.filter(pk=alice_client.user.pk).exists()


def test_delete_account_others_untouched(alice_client, bob_client):
    alice_client.delete(URL, {"password": PASSWORD})
    assert bob_client.get(URL).status_code == status.HTTP_200_OK
