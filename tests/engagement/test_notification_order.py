"""Each recipient's notification ids commit in ascending order, so a resume after an id misses nothing."""

import threading

import pytest
from django.db import connection, transaction

from apps.engagement.models import Notification
from apps.engagement.notifications import notification_create
from tests.factories import PostFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one write transaction at a time"),
]


def _in_thread(job) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            job()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_second_notification_waits_for_first_commit():
    recipient, first_actor, second_actor = UserFactory(), UserFactory(), UserFactory()
    post = PostFactory(author=recipient)
    first_inserted, release_first = threading.Event(), threading.Event()
    second_done = threading.Event()

    def first() -> None:
        with transaction.atomic():
            notification_create(recipient_id=recipient.pk, type="like", actor_id=first_actor.pk, post_id=post.pk)
            first_inserted.set()
            release_first.wait(timeout=10)

    def second() -> None:
        notification_create(recipient_id=recipient.pk, type="like", actor_id=second_actor.pk, post_id=post.pk)
        second_done.set()

    first_thread = _in_thread(first)
    assert first_inserted.wait(timeout=10)
    second_thread = _in_thread(second)

    # The second transaction must not commit while the first, with the lower id, is open.
    assert not second_done.wait(timeout=1)
    release_first.set()
    first_thread.join(timeout=10)
    second_thread.join(timeout=10)

    assert second_done.is_set()
    actors = list(Notification.objects.filter(recipient=recipient).order_by("id").values_list("actor_id", flat=True))
    assert actors == [first_actor.pk, second_actor.pk]


def test_other_recipient_not_blocked():
    first_recipient, second_recipient, actor = UserFactory(), UserFactory(), UserFactory()
    inserted, release = threading.Event(), threading.Event()

    def first() -> None:
        with transaction.atomic():
            notification_create(recipient_id=first_recipient.pk, type="follow", actor_id=actor.pk)
            inserted.set()
            release.wait(timeout=10)

    first_thread = _in_thread(first)
    assert inserted.wait(timeout=10)
    try:
        created = notification_create(recipient_id=second_recipient.pk, type="follow", actor_id=actor.pk)
    finally:
        release.set()
        first_thread.join(timeout=10)

    assert created is not None
    assert Notification.objects.filter(recipient__in=[first_recipient, second_recipient]).count() == 2
