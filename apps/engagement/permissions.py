"""Ownership rules of comments: the checks every engagement view runs before a change."""

from rest_framework.exceptions import PermissionDenied

from apps.accounts.models import User

from .models import Comment


def comment_check_edit(*, actor: User, comment: Comment) -> None:
    """Raise 403 unless `actor` wrote the comment."""
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only the comment's author can edit it.")


def comment_check_delete(*, actor: User, comment: Comment) -> None:
    """Raise 403 unless `actor` wrote the comment or the post it is on. Needs `comment.post` loaded."""
    if actor.pk not in (comment.author_id, comment.post.author_id):
        raise PermissionDenied("Only the comment's author or the post's author can delete it.")
