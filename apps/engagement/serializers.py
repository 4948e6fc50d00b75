"""Output and input shapes of likes, comments and notifications."""

from rest_framework import serializers

from apps.accounts.serializers import AuthorSerializer
from project.text import CleanCharField

from .models import Comment, Notification

EXCERPT_LENGTH = 100
COMMENT_MAX_LENGTH = 1000
READ_MAX_IDS = 1000


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


class CommentSerializer(serializers.ModelSerializer):
    post = serializers.IntegerField(source="post_id", read_only=True, help_text="Id of the commented post.")
    author = AuthorSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "post", "author", "text", "created_at", "edited_at"]
        read_only_fields = fields


class CommentInputSerializer(serializers.Serializer):
    text = CleanCharField(
        max_length=COMMENT_MAX_LENGTH,
        help_text=f"1-{COMMENT_MAX_LENGTH} characters after Unicode NFC normalisation; "
        "control characters other than newline and tab are rejected.",
    )


class LikeSerializer(serializers.Serializer):
    """The caller's like of a post, with the post's like count after the request."""

    post = serializers.IntegerField(source="post_id", help_text="Id of the liked post.")
    liked = serializers.BooleanField(help_text="Always true: the caller likes the post.")
    likes_count = serializers.IntegerField(help_text="The post's number of likes.")
    created_at = serializers.DateTimeField(help_text="When the caller liked the post.")


class NotificationFilterSerializer(serializers.Serializer):
    """Query parameters of the notification inbox."""

    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: unread only; false: read only."
    )
    type = serializers.ChoiceField(
        choices=Notification.Type.choices, required=False, help_text="Only notifications of this type."
    )


class NotificationReadSerializer(serializers.Serializer):
    """Either `ids` or `all: true`."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=READ_MAX_IDS,
        help_text=f"Ids of the caller's notifications to mark read (at most {READ_MAX_IDS}); other ids are ignored.",
    )
    all = serializers.BooleanField(required=False, help_text="true marks every notification of the caller read.")

    def validate(self, attrs: dict) -> dict:
        has_ids = "ids" in attrs
        has_all = attrs.get("all") is True
        if has_ids and has_all:
            raise serializers.ValidationError("Send either `ids` (a list of notification ids) or `all: true`, not both.")
        if not has_ids and not has_all:
            raise serializers.ValidationError("Missing `ids` (a list of notification ids) or `all: true`: send one of them.")
        return attrs
