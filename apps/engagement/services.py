"""Writes of likes, comments and notification read state, with the post counters they keep exact.

Counters change with `F()` in the same transaction as the row, and only when a row was
really inserted or deleted, so concurrent repeats of a like or a delete count once.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone
from rest_framework.exceptions import NotFound

from apps.accounts.models import User
from apps.feed.models import Post
from project.exceptions import Conflict

from .models import Comment, Like, Notification
from .notifications import notification_create, notification_delete

logger = logging.getLogger(__name__)

# Attempts of a like whose conflicting row vanished (a concurrent unlike) before it was read.
LIKE_ATTEMPTS = 3


def _refresh_counts(post: Post) -> None:
    post.refresh_from_db(fields=["likes_count", "comments_count"])


def like_create(*, user: User, post: Post) -> tuple[Like, bool]:
    """Like `post` once and return the like and whether this call created it.

    A repeat, also a concurrent one, finds the unique pair taken and changes nothing.
    `post.likes_count` contains the count after the call.
    """
    for _ in range(LIKE_ATTEMPTS):
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        like = Like.objects.create(user=user, post=post)
                except IntegrityError:
                    existing = Like.objects.filter(user=user, post=post).first()
                    if existing is None:
                        continue
                    _refresh_counts(post)
                    return existing, False
                Post.objects.filter(pk=post.pk).update(likes_count=F("likes_count") + 1)
                notification_create(
                    recipient_id=post.author_id, type=Notification.Type.LIKE, actor_id=user.pk, post_id=post.pk
                )
        except IntegrityError:
            # The foreign key is checked at commit: the post was deleted meanwhile.
            if not Post.objects.filter(pk=post.pk).exists():
                raise NotFound(f"Post {post.pk} not found.") from None
            raise
        _refresh_counts(post)
        return like, True
    raise Conflict("The like changed concurrently several times: retry the request.")


def like_delete(*, user: User, post: Post) -> bool:
    """Remove the like of `user` on `post` and its notification; return whether there was one."""
    with transaction.atomic():
        deleted, _ = Like.objects.filter(user=user, post=post).delete()
        if deleted:
            Post.objects.filter(pk=post.pk).update(likes_count=F("likes_count") - 1)
            notification_delete(type=Notification.Type.LIKE, actor_id=user.pk, post_id=post.pk)
    return bool(deleted)


def comment_create(*, author: User, post: Post, text: str) -> Comment:
    """Add a comment to `post` and notify the post's author, unless they wrote it."""
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=author, text=text)
        Post.objects.filter(pk=post.pk).update(comments_count=F("comments_count") + 1)
        notification_create(
            recipient_id=post.author_id,
            type=Notification.Type.COMMENT,
            actor_id=author.pk,
            post_id=post.pk,
            comment_id=comment.pk,
        )
    return comment


def comment_update(*, comment: Comment, text: str) -> Comment:
    """Replace the text of a comment and set `edited_at`. The caller checks `comment_check_edit` first."""
    comment.text = text
    comment.edited_at = timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    return comment


def comment_delete(*, comment: Comment) -> None:
    """Delete a comment and its notification. The caller checks `comment_check_delete` first."""
    with transaction.atomic():
        notification_delete(type=Notification.Type.COMMENT, comment_id=comment.pk)
        _, deleted = Comment.objects.filter(pk=comment.pk).delete()
        if deleted.get(Comment._meta.label):
            Post.objects.filter(pk=comment.post_id).update(comments_count=F("comments_count") - 1)


def notifications_mark_read(*, recipient: User, ids: list[int] | None = None) -> int:
    """Mark the given notifications of `recipient` read, or all of them when `ids` is None.

    Ids of other users' notifications match nothing, so they are ignored. Returns the rows changed.
    """
    queryset = Notification.objects.filter(recipient_id=recipient.pk, read=False)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read=True)


def engagement_delete_for_user(*, user: User) -> None:
    """Delete the likes, comments and notifications of a user being deleted, keeping post counters exact.

    Notifications the user caused are removed with a `notification_deleted` push to their
    recipients. The rows are locked first (on PostgreSQL), so a concurrent unlike or comment
    delete waits and then finds nothing to count.
    """
    with transaction.atomic():
        list(Like.objects.select_for_update().filter(user=user).values_list("pk", flat=True))
        list(Comment.objects.select_for_update().filter(author=user).values_list("pk", flat=True))

        notification_delete(actor_id=user.pk)
        Notification.objects.filter(recipient_id=user.pk).delete()

        Post.objects.filter(likes__user=user).update(likes_count=F("likes_count") - 1)
        likes_deleted, _ = Like.objects.filter(user=user).delete()

        comments_per_post = (
            Comment.objects.filter(author=user, post_id=OuterRef("pk"))
            .order_by()
            .values("post_id")
            .annotate(total=Count("pk"))
            .values("total")
        )
        Post.objects.filter(comments__author=user).update(
            comments_count=F("comments_count") - Subquery(comments_per_post)
        )
        comments_deleted, _ = Comment.objects.filter(author=user).delete()
    logger.info(
        "Deleted the engagement of user %s: %s likes, %s comment rows", user.pk, likes_deleted, comments_deleted
    )
