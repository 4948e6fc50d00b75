"""Reads of users, tokens and follows. Every query shape for these models lives here."""

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import AuthToken, Follow, User


def token_authenticate(key: str) -> AuthToken | None:
    """Return the active token for a secret, with its user, or None.

    One query; `last_used_at` is written only when older than TOKEN_LAST_USED_RESOLUTION.
    """
    now = timezone.now()
    token = (
        AuthToken.objects.select_related("user")
        .filter(key_hash=AuthToken.hash_key(key), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if now - token.last_used_at > settings.TOKEN_LAST_USED_RESOLUTION:
        AuthToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def user_queryset(*, viewer: User | None) -> QuerySet[User]:
    """Active users, annotated with `is_following` and `follows_you` for an authenticated viewer."""
    queryset = User.objects.filter(is_active=True)
    if viewer is not None and viewer.is_authenticated:
        queryset = queryset.annotate(
            is_following=Exists(Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("pk"))),
            follows_you=Exists(Follow.objects.filter(follower_id=OuterRef("pk"), followee_id=viewer.pk)),
        )
    return queryset
