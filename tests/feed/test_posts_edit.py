"""GET, PATCH and DELETE /api/v1/posts/{id}."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage

from apps.accounts.models import User
from apps.engagement.models import Comment, Like, Notification
from apps.feed import services
from apps.feed.models import Hashtag, Media, Post, PostHashtag
from tests.factories import CommentFactory, LikeFactory, NotificationFactory, UserFactory

from .posts import media_stored, post_stored, post_url

pytestmark = pytest.mark.django_db


async def receive_within(layer, channel: str, seconds: float = 5) -> dict:
    return await asyncio.wait_for(layer.receive(channel), seconds)


# Reading.


def test_post_retrieve_anonymous(api_client, alice_client):
    post = post_stored(author=alice_client.user, text="Hi #there")

    response = api_client.get(post_url(post.pk))

    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Hi #there"
    assert "liked_by_me" not in response.json()


def test_post_retrieve_liked_by_me(alice_client, bob_client):
    post = post_stored(author=alice_client.user)
    LikeFactory(user=bob_client.user, post=post)

    liked = bob_client.get(post_url(post.pk))
    not_liked = alice_client.get(post_url(post.pk))

    assert liked.json()["liked_by_me"] is True
    assert not_liked.json()["liked_by_me"] is False


@pytest.mark.parametrize("path", ["/api/v1/posts/999999", "/api/v1/posts/abc", "/api/v1/posts/99999999999999999999"])
def test_post_retrieve_missing(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


# Editing.


def test_post_edit_text(alice_client):
    post = post_stored(author=alice_client.user, text="Hello #old #kept")

    response = alice_client.patch(post_url(post.pk), {"text": "Hello #kept #new"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["text"] == "Hello #kept #new"
    assert body["hashtags"] == ["kept", "new"]
    assert body["edited_at"] is not None
    assert body["edited_at"].endswith("Z")
    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"old": 0, "kept": 1, "new": 1}
    assert sorted(PostHashtag.objects.filter(post=post).values_list("hashtag__name", flat=True)) == ["kept", "new"]
    assert User.objects.get(pk=alice_client.user.pk).posts_count == 1


def test_post_edit_same_text_unmarked(alice_client):
    post = post_stored(author=alice_client.user, text="Unchanged")

    response = alice_client.patch(post_url(post.pk), {"text": "Unchanged"})

    assert response.status_code == 200, response.content
    assert response.json()["edited_at"] is None


def test_post_edit_empty_body(alice_client):
    post = post_stored(author=alice_client.user, text="Unchanged")

    response = alice_client.patch(post_url(post.pk), {})

    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Unchanged"


def test_post_edit_replaces_media(alice_client):
    kept = media_stored(owner=alice_client.user)
    dropped = media_stored(owner=alice_client.user)
    added = media_stored(owner=alice_client.user)
    post = post_stored(author=alice_client.user, text="Pictures", media=[kept, dropped])

    with_files = alice_client.patch(post_url(post.pk), {"media_ids": [added.pk, kept.pk]})

    assert with_files.status_code == 200, with_files.content
    assert [item["id"] for item in with_files.json()["media"]] == [added.pk, kept.pk]
    assert with_files.json()["edited_at"] is not None
    assert not Media.objects.filter(pk=dropped.pk).exists()
    assert list(Media.objects.filter(post=post).order_by("position").values_list("pk", flat=True)) == [
        added.pk,
        kept.pk,
    ]


def test_post_edit_dropped_file_deleted(alice_client, django_capture_on_commit_callbacks):
    dropped = media_stored(owner=alice_client.user)
    post = post_stored(author=alice_client.user, text="Pictures", media=[dropped])
    assert default_storage.exists(dropped.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.patch(post_url(post.pk), {"media_ids": []})

    assert response.status_code == 200, response.content
    assert response.json()["media"] == []
    assert not default_storage.exists(dropped.file.name)
    assert Post.objects.get(pk=post.pk).has_media is False


def test_post_edit_empty_result_rejected(alice_client):
    media = media_stored(owner=alice_client.user)
    post = post_stored(author=alice_client.user, text="", media=[media])

    response = alice_client.patch(post_url(post.pk), {"media_ids": []})

    assert response.status_code == 400, response.content
    assert "text" in response.json()["errors"]
    assert Media.objects.filter(pk=media.pk, post=post).exists()


def test_post_edit_text_cleared_with_media(alice_client):
    media = media_stored(owner=alice_client.user)
    post = post_stored(author=alice_client.user, text="Caption #gone", media=[media])

    response = alice_client.patch(post_url(post.pk), {"text": ""})

    assert response.status_code == 200, response.content
    assert response.json()["hashtags"] == []
    assert Hashtag.objects.get(name="gone").posts_count == 0


def test_post_edit_others_media_rejected(alice_client, bob_client):
    post = post_stored(author=alice_client.user, text="Mine")
    bobs = media_stored(owner=bob_client.user)

    response = alice_client.patch(post_url(post.pk), {"media_ids": [bobs.pk]})

    assert response.status_code == 400, response.content
    assert "media_ids" in response.json()["errors"]
    bobs.refresh_from_db()
    assert bobs.post is None


def test_post_edit_used_media_rejected(alice_client):
    used = media_stored(owner=alice_client.user)
    post_stored(author=alice_client.user, text="Has it", media=[used])
    post = post_stored(author=alice_client.user, text="Wants it")

    response = alice_client.patch(post_url(post.pk), {"media_ids": [used.pk]})

    assert response.status_code == 400, response.content
    assert "media_ids" in response.json()["errors"]


def test_post_edit_by_other_forbidden(alice_client, bob_client):
    post = post_stored(author=alice_client.user, text="Mine #tag")

    response = bob_client.patch(post_url(post.pk), {"text": "Yours"})

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    assert Post.objects.get(pk=post.pk).text == "Mine #tag"


def test_post_edit_anonymous_unauthorized(api_client, alice_client):
    post = post_stored(author=alice_client.user, text="Mine")

    response = api_client.patch(post_url(post.pk), {"text": "Anyone"})

    assert response.status_code == 401, response.content
    assert Post.objects.get(pk=post.pk).text == "Mine"


def test_post_edit_invalid_before_forbidden(alice_client, bob_client):
    post = post_stored(author=alice_client.user, text="Mine")

    response = bob_client.patch(post_url(post.pk), {"text": "x" * 3000})

    assert response.status_code == 403, response.content


def test_post_edit_missing_not_found(alice_client):
    response = alice_client.patch(post_url(424242), {"text": "nothing"})

    assert response.status_code == 404, response.content


# Deleting.


def test_post_delete_removes_everything(alice_client, bob_client, django_capture_on_commit_callbacks):
    media = media_stored(owner=alice_client.user)
    post = post_stored(author=alice_client.user, text="Bye #tag", media=[media])
    other = post_stored(author=bob_client.user, text="Stays #tag")
    LikeFactory(user=bob_client.user, post=post)
    comment = CommentFactory(post=post, author=bob_client.user)
    NotificationFactory(recipient=alice_client.user, actor=bob_client.user, type="like", post=post)
    NotificationFactory(recipient=alice_client.user, actor=bob_client.user, type="comment", comment=comment)
    kept_notification = NotificationFactory(recipient=bob_client.user, actor=alice_client.user, type="follow")

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.delete(post_url(post.pk))

    assert response.status_code == 204, response.content
    assert response.content == b""
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Media.objects.filter(pk=media.pk).exists()
    assert not default_storage.exists(media.file.name)
    assert not Like.objects.exists()
    assert not Comment.objects.exists()
    assert list(Notification.objects.values_list("pk", flat=True)) == [kept_notification.pk]
    assert User.objects.get(pk=alice_client.user.pk).posts_count == 0
    assert User.objects.get(pk=bob_client.user.pk).posts_count == 1
    assert Hashtag.objects.get(name="tag").posts_count == 1
    assert Post.objects.filter(pk=other.pk).exists()


def test_post_delete_pushes_deleted_notifications(alice_client, bob_client, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{alice_client.user.pk}", channel)
    post = post_stored(author=alice_client.user)
    comment = CommentFactory(post=post, author=bob_client.user)
    like = NotificationFactory(recipient=alice_client.user, actor=bob_client.user, type="like", post=post)
    commented = NotificationFactory(recipient=alice_client.user, actor=bob_client.user, type="comment", comment=comment)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.delete(post_url(post.pk))

    assert response.status_code == 204, response.content
    received = [async_to_sync(receive_within)(layer, channel) for _ in range(2)]
    assert sorted(received, key=lambda message: message["id"]) == [
        {"type": "notification.deleted", "id": like.pk},
        {"type": "notification.deleted", "id": commented.pk},
    ]


def test_post_delete_by_other_forbidden(alice_client, bob_client):
    post = post_stored(author=alice_client.user, text="Mine")

    response = bob_client.delete(post_url(post.pk))

    assert response.status_code == 403, response.content
    assert Post.objects.filter(pk=post.pk).exists()
    assert User.objects.get(pk=alice_client.user.pk).posts_count == 1


def test_post_delete_anonymous_unauthorized(api_client, alice_client):
    post = post_stored(author=alice_client.user, text="Mine")

    response = api_client.delete(post_url(post.pk))

    assert response.status_code == 401, response.content
    assert Post.objects.filter(pk=post.pk).exists()


def test_post_delete_twice_not_found(alice_client):
    post = post_stored(author=alice_client.user, text="Once")

    first = alice_client.delete(post_url(post.pk))
    second = alice_client.delete(post_url(post.pk))

    assert first.status_code == 204, first.content
    assert second.status_code == 404, second.content
    assert User.objects.get(pk=alice_client.user.pk).posts_count == 0


def test_posts_delete_for_user(alice_client, bob_client, django_capture_on_commit_callbacks):
    alice = alice_client.user
    media = media_stored(owner=alice)
    unused = media_stored(owner=alice)
    post_stored(author=alice, text="One #shared #mine", media=[media])
    post_stored(author=alice, text="Two #shared")
    scheduled = post_stored(author=alice, text="Later #shared #mine", publish_at=None)
    Post.objects.filter(pk=scheduled.pk).update(status=Post.Status.SCHEDULED)
    User.objects.filter(pk=alice.pk).update(posts_count=2)
    Hashtag.objects.filter(name="shared").update(posts_count=2)
    Hashtag.objects.filter(name="mine").update(posts_count=1)
    post_stored(author=bob_client.user, text="Bob #shared")
    bobs_post = Post.objects.get(author=bob_client.user)
    NotificationFactory(
        recipient=alice, actor=bob_client.user, type="like", post=Post.objects.filter(author=alice).first()
    )
    stranger = UserFactory()
    LikeFactory(user=stranger, post=bobs_post)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = services.posts_delete_for_user(user=alice)

    assert deleted == 3
    assert not Post.objects.filter(author=alice).exists()
    assert not Media.objects.filter(owner=alice).exists()
    assert not default_storage.exists(media.file.name)
    assert not default_storage.exists(unused.file.name)
    assert not Notification.objects.exists()
    assert User.objects.get(pk=alice.pk).posts_count == 0
    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"shared": 1, "mine": 0}
    assert Like.objects.filter(post=bobs_post).exists()
