"""Deleting a post or an account leaves no orphans: no file on disk, no row, no stale count.

Everything is built through the API, each test on its own MEDIA_ROOT, and after each
deletion every stored count is compared with a count of the rows themselves.
"""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.utils import timezone
from PIL import Image

from apps.accounts.models import AuthToken, Follow, IdempotencyRecord, User
from apps.engagement.models import Comment, Like, Notification
from apps.feed.models import Hashtag, Media, Post, PostHashtag
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _picture(name: str = "pic.png") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 150, 90)).save(output, format="PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def _upload(client) -> int:
    response = client.post("/api/v1/media", {"file": _picture()}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _post(client, text: str, media_ids: list[int] = (), **fields) -> int:
    response = client.post("/api/v1/posts", {"text": text, "media_ids": list(media_ids), **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def _counts_consistent() -> None:
    """Assert that every stored count equals the count of the rows it stands for."""
    for user in User.objects.annotate(
        real_followers=Count("inbound_follows", distinct=True),
        real_following=Count("outbound_follows", distinct=True),
        real_posts=Count("posts", filter=Q(posts__status=Post.Status.PUBLISHED), distinct=True),
    ):
        assert (user.followers_count, user.following_count, user.posts_count) == (
            user.real_followers,
            user.real_following,
            user.real_posts,
        ), user
    for post in Post.objects.annotate(
        real_likes=Count("likes", distinct=True), real_comments=Count("comments", distinct=True)
    ):
        assert (post.likes_count, post.comments_count) == (post.real_likes, post.real_comments), post
    for hashtag in Hashtag.objects.annotate(
        real_posts=Count("post_hashtags", filter=Q(post_hashtags__post__status=Post.Status.PUBLISHED))
    ):
        assert hashtag.posts_count == hashtag.real_posts, hashtag


def _stored_files_referenced(root: Path) -> None:
    """Assert that the files on disk are exactly those the Media rows and avatars reference."""
    referenced = set(Media.objects.values_list("file", flat=True))
    referenced |= {name for name in User.objects.values_list("avatar", flat=True) if name}
    assert _files(root) == referenced


@pytest.fixture
def scene(make_client, media_root, django_capture_on_commit_callbacks):
    """Alice posts pictures and hashtags, schedules a post, keeps an unused upload and an avatar;
    Bob and Carol follow, like and comment, and Alice does the same on Bob's post."""
    alice, bob, carol = make_client(username="alice"), make_client(username="bob"), make_client(username="carol")
    with django_capture_on_commit_callbacks(execute=True):
        avatar = alice.patch("/api/v1/me", {"avatar": _picture("face.png")}, format="multipart")
        assert avatar.status_code == 200, avatar.content
        bob.patch("/api/v1/me", {"avatar": _picture("bob.png")}, format="multipart")

        first = _post(alice, "Sunrise #travel #shared", [_upload(alice), _upload(alice)])
        second = _post(alice, "Lunch #food #shared", [_upload(alice)], headers={"Idempotency-Key": "lunch-1"})
        later = timezone.now() + timedelta(days=1)
        scheduled = _post(alice, "Soon #travel", [_upload(alice)], publish_at=later.isoformat())
        _upload(alice)  # never attached
        bobs = _post(bob, "Bob's view #shared", [_upload(bob)])

        for client in (bob, carol):
            assert client.post("/api/v1/users/alice/follow").status_code == 201
            assert client.post(f"/api/v1/posts/{first}/like").status_code == 201
            assert client.post(f"/api/v1/posts/{first}/comments", {"text": "Nice"}).status_code == 201
        assert alice.post("/api/v1/users/bob/follow").status_code == 201
        assert alice.post(f"/api/v1/posts/{bobs}/like").status_code == 201
        assert alice.post(f"/api/v1/posts/{bobs}/comments", {"text": "Thanks"}).status_code == 201
        assert bob.post(f"/api/v1/posts/{second}/comments", {"text": "Yum"}).status_code == 201
    _counts_consistent()
    _stored_files_referenced(media_root)
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "first": first,
        "second": second,
        "scheduled": scheduled,
        "bobs": bobs,
    }


def test_post_delete_leaves_no_orphans(scene, media_root, django_capture_on_commit_callbacks):
    alice = scene["alice"]
    files_before = _files(media_root)
    post_files = set(Media.objects.filter(post_id=scene["first"]).values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = alice.delete(f"/api/v1/posts/{scene['first']}")

    assert response.status_code == 204, response.content
    assert len(post_files) == 2
    assert _files(media_root) == files_before - post_files
    assert not Media.objects.filter(post_id=scene["first"]).exists()
    assert not Like.objects.filter(post_id=scene["first"]).exists()
    assert not Comment.objects.filter(post_id=scene["first"]).exists()
    assert not PostHashtag.objects.filter(post_id=scene["first"]).exists()
    assert not Notification.objects.filter(Q(post_id=scene["first"]) | Q(comment__post_id=scene["first"])).exists()
    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"travel": 0, "shared": 2, "food": 1}
    _counts_consistent()
    _stored_files_referenced(media_root)


def test_scheduled_post_delete_leaves_no_orphans(scene, media_root, django_capture_on_commit_callbacks):
    alice = scene["alice"]
    post_files = set(Media.objects.filter(post_id=scene["scheduled"]).values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = alice.delete(f"/api/v1/posts/{scene['scheduled']}")

    assert response.status_code == 204, response.content
    assert post_files
    assert not post_files & _files(media_root)
    assert Hashtag.objects.get(name="travel").posts_count == 1
    _counts_consistent()
    _stored_files_referenced(media_root)


def test_account_delete_leaves_no_orphans(scene, media_root, django_capture_on_commit_callbacks):
    alice, bob = scene["alice"], scene["bob"]
    alice_id = alice.user.pk
    alice_files = {name for name in _files(media_root) if f"/{alice_id}/" in f"/{name}"}

    with django_capture_on_commit_callbacks(execute=True):
        response = alice.delete("/api/v1/me", {"password": PASSWORD})

    assert response.status_code == 204, response.content
    assert len(alice_files) == 6  # avatar, five uploads
    assert not alice_files & _files(media_root)
    assert not User.objects.filter(pk=alice_id).exists()
    for model, field in [
        (Post, "author_id"),
        (Media, "owner_id"),
        (Like, "user_id"),
        (Comment, "author_id"),
        (AuthToken, "user_id"),
        (IdempotencyRecord, "user_id"),
        (Notification, "recipient_id"),
        (Notification, "actor_id"),
        (Follow, "follower_id"),
        (Follow, "followee_id"),
    ]:
        assert not model.objects.filter(**{field: alice_id}).exists(), (model, field)
    assert not Notification.objects.filter(post__isnull=False, post__author_id=alice_id).exists()
    bobs_post = Post.objects.get(pk=scene["bobs"])
    assert (bobs_post.likes_count, bobs_post.comments_count) == (0, 0)
    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"travel": 0, "shared": 1, "food": 0}
    assert bob.get("/api/v1/me").json()["followers_count"] == 0
    _counts_consistent()
    _stored_files_referenced(media_root)


def test_media_replaced_on_edit_leaves_no_orphans(scene, media_root, django_capture_on_commit_callbacks):
    alice = scene["alice"]
    replacement = _upload(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice.patch(f"/api/v1/posts/{scene['second']}", {"media_ids": [replacement]}, format="json")

    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["media"]] == [replacement]
    _counts_consistent()
    _stored_files_referenced(media_root)
