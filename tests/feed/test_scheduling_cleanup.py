"""The periodic clean-up tasks beat runs: unused media, expired idempotency records, the heartbeat."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.accounts.models import IdempotencyRecord
from apps.feed import cleanup
from apps.feed.models import Heartbeat, Media
from apps.feed.tasks import beat_heartbeat, delete_expired_idempotency_records, delete_unused_media
from tests.factories import PostFactory, UserFactory

from .scheduled_posts import media_create

pytestmark = pytest.mark.django_db

OLD = settings.UNUSED_MEDIA_TTL + timedelta(minutes=1)
RECENT = settings.UNUSED_MEDIA_TTL - timedelta(minutes=1)


def test_delete_unused_media_old_only(django_capture_on_commit_callbacks):
    owner = UserFactory()
    old_unused = media_create(owner=owner, age=OLD)
    recent_unused = media_create(owner=owner, age=RECENT)
    old_attached = media_create(owner=owner, post=PostFactory(author=owner), age=OLD)
    old_name = old_unused.file.name
    assert default_storage.exists(old_name)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_unused_media.delay().get() == 1

    assert set(Media.objects.values_list("pk", flat=True)) == {recent_unused.pk, old_attached.pk}
    assert not default_storage.exists(old_name)
    assert default_storage.exists(recent_unused.file.name)
    assert default_storage.exists(old_attached.file.name)


def test_delete_unused_media_walks_batches(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(cleanup, "MEDIA_BATCH_SIZE", 2)
    owner = UserFactory()
    names = [media_create(owner=owner, age=OLD).file.name for _ in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_unused_media.delay().get() == 5

    assert not Media.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_delete_unused_media_files_after_commit(django_capture_on_commit_callbacks):
    media = media_create(owner=UserFactory(), age=OLD)

    # Files are deleted only after the delete commits, so without a commit they stay.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete_unused_media.delay().get()

    assert len(callbacks) == 1
    assert default_storage.exists(media.file.name)


def test_delete_unused_media_missing_file_tolerated(django_capture_on_commit_callbacks):
    media = media_create(owner=UserFactory(), age=OLD)
    default_storage.delete(media.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_unused_media.delay().get() == 1

    assert not Media.objects.exists()


def idempotency_record_create(*, age: timedelta) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        user=UserFactory(),
        key=f"key-{age.total_seconds()}",
        scope="POST /api/v1/posts",
        request_hash="0" * 64,
        created_at=timezone.now() - age,
    )


def test_delete_expired_idempotency_records():
    idempotency_record_create(age=settings.IDEMPOTENCY_TTL + timedelta(minutes=1))
    fresh = idempotency_record_create(age=settings.IDEMPOTENCY_TTL - timedelta(minutes=1))

    assert delete_expired_idempotency_records.delay().get() == 1

    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_beat_heartbeat_recorded():
    before = timezone.now()

    beat_heartbeat.delay().get()

    assert Heartbeat.objects.get().beat_at >= before


def test_beat_schedule_names_registered_tasks():
    from project.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled <= set(app.tasks)
    assert "feed.delete_expired_idempotency_records" in scheduled
