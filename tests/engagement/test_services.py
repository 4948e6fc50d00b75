"""Engagement services called by other apps: cleaning up after a deleted account."""

import pytest

from apps.engagement.models import Comment, Like, Notification
from apps.engagement.services import comment_create, engagement_delete_for_user, like_create
from tests.factories import NotificationFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaving():
    return UserFactory(username="leaving")


@pytest.fixture
def staying():
    return UserFactory(username="staying")


def test_delete_for_user_fixes_likes_count(leaving, staying):
    post = PostFactory(author=staying)
    like_create(user=leaving, post=post)
    like_create(user=UserFactory(), post=post)

    engagement_delete_for_user(user=leaving)

    post.refresh_from_db()
    assert post.likes_count == 1
    assert not Like.objects.filter(user=leaving).exists()
    assert Like.objects.filter(post=post).count() == 1


def test_delete_for_user_fixes_comments_count(leaving, staying):
    first, second = PostFactory(author=staying), PostFactory(author=staying)
    for _ in range(3):
        comment_create(author=leaving, post=first, text="mine")
    comment_create(author=leaving, post=second, text="mine")
    comment_create(author=staying, post=first, text="theirs")

    engagement_delete_for_user(user=leaving)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.comments_count == 1
    assert second.comments_count == 0
    assert list(Comment.objects.values_list("text", flat=True)) == ["theirs"]


def test_delete_for_user_removes_notifications(leaving, staying):
    post = PostFactory(author=staying)
    like_create(user=leaving, post=post)
    comment_create(author=leaving, post=post, text="hello")
    NotificationFactory(recipient=leaving, actor=staying)
    kept = NotificationFactory(recipient=staying, actor=UserFactory())

    engagement_delete_for_user(user=leaving)

    assert list(Notification.objects.all()) == [kept]


def test_delete_for_user_other_users_untouched(leaving, staying):
    post = PostFactory(author=leaving)
    like_create(user=staying, post=post)
    comment_create(author=staying, post=post, text="kept")

    engagement_delete_for_user(user=leaving)

    post.refresh_from_db()
    assert post.likes_count == 1
    assert post.comments_count == 1
    assert Notification.objects.filter(recipient=leaving).count() == 0


def test_delete_for_user_without_engagement(leaving):
    engagement_delete_for_user(user=leaving)

    assert not Like.objects.exists()
    assert not Comment.objects.exists()
