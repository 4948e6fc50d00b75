"""Output shapes of users shared by every app, and the accounts endpoints' input serializers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from project.urls_helpers import absolute_media_url

from .models import User


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


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = serializers.RegexField(
        r"^[A-Za-z0-9_]{3,30}$",
        help_text=USERNAME_HELP,
        error_messages={"invalid": f"Invalid username: use {USERNAME_HELP}"},
    )
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        if User.objects.filter(email=value).exists():
            raise serializers.ValidationError("An account with this email already exists: log in instead.", code="unique")
        return value

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
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
