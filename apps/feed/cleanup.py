"""Periodic clean-up of the feed's storage: uploads that no post ever used."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Media

logger = logging.getLogger(__name__)

# Rows deleted per transaction, so a large backlog never holds locks for long.
MEDIA_BATCH_SIZE = 200


def _delete_files(names: list[str]) -> None:
    storage = Media._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Deleting the unused media file %s failed", name, exc_info=True)


def media_delete_unused(*, now: datetime | None = None) -> int:
    """Delete media that are attached to no post and older than UNUSED_MEDIA_TTL, with their files.

    Returns how many rows were deleted. The rows are locked before the delete, so a post
    that attaches one of them at the same moment either waits and then finds it gone, or
    attaches it first, and then it is no longer a candidate. Files are removed only after
    the delete commits.
    """
    cutoff = (now or timezone.now()) - settings.UNUSED_MEDIA_TTL
    deleted = 0
    while True:
        with transaction.atomic():
            rows = list(
                Media.objects.select_for_update(skip_locked=True)
                .filter(post__isnull=True, created_at__lt=cutoff)
                .order_by("created_at", "pk")
                .values_list("pk", "file")[:MEDIA_BATCH_SIZE]
            )
            if not rows:
                return deleted
            Media.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
            names = [name for _, name in rows if name]
            transaction.on_commit(lambda names=names: _delete_files(names))
        deleted += len(rows)
        if len(rows) < MEDIA_BATCH_SIZE:
            return deleted
