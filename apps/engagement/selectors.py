"""Reads of likes, comments and notifications. Query shapes and visibility for these models live here."""

from datetime import datetime

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from rest_framework.exceptions import NotFound

from apps.accounts.models import User
from apps.accounts.selectors import user_queryset
from apps.feed.models import Post
from apps.feed.selectors import post_queryset, post_visible_filter

from .models import Comment, Notification
from .notifications import notification_queryset

# Orderings for `project.pagination.paginate`: the first field is the cursor position.
LIKERS_ORDERING = ("-liked_at", "-like_id")
LIKED_POSTS_ORDERING = ("-liked_at", "-like_id")
COMMENTS_ORDERING = ("created_at", "id")
NOTIFICATIONS_ORDERING = ("-id",)


def post_likers(*, post_id: int, viewer: User | None) -> QuerySet[User]:
    """Build the query of users who liked a post, with `liked_at`, and the follow flags for `viewer`."""
    return (
        user_queryset(viewer=viewer)
        .filter(likes__post_id=post_id)
        .annotate(liked_at=F("likes__created_at"), like_id=F("likes__id"))
    )


def liked_posts(*, user: User) -> QuerySet[Post]:
    """Build the query of posts `user` liked and may still see, in the feed's post shape, with `liked_at`."""
    return (
        post_queryset(viewer=user)
        .filter(post_visible_filter(viewer=user), likes__user_id=user.pk)
        .annotate(liked_at=F("likes__created_at"), like_id=F("likes__id"))
    )


def post_get_visible_row(*, post_id: int, viewer: User | None) -> Post:
    """Return the bare post row if `viewer` may see it, or raise 404, also for someone else's scheduled post.

    Unlike `apps.feed.selectors.post_get_visible` it loads no media: one query.
    """
    post = Post.objects.filter(post_visible_filter(viewer=viewer), pk=post_id).first()
    if post is None:
        raise NotFound(f"Post {post_id} not found.")
    return post


def comment_queryset() -> QuerySet[Comment]:
    return Comment.objects.select_related("author")


def post_comments(*, post_id: int) -> QuerySet[Comment]:
    """Build the query of a post's comments; the caller checks that the post is visible."""
    return comment_queryset().filter(post_id=post_id)


def comment_get_visible(*, comment_id: int, viewer: User | None) -> Comment:
    """Return a comment on a post `viewer` may see, with its author and post loaded, or raise 404."""
    post_visible = Post.objects.filter(post_visible_filter(viewer=viewer), pk=OuterRef("post_id"))
    comment = comment_queryset().select_related("post").filter(Exists(post_visible), pk=comment_id).first()
    if comment is None:
        raise NotFound(f"Comment {comment_id} not found.")
    return comment


def notification_list(
    *, recipient: User, unread: bool | None = None, type: str | None = None
) -> QuerySet[Notification]:
    """Build the query of a user's notifications, filtered by read state and type when given."""
    queryset = notification_queryset().filter(recipient_id=recipient.pk)
    if unread is not None:
        queryset = queryset.filter(read=not unread)
    if type is not None:
        queryset = queryset.filter(type=type)
    return queryset


def notification_max_id(*, recipient_id: int) -> int:
    """Return the id of the user's newest stored notification, or 0."""
    return Notification.objects.filter(recipient_id=recipient_id).aggregate(newest=Max("id"))["newest"] or 0


def notifications_after(*, recipient_id: int, after_id: int, limit: int) -> list[Notification]:
    """Return up to `limit` of the user's notifications with an id above `after_id`, oldest first."""
    return list(notification_queryset().filter(recipient_id=recipient_id, id__gt=after_id).order_by("id")[:limit])


def notifications_recent(
    *, recipient_id: int, floor_id: int, above_id: int, since: datetime, limit: int
) -> list[Notification]:
    """Return the user's notifications above `floor_id` that are either above `above_id` or created since `since`.

    The time window finds rows whose transaction committed after a row with a higher id.
    """
    return list(
        notification_queryset()
        .filter(Q(id__gt=above_id) | Q(created_at__gte=since), recipient_id=recipient_id, id__gt=floor_id)
        .order_by("id")[:limit]
    )
