"""Users, their tokens, the follow graph and idempotency records of their requests."""

import hashlib
import re

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{3,30}")


def username_key(username: str) -> str | None:
    """Return the form that LOWER(username) is compared with, or None when no username can match.

    The pattern is checked before lower-casing because some non-ASCII characters, such as
    the Kelvin sign, lower-case to an ASCII letter and would otherwise match a username.
    """
    return username.lower() if USERNAME_PATTERN.fullmatch(username) else None


def avatar_upload_to(instance: "User", filename: str) -> str:
    return f"avatars/{instance.pk}/{filename}"


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, username: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=email.strip().lower(), username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, username: str, password: str | None = None, **fields: object) -> "User":
        return self.create_user(email, username, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    # Stored lower-case, so a plain unique index makes it case-insensitively unique.
    email = models.EmailField(max_length=254, unique=True)
    username = models.CharField(max_length=30)
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.TextField(max_length=500, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True, max_length=200)
    location = models.CharField(max_length=100, blank=True)
    website = models.URLField(max_length=200, blank=True)
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    posts_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="accounts_user_newest"),
            models.Index(fields=["-followers_count", "-id"], name="accounts_user_most_followed"),
        ]

    def __str__(self) -> str:
        return f"@{self.username} (#{self.pk})"


class AuthTokenQuerySet(models.QuerySet["AuthToken"]):
    def active(self) -> "AuthTokenQuerySet":
        return self.filter(expires_at__gt=timezone.now())


class AuthToken(models.Model):
    """A login session of one device. The secret is shown once; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_tokens")
    # SHA-256 of the secret, hex. The secrets carry 256 random bits, so a fast hash is
    # enough: there is nothing to guess, unlike a password.
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    user_agent = models.CharField(max_length=200, blank=True)

    objects = AuthTokenQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_token_user_newest")]

    def __str__(self) -> str:
        return f"token #{self.pk} of user #{self.user_id}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="outbound_follows")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="inbound_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="accounts_follow_unique_pair"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="accounts_follow_not_self"),
        ]
        indexes = [
            models.Index(fields=["followee", "-created_at", "-id"], name="accounts_follow_followers"),
            models.Index(fields=["follower", "-created_at", "-id"], name="accounts_follow_following"),
        ]

    def __str__(self) -> str:
        return f"#{self.follower_id} -> #{self.followee_id}"


class IdempotencyRecord(models.Model):
    """The first response to a request sent with an `Idempotency-Key`, replayed on repeats."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    # The method and path the key was used on, so one key cannot replay another endpoint.
    scope = models.CharField(max_length=255)
    # SHA-256 of the request body, to reject the same key reused with a different body.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="accounts_idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"idempotency record #{self.pk} of user #{self.user_id}"
