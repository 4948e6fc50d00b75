"""Writes of accounts and tokens: registration, login, logout, password, profile and deletion.

The follow graph has its own module, `follows.py`.
"""

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import exceptions

from project.exceptions import validation_error
from project.images import image_clean
from project.realtime import tokens_revoked

from .follows import follows_delete_for_user
from .models import AuthToken, User
from .selectors import username_taken

logger = logging.getLogger(__name__)

LOGIN_FAILED = "Invalid email or password."
USERNAME_TAKEN = "This username is taken: choose another."


def token_create(*, user: User, user_agent: str = "") -> tuple[AuthToken, str]:
    """Create a login token for one device and return it with its secret.

    The secret is returned only here: the database keeps its SHA-256. `user_agent` is kept,
    without unprintable characters and cut to 200 characters, to tell the devices apart.
    """
    key = secrets.token_urlsafe(32)
    user_agent = "".join(character for character in user_agent if character.isprintable())[:200]
    now: datetime = timezone.now()
    token = AuthToken.objects.create(
        user=user,
        key_hash=AuthToken.hash_key(key),
        created_at=now,
        last_used_at=now,
        expires_at=now + settings.TOKEN_TTL,
        user_agent=user_agent,
    )
    return token, key


def user_register(*, email: str, username: str, password: str) -> User:
    """Create an account. Email and username are case-insensitively unique.

    Raises a 400 naming the field when either is taken, also when a concurrent request
    took it between the serializer's check and this insert.
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, username=username, password=password)
    except IntegrityError:
        if User.objects.filter(email=email.lower()).exists():
            raise validation_error(
                "email", "An account with this email already exists: log in instead.", "unique"
            ) from None
        raise validation_error("username", USERNAME_TAKEN, "unique") from None
    logger.info("Account registered", extra={"user_id": user.pk})
    return user


def user_login(
    *, email: str, password: str, user_agent: str, request: HttpRequest | None = None
) -> tuple[AuthToken, str]:
    """Check the credentials and create a token for a new device; return it with its secret.

    Raises a 400 with the same message for an unknown email, a wrong password and a
    deactivated account. Django's ModelBackend runs the password hasher for unknown
    emails too, so the response time does not reveal whether an account exists.
    """
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None:
        logger.info("Login failed")
        raise exceptions.ValidationError({"non_field_errors": [exceptions.ErrorDetail(LOGIN_FAILED, code="invalid")]})
    token, key = token_create(user=user, user_agent=user_agent)
    User.objects.filter(pk=user.pk).update(last_login=token.created_at)
    logger.info("Login succeeded", extra={"user_id": user.pk, "token_id": token.pk})
    return token, key


def token_delete(*, user: User, token_id: int) -> bool:
    """Revoke one unexpired token of `user` and close its WebSockets; False if there is none."""
    with transaction.atomic():
        deleted, _ = AuthToken.objects.active().filter(pk=token_id, user=user).delete()
        if deleted:
            tokens_revoked([token_id])
    if deleted:
        logger.info("Token revoked", extra={"user_id": user.pk, "token_id": token_id})
    return bool(deleted)


def tokens_delete_all(*, user: User, keep_token_id: int | None = None) -> list[int]:
    """Revoke every token of `user` but `keep_token_id`, close their WebSockets and return their ids."""
    with transaction.atomic():
        tokens = AuthToken.objects.filter(user=user).exclude(pk=keep_token_id)
        token_ids = list(tokens.values_list("pk", flat=True))
        AuthToken.objects.filter(pk__in=token_ids).delete()
        tokens_revoked(token_ids)
    logger.info("Tokens revoked", extra={"user_id": user.pk, "count": len(token_ids)})
    return token_ids


def user_password_change(*, user: User, current_password: str, new_password: str, current_token_id: int | None) -> None:
    """Set a new password and revoke every token of the user but the one making the request.

    Raises a 400 on `current_password` when it is wrong, and on `new_password` when it
    fails the password validators.
    """
    if not user.check_password(current_password):
        raise validation_error("current_password", "The current password is wrong.", "invalid")
    try:
        validate_password(new_password, user=user)
    except DjangoValidationError as error:
        raise exceptions.ValidationError({"new_password": list(error.messages)}) from None

    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens_delete_all(user=user, keep_token_id=current_token_id)
    logger.info("Password changed", extra={"user_id": user.pk})


def _file_delete_on_commit(name: str) -> None:
    """Delete a stored file once the transaction that stopped referencing it commits."""

    def delete() -> None:
        default_storage.delete(name)

    transaction.on_commit(delete, robust=True)


def user_update(*, user: User, data: dict, avatar: UploadedFile | None = None) -> User:
    """Change profile fields and, with `avatar`, replace the picture; return the user.

    `data` contains validated values of MeUpdateSerializer fields. The avatar is decoded,
    checked and stripped of metadata by `image_clean`; the previous picture's file is
    deleted after the change commits. Raises a 400 on `username` when another account
    has it in any case, also when a concurrent request took it a moment earlier.
    """
    if "username" in data and username_taken(data["username"], exclude_user_id=user.pk):
        raise validation_error("username", USERNAME_TAKEN, "unique")
    picture = image_clean(avatar, field="avatar", max_bytes=settings.AVATAR_MAX_BYTES) if avatar is not None else None

    for field, value in data.items():
        setattr(user, field, value)
    update_fields = list(data)
    if picture is not None:
        # The file is written before the transaction, so a failure below must remove it.
        user.avatar.save(picture.file.name, picture.file, save=False)
        update_fields.append("avatar")
    try:
        with transaction.atomic():
            # The row lock makes concurrent picture changes replace each other's file in turn.
            previous_avatar = User.objects.select_for_update().values_list("avatar", flat=True).get(pk=user.pk)
            user.save(update_fields=update_fields)
            if picture is not None and previous_avatar:
                _file_delete_on_commit(previous_avatar)
    except BaseException as error:
        if picture is not None:
            default_storage.delete(user.avatar.name)
        if isinstance(error, IntegrityError):
            raise validation_error("username", USERNAME_TAKEN, "unique") from None
        raise
    logger.info("Profile updated", extra={"user_id": user.pk, "fields": update_fields})
    return user


def user_avatar_delete(*, user: User) -> None:
    """Remove the user's picture and delete its file after the change commits; no-op without one."""
    with transaction.atomic():
        previous_avatar = User.objects.select_for_update().values_list("avatar", flat=True).get(pk=user.pk)
        if not previous_avatar:
            return
        User.objects.filter(pk=user.pk).update(avatar="")
        user.avatar = ""
        _file_delete_on_commit(previous_avatar)
    logger.info("Avatar removed", extra={"user_id": user.pk})


def user_delete(*, user: User, password: str) -> None:
    """Delete the account and everything it owns, after checking its password.

    The follow counts of the users it followed or was followed by drop by one. Its tokens
    are revoked and their WebSockets closed. Its posts, likes and comments are deleted by
    their apps' services, which keep the counts on other rows right. Its picture's file is
    deleted after the commit. Raises a 400 on `password` when the password is wrong.
    """
    from apps.engagement.services import engagement_delete_for_user
    from apps.feed.services import posts_delete_for_user

    if not user.check_password(password):
        raise validation_error("password", "The password is wrong.", "invalid")

    with transaction.atomic():
        # Locking the row first makes a concurrent follow of this user wait, then fail on
        # the missing row, instead of adding a follow that the cascade would remove uncounted.
        account = User.objects.select_for_update().get(pk=user.pk)
        token_ids = list(AuthToken.objects.filter(user=account).values_list("pk", flat=True))
        follows_delete_for_user(user=account)
        engagement_delete_for_user(user=account)
        posts_delete_for_user(user=account)
        if account.avatar:
            _file_delete_on_commit(account.avatar.name)
        account.delete()
        tokens_revoked(token_ids)
    logger.info("Account deleted", extra={"user_id": user.pk})
