"""Test data for scheduled publishing: scheduled posts with hashtags, stored pictures, and threads that race."""

import io
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from celery import Task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
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
        PostHashtag.objects.create(post=post, hashtag=hashtag, status=post.status, publish_at=post.publish_at)
    return post


def png_upload(name: str = "picture.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def media_create(*, owner: User, post: Post | None = None, age: timedelta = timedelta(0)) -> Media:
    """Store a picture, attached to `post` (which then has media) or unused, created `age` ago."""
    if post is not None:
        Post.objects.filter(pk=post.pk).update(has_media=True)
    return Media.objects.create(owner=owner, post=post, file=png_upload(), created_at=timezone.now() - age)


def run_together(*jobs: Callable[[], object]) -> list[BaseException]:
    """Start every job in its own thread at the same moment, and return the errors they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a publishing thread hung"
    return errors


def run_task(task: Task, *args: object) -> object:
    """Run a task eagerly in this thread. Celery's `.get()` raises here, seeing another thread's task running."""
    result = task.apply(args=args)
    if result.failed():
        raise result.result
    return result.result
