"""Posts, their media and hashtags."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def media_upload_to(instance: "Media", filename: str) -> str:
    return f"posts/{instance.owner_id}/{filename}"


class Hashtag(models.Model):
    # Lower-case, without the leading '#'.
    name = models.CharField(max_length=100, unique=True)
    # Published posts that carry the tag.
    posts_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["-posts_count", "name"], name="feed_hashtag_most_used")]

    def __str__(self) -> str:
        return f"#{self.name}"


class PostQuerySet(models.QuerySet["Post"]):
    def published(self) -> "PostQuerySet":
        return self.filter(status=Post.Status.PUBLISHED)

    def scheduled(self) -> "PostQuerySet":
        return self.filter(status=Post.Status.SCHEDULED)


class Post(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published"
        SCHEDULED = "scheduled"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # For a scheduled post the time it is due; once published, the time it was published.
    publish_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    likes_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    tags = models.ManyToManyField(Hashtag, through="PostHashtag", related_name="posts")
    # Copy of the tag names in order of appearance, so lists render without a join.
    hashtags = models.JSONField(default=list, blank=True)
    has_media = models.BooleanField(default=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["-publish_at", "-id"], name="feed_post_timeline", condition=Q(status="published")
            ),
            models.Index(
                fields=["author", "-publish_at", "-id"], name="feed_post_author_timeline", condition=Q(status="published")
            ),
            models.Index(fields=["publish_at"], name="feed_post_due", condition=Q(status="scheduled")),
            models.Index(fields=["author", "status", "publish_at"], name="feed_post_author_status"),
        ]

    def __str__(self) -> str:
        return f"post #{self.pk} by #{self.author_id}"


class PostHashtag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_hashtags")
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="post_hashtags")
    # Copies of the post's `status` and `publish_at`, so a hashtag's page is read in order from
    # `feed_posthashtag_timeline`. Every writer of a post's status, publish_at or hashtag rows
    # sets them: `services`, `scheduling` and the seed writer. No defaults, so a row written
    # without the copies fails on the NOT NULL `publish_at` instead of showing stale values.
    status = models.CharField(max_length=10, choices=Post.Status.choices)
    publish_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hashtag", "post"], name="feed_posthashtag_unique_pair")]
        indexes = [
            models.Index(
                fields=["hashtag", "-publish_at", "-post"],
                name="feed_posthashtag_timeline",
                condition=Q(status="published"),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.hashtag_id} on post #{self.post_id}"


class Media(models.Model):
    """An uploaded picture, attached to at most one post."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="media")
    # Order within the post, from 0.
    position = models.PositiveSmallIntegerField(default=0)
    file = models.ImageField(upload_to=media_upload_to, max_length=200, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=1500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["post", "position"], name="feed_media_post_order"),
            models.Index(fields=["created_at"], name="feed_media_unused", condition=Q(post__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"media #{self.pk} of #{self.owner_id}"


class Heartbeat(models.Model):
    """The last time a periodic task ran, so /readyz can tell whether Celery beat is alive."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at.isoformat()}"
