"""Output shapes of users shared by every app, and the accounts endpoints' input serializers."""

from typing import Any

from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from project.text import CleanCharField
from project.urls_helpers import absolute_media_url

from .models import AuthToken, User
from .selectors import username_taken


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class AvatarField(serializers.Field):
    """An image file rendered as an absolute URL, or null."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: object) -> str | None:
        return absolute_media_url(value, self.context.get("request"))


class AuthorSerializer(serializers.ModelSerializer):
    """The short user shape embedded in posts, comments and notifications."""

    avatar = AvatarField(help_text="Absolute URL of the profile picture, or null.")

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "avatar"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    """The public profile; `is_following` and `follows_you` appear for authenticated callers."""

    avatar = AvatarField(help_text="Absolute URL of the profile picture, or null.")
    # A plain string in the schema: "" (no web site) is not a valid `uri`.
    website = serializers.CharField(read_only=True, help_text="An http or https URL, or an empty string.")
    is_following = serializers.BooleanField(
        read_only=True, required=False, help_text="Whether the caller follows this user (authenticated callers only)."
    )
    follows_you = serializers.BooleanField(
        read_only=True, required=False, help_text="Whether this user follows the caller (authenticated callers only)."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "bio",
            "avatar",
            "location",
            "website",
            "created_at",
            "followers_count",
            "following_count",
            "posts_count",
            "is_following",
            "follows_you",
        ]
        read_only_fields = fields

    def to_representation(self, instance: User) -> dict:
        data = super().to_representation(instance)
        if not hasattr(instance, "is_following"):
            data.pop("is_following", None)
            data.pop("follows_you", None)
        return data


class MeSerializer(UserSerializer):
    """The caller's own profile: the public shape plus `email`."""

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields[:2], "email", *UserSerializer.Meta.fields[2:-2]]
        read_only_fields = fields


USERNAME_HELP = "3-30 characters: letters A-Z and a-z, digits and underscore."


def username_field(**kwargs: Any) -> serializers.RegexField:
    """Build the username input field shared by registration and profile updates."""
    return serializers.RegexField(
        r"^[A-Za-z0-9_]{3,30}$",
        help_text=USERNAME_HELP,
        error_messages={"invalid": f"Invalid username: use {USERNAME_HELP}"},
        **kwargs,
    )


def password_field(**kwargs: Any) -> serializers.CharField:
    """Build a password input field. Whitespace is kept: it is part of the password."""
    return serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}, **kwargs
    )


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = username_field()
    password = password_field()

    def validate_email(self, value: str) -> str:
        # A taken address gets its own error, which tells a caller that the account exists:
        # emails must be unique and the endpoint returns the new account at once, so hiding
        # it would take a confirmation mail before the account exists. The error is the same
        # for a deactivated account and on the race path in `user_register`, and the
        # `register` rate limit per IP bounds how fast addresses can be probed.
        value = value.strip().lower()
        if User.objects.filter(email=value).exists():
            raise serializers.ValidationError(
                "An account with this email already exists: log in instead.", code="unique"
            )
        return value

    def validate_username(self, value: str) -> str:
        if username_taken(value):
            raise serializers.ValidationError("This username is taken: choose another.", code="unique")
        return value

    def validate(self, attrs: dict) -> dict:
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError as DjangoValidationError

        candidate = User(email=attrs["email"], username=attrs["username"])
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The account's email address, in any case.")
    password = password_field()


class LoginResultSerializer(serializers.Serializer):
    """A new token, shown only in this response, with the profile it belongs to."""

    token = serializers.CharField(help_text="The secret to send as `Authorization: Bearer <token>`. Shown only once.")
    expires_at = serializers.DateTimeField(help_text="When the token stops working; log in again after that.")
    user = MeSerializer()


class TokenSerializer(serializers.ModelSerializer):
    """A login session of one device, without its secret."""

    current = serializers.SerializerMethodField(help_text="Whether this is the token that made the request.")

    class Meta:
        model = AuthToken
        fields = ["id", "created_at", "last_used_at", "expires_at", "user_agent", "current"]
        read_only_fields = fields

    def get_current(self, token: AuthToken) -> bool:
        request = self.context.get("request")
        return request is not None and getattr(request.auth, "pk", None) == token.pk


class PasswordChangeSerializer(serializers.Serializer):
    current_password = password_field()
    new_password = password_field(help_text="Must pass the password rules: long enough, not common, not all digits.")


class HttpUrlField(serializers.URLField):
    """A URL field that accepts only the http and https schemes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        message = "Enter a valid URL starting with http:// or https://."
        self.validators = [validator for validator in self.validators if not isinstance(validator, URLValidator)] + [
            URLValidator(schemes=["http", "https"], message=message)
        ]


class MeUpdateSerializer(serializers.Serializer):
    """The profile fields a user may change; each one is optional."""

    username = username_field(required=False)
    display_name = CleanCharField(max_length=50, allow_blank=True, required=False, multiline=False)
    bio = CleanCharField(max_length=500, allow_blank=True, required=False)
    location = CleanCharField(max_length=100, allow_blank=True, required=False, multiline=False)
    website = HttpUrlField(max_length=200, allow_blank=True, required=False)
    avatar = serializers.FileField(
        required=False,
        allow_empty_file=False,
        help_text="A JPEG, PNG, GIF or WebP picture of at most 5 MB and 40 megapixels, sent as multipart/form-data. "
        "Metadata such as EXIF GPS is removed before it is stored.",
    )


class AccountDeleteSerializer(serializers.Serializer):
    password = password_field(help_text="The account's password, to confirm the deletion.")
