"""Output and input shapes of likes, comments and notifications."""

from rest_framework import serializers

from apps.accounts.serializers import AuthorSerializer

from .models import Comment, Notification

EXCERPT_LENGTH = 100


class NotificationPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.SerializerMethodField(help_text=f"The first {EXCERPT_LENGTH} characters of the post.")

    def get_text(self, post) -> str:  # type: ignore[no-untyped-def]
        return post.text[:EXCERPT_LENGTH]


class NotificationCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "text"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    actor = AuthorSerializer(allow_null=True, help_text="Who acted; null for post_published.")
    post = NotificationPostSerializer(allow_null=True)
    comment = NotificationCommentSerializer(allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "type", "actor", "post", "comment", "created_at", "read"]
        read_only_fields = fields
