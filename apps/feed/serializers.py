"""Output and input shapes of posts, media and hashtags."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.serializers import AuthorSerializer
from project.urls_helpers import absolute_media_url

from .models import Hashtag, Media, Post


class MediaSerializer(serializers.ModelSerializer):
    """An uploaded picture: absolute URL, pixel size and alt text."""

    url = serializers.SerializerMethodField(help_text="Absolute URL of the stored picture.")

    class Meta:
        model = Media
        fields = ["id", "url", "width", "height", "description"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, media: Media) -> str | None:
        return absolute_media_url(media.file, self.context.get("request"))


class PostSerializer(serializers.ModelSerializer):
    """A post. `liked_by_me` appears only when the queryset annotated it, which it does for authenticated callers."""

    author = AuthorSerializer(read_only=True)
    hashtags = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Hashtags in the text, lower-case, without '#'."
    )
    media = MediaSerializer(many=True, read_only=True)
    status = serializers.ChoiceField(choices=Post.Status.choices, read_only=True)
    liked_by_me = serializers.BooleanField(
        read_only=True, required=False, help_text="Whether the caller liked the post (authenticated callers only)."
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "author",
            "text",
            "hashtags",
            "media",
            "status",
            "publish_at",
            "created_at",
            "edited_at",
            "likes_count",
            "comments_count",
            "liked_by_me",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Post) -> dict:
        data = super().to_representation(instance)
        if not hasattr(instance, "liked_by_me"):
            data.pop("liked_by_me", None)
        return data


class HashtagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hashtag
        fields = ["name", "posts_count"]
        read_only_fields = fields
