"""Output shapes of users shared by every app, and the accounts endpoints' input serializers."""

from rest_framework import serializers

from project.urls_helpers import absolute_media_url

from .models import User


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
