"""Likes, comments and the notification inbox."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.feed.models import Post


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="engagement_like_unique_pair")]
        indexes = [
            models.Index(fields=["post", "-created_at", "-id"], name="engagement_like_post_newest"),
            models.Index(fields=["user", "-created_at", "-id"], name="engagement_like_user_newest"),
        ]

    def __str__(self) -> str:
        return f"#{self.user_id} likes post #{self.post_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["post", "created_at", "id"], name="engagement_comment_post_oldest")]

    def __str__(self) -> str:
        return f"comment #{self.pk} on post #{self.post_id}"


class Notification(models.Model):
    class Type(models.TextChoices):
        FOLLOW = "follow"
        LIKE = "like"
        COMMENT = "comment"
        POST_PUBLISHED = "post_published"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # Null for post_published, which no other user caused.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # One notification per action, so repeated requests do not pile up duplicates.
            models.UniqueConstraint(
                fields=["recipient", "actor"], condition=Q(type="follow"), name="engagement_notification_one_follow"
            ),
            models.UniqueConstraint(
                fields=["recipient", "actor", "post"], condition=Q(type="like"), name="engagement_notification_one_like"
            ),
            models.UniqueConstraint(
                fields=["comment"], condition=Q(type="comment"), name="engagement_notification_one_comment"
            ),
            models.UniqueConstraint(
                fields=["post"], condition=Q(type="post_published"), name="engagement_notification_one_published"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="engagement_notification_inbox"),
            models.Index(
                fields=["recipient", "-id"], condition=Q(read=False), name="engagement_notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} notification #{self.pk} for #{self.recipient_id}"
