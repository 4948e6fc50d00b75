"""Writes of posts, media and hashtags."""

from datetime import timedelta

from django.utils import timezone

from .models import Heartbeat

BEAT_HEARTBEAT_NAME = "celery-beat"


def beat_heartbeat_record() -> None:
    """Store the time Celery beat last triggered a task."""
    Heartbeat.objects.update_or_create(name=BEAT_HEARTBEAT_NAME, defaults={"beat_at": timezone.now()})


def beat_heartbeat_age() -> timedelta | None:
    """Return how long ago beat last ran, or None if it never has."""
    beat_at = Heartbeat.objects.filter(name=BEAT_HEARTBEAT_NAME).values_list("beat_at", flat=True).first()
    return None if beat_at is None else timezone.now() - beat_at
