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


def user_register(*, email: str, username: str, password: str) -> User:
    """Create an account. Email and username are case-insensitively unique.

    Raises a 400 naming the field when either is taken, also when a concurrent request
    took it between the serializer's check and this insert.
    """
    from django.db import IntegrityError, transaction

    from project.exceptions import validation_error

    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, username=username, password=password)
    except IntegrityError:
        if User.objects.filter(email=email.lower()).exists():
            raise validation_error("email", "An account with this email already exists: log in instead.", "unique") from None
        raise validation_error("username", "This username is taken: choose another.", "unique") from None
