"""Celery tasks of the feed: publishing scheduled posts and the periodic clean-ups beat runs.

Each task takes ids, calls one service and logs. The rules live in the services.
"""

import logging
from datetime import datetime

from celery import Task, shared_task
from celery.signals import beat_init
from django.db import OperationalError

from project.idempotency import idempotency_records_delete_expired

from . import scheduling, services
from .cleanup import media_delete_unused

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="feed.publish_post",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def publish_post(self: Task, post_id: int, expected_publish_at: str | None = None) -> bool:
    """Publish one scheduled post, queued with an ETA of its `publish_at` (ISO 8601), and every other post due.

    Does nothing when the post was moved to another time, deleted or already published.
    Database errors are retried with backoff, and the sweep publishes anything left over.
    """
    expected = datetime.fromisoformat(expected_publish_at) if expected_publish_at else None
    published = scheduling.post_publish(post_id=post_id, expected_publish_at=expected, task_id=self.request.id)
    if not published:
        logger.info(
            "Task %s did not publish post %s because it was moved, deleted or already published",
            self.request.id,
            post_id,
        )
    return published


@shared_task(bind=True, name="feed.publish_due_posts")
def publish_due_posts(self: Task) -> int:
    """Publish every scheduled post that is due, whether or not its own task ran."""
    return scheduling.posts_publish_due(task_id=self.request.id)


@shared_task(bind=True, name="feed.delete_unused_media")
def delete_unused_media(self: Task) -> int:
    """Delete uploads no post used within UNUSED_MEDIA_TTL, and their files."""
    deleted = media_delete_unused()
    if deleted:
        logger.info("Task %s deleted %s unused media", self.request.id, deleted)
    return deleted


@shared_task(bind=True, name="feed.delete_expired_idempotency_records")
def delete_expired_idempotency_records(self: Task) -> int:
    """Delete stored `Idempotency-Key` responses older than IDEMPOTENCY_TTL."""
    deleted = idempotency_records_delete_expired()
    if deleted:
        logger.info("Task %s deleted %s expired idempotency records", self.request.id, deleted)
    return deleted


@beat_init.connect
def record_beat_start(sender: object = None, **kwargs: object) -> None:
    """Record a heartbeat as beat starts, so /readyz is ready before the first periodic run."""
    services.beat_heartbeat_record()


@shared_task(name="feed.beat_heartbeat")
def beat_heartbeat() -> None:
    """Record that beat and a worker are alive, for /readyz."""
    services.beat_heartbeat_record()
