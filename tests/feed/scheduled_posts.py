"""Test data for scheduled publishing: scheduled posts with hashtags, and stored pictures."""

import io
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.accounts.models import User
from apps.feed.models import Hashtag, Media, Post, PostHashtag


def scheduled_post_create(
    *, author: User, publish_at: datetime | None = None, tags: tuple[str, ...] = ("launch",), text: str = ""
) -> Post:
    """Store a scheduled post with its hashtag rows, as post creation leaves it: no counts applied."""
    post = Post.objects.create(
        author=author,
        text=text or " ".join(f"Soon #{tag}" for tag in tags) or "Soon",
        status=Post.Status.SCHEDULED,
        publish_at=publish_at or timezone.now() - timedelta(seconds=1),
        hashtags=list(tags),
    )
    for tag in tags:
        hashtag, _ = Hashtag.objects.get_or_create(name=tag)
        PostHashtag.objects.create(post=post, hashtag=hashtag)
    return post


def png_upload(name: str = "picture.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def media_create(*, owner: User, post: Post | None = None, age: timedelta = timedelta(0)) -> Media:
    """Store a picture, attached to `post` or unused, created `age` ago."""
    return Media.objects.create(owner=owner, post=post, file=png_upload(), created_at=timezone.now() - age)
