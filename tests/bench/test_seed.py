"""The seed command: stored counts, determinism, probe accounts and tokens."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework import status
from rest_framework.test import APIClient

from apps.accounts.models import Follow, User
from apps.bench.seed_data import HEAVY_READER, LIGHT_READER, PRESETS
from apps.engagement.models import Comment, Like, Notification
from apps.feed.hashtags import hashtags_extract
from apps.feed.management.commands.seed import SEED_PASSWORD
from apps.feed.models import Hashtag, Post, PostHashtag


def seed(**options: object) -> str:
    out = StringIO()
    options.setdefault("preset", "tiny")
    call_command("seed", stdout=out, **options)
    return out.getvalue()


def counter(queryset, field: str) -> Counter:
    return Counter(queryset.values_list(field, flat=True))


@pytest.mark.django_db
def test_seed_user_counts_exact():
    seed()

    followers = counter(Follow.objects.all(), "followee_id")
    following = counter(Follow.objects.all(), "follower_id")
    posts = counter(Post.objects.published(), "author_id")
    users = list(User.objects.all())
    assert len(users) == PRESETS["tiny"].users
    for user in users:
        assert user.followers_count == followers[user.pk], user
        assert user.following_count == following[user.pk], user
        assert user.posts_count == posts[user.pk], user


@pytest.mark.django_db
def test_seed_post_counts_exact():
    seed()

    likes = counter(Like.objects.all(), "post_id")
    comments = counter(Comment.objects.all(), "post_id")
    posts = list(Post.objects.all())
    assert len(posts) == PRESETS["tiny"].posts
    assert sum(likes.values()) == PRESETS["tiny"].likes
    assert sum(comments.values()) == PRESETS["tiny"].comments
    for post in posts:
        assert post.likes_count == likes[post.pk], post
        assert post.comments_count == comments[post.pk], post


@pytest.mark.django_db
def test_seed_hashtag_counts_exact():
    seed()

    tagged = counter(PostHashtag.objects.filter(post__status=Post.Status.PUBLISHED), "hashtag_id")
    for hashtag in Hashtag.objects.all():
        assert hashtag.posts_count == tagged[hashtag.pk], hashtag
    assert sum(tagged.values()) > 0


@pytest.mark.django_db
def test_seed_hashtags_match_text():
    seed()

    rows = Counter(PostHashtag.objects.values_list("post_id", "hashtag__name"))
    for post in Post.objects.all():
        assert post.hashtags == hashtags_extract(post.text), post.text
        for name in post.hashtags:
            assert rows[(post.pk, name)] == 1, (post.pk, name)
    assert sum(rows.values()) == sum(len(post.hashtags) for post in Post.objects.all())


@pytest.mark.django_db
def test_seed_hashtag_copies_equal_posts():
    seed()

    posts = {post.pk: (post.status, post.publish_at) for post in Post.objects.all()}
    rows = list(PostHashtag.objects.values_list("post_id", "status", "publish_at"))
    assert rows
    for post_id, *copied in rows:
        assert tuple(copied) == posts[post_id], post_id


@pytest.mark.django_db
def test_seed_hashtags_several_scripts():
    seed()

    names = set(Hashtag.objects.values_list("name", flat=True))
    assert {"café", "日本", "привет", "python"} <= names


@pytest.mark.django_db
def test_seed_same_seed_same_rows():
    seed(seed=7)
    first = (
        list(Follow.objects.order_by("id").values_list("follower_id", "followee_id")),
        list(Post.objects.order_by("id").values_list("author_id", "text")),
        list(Like.objects.order_by("id").values_list("user_id", "post_id")),
    )

    seed(seed=7, flush=True)

    again = (
        list(Follow.objects.order_by("id").values_list("follower_id", "followee_id")),
        list(Post.objects.order_by("id").values_list("author_id", "text")),
        list(Like.objects.order_by("id").values_list("user_id", "post_id")),
    )
    assert first == again


@pytest.mark.django_db
def test_seed_other_seed_differs():
    seed(seed=1)
    first = list(Post.objects.order_by("id").values_list("text", flat=True))

    seed(seed=2, flush=True)

    assert list(Post.objects.order_by("id").values_list("text", flat=True)) != first


@pytest.mark.django_db
def test_seed_overrides_preset_sizes():
    seed(users=20, posts=50, likes=30, comments=10)

    assert User.objects.count() == 20
    assert Post.objects.count() == 50
    assert Like.objects.count() == 30
    assert Comment.objects.count() == 10


@pytest.mark.django_db
def test_seed_rejects_non_empty_database():
    seed()

    with pytest.raises(CommandError, match="--flush"):
        seed()


@pytest.mark.django_db
def test_seed_rejects_too_few_users():
    with pytest.raises(CommandError, match="users=5"):
        seed(users=5)


@pytest.mark.django_db
def test_seed_probe_accounts_following():
    seed()

    heavy = User.objects.get(username=HEAVY_READER)
    light = User.objects.get(username=LIGHT_READER)
    assert heavy.following_count == PRESETS["tiny"].max_following
    assert light.following_count == 10


@pytest.mark.django_db
def test_seed_followers_skewed():
    seed(preset="small", users=300, posts=300, likes=300, comments=30)

    counts = sorted(User.objects.values_list("followers_count", flat=True), reverse=True)
    assert counts[0] > 0.8 * (len(counts) - 1)
    assert counts[len(counts) // 2] < counts[0] / 5


@pytest.mark.django_db
def test_seed_notifications_not_own():
    seed()

    assert Notification.objects.exists()
    for notification in Notification.objects.select_related("post"):
        assert notification.actor_id != notification.recipient_id
        if notification.post_id is not None:
            assert notification.post.author_id == notification.recipient_id


@pytest.mark.django_db
def test_seed_ids_continue_after_seed():
    seed()

    post = Post.objects.create(author=User.objects.first(), text="after the seed")

    assert post.pk == PRESETS["tiny"].posts + 1


@pytest.mark.django_db
def test_seed_password_known():
    seed()

    user = User.objects.get(username="user1")
    assert user.email == "user1@example.com"
    assert user.check_password(SEED_PASSWORD)


@pytest.mark.django_db
def test_seed_tokens_authenticate(tmp_path):
    output = seed(tokens=3, tokens_file=tmp_path / "tokens.txt")

    lines = (tmp_path / "tokens.txt").read_text().splitlines()
    assert len(lines) == 3
    assert lines[0] in output
    usernames = [line.split()[0] for line in lines]
    assert usernames[:2] == [HEAVY_READER, LIGHT_READER]
    for line in lines:
        username, key = line.split()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        response = client.get("/api/v1/me")
        assert response.status_code == status.HTTP_200_OK, response.content
        assert response.json()["username"] == username
