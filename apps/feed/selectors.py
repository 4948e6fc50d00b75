"""Reads of posts, media and hashtags. Every query shape and visibility rule for posts lives here."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from rest_framework.exceptions import NotFound

from apps.accounts.models import User

from .models import Media, Post


def _is_authenticated(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def post_queryset(*, viewer: User | None) -> QuerySet[Post]:
    """Build the query of all posts with author and media loaded, and `liked_by_me` for an authenticated viewer.

    Visibility is not applied here: callers filter to published posts or use `post_get_visible`.
    """
    from apps.engagement.models import Like

    queryset = Post.objects.select_related("author").prefetch_related(
        Prefetch("media", queryset=Media.objects.order_by("position", "id"))
    )
    if _is_authenticated(viewer):
        queryset = queryset.annotate(
            liked_by_me=Exists(Like.objects.filter(user_id=viewer.pk, post_id=OuterRef("pk")))
        )
    return queryset


def post_visible_filter(*, viewer: User | None) -> Q:
    """Return the condition for posts `viewer` may see: published ones, and their own scheduled ones."""
    condition = Q(status=Post.Status.PUBLISHED)
    if _is_authenticated(viewer):
        condition |= Q(author_id=viewer.pk)
    return condition


def post_get_visible(*, post_id: int, viewer: User | None) -> Post:
    """Return a post `viewer` may see, or raise 404, which someone else's scheduled post also gets."""
    post = post_queryset(viewer=viewer).filter(post_visible_filter(viewer=viewer), pk=post_id).first()
    if post is None:
        raise NotFound(f"Post {post_id} not found.")
    return post
