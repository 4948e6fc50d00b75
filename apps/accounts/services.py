"""Writes of users, tokens and follows."""

import secrets
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from .models import AuthToken, User


def token_create(*, user: User, user_agent: str = "") -> tuple[AuthToken, str]:
    """Create a login token for one device and return it with its secret.

    The secret is returned only here: the database keeps its SHA-256.
    """
    key = secrets.token_urlsafe(32)
    now: datetime = timezone.now()
    token = AuthToken.objects.create(
        user=user,
        key_hash=AuthToken.hash_key(key),
        created_at=now,
        last_used_at=now,
        expires_at=now + settings.TOKEN_TTL,
        user_agent=user_agent[:200],
    )
    return token, key
