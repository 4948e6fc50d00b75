"""Creating and deleting notifications, and pushing each change to the recipient's sockets.

Every app calls these two functions, so the rules live in one place: no user is notified of
their own action, one action makes at most one notification, and every change reaches the
recipient's open WebSockets after the transaction commits.
"""

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from project.realtime import group_send, group_send_on_commit, user_group

from .models import Notification

logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory locks that order each recipient's notifications. The
# second key is the recipient id. No other advisory lock in this project uses this key.
RECIPIENT_LOCK_KEY = 4_242_001


def notification_queryset():  # type: ignore[no-untyped-def]
    return Notification.objects.select_related("actor", "post", "comment")


def _push_created(notification_id: int) -> None:
    from .serializers import NotificationSerializer

    notification = notification_queryset().filter(pk=notification_id).first()
    if notification is None:
        return
    data = NotificationSerializer(notification, context={"request": None}).data
    group_send(user_group(notification.recipient_id), {"type": "notification.created", "notification": data})


def recipients_lock(recipient_ids: Iterable[int]) -> None:
    """Lock the recipients until the transaction ends, so each recipient's notification ids commit in order.

    A sequence assigns an id at insert, so on PostgreSQL two transactions could commit in the
    other order, and a client resuming after the higher id would never get the lower one.
    Call this right before the insert, as the transaction's last lock: a transaction that
    notifies the same recipient then waits here until this one ends. The ids are locked in
    ascending order, so two batches cannot wait on each other's locks in a cycle. SQLite runs one write transaction at a
    time, so it needs no lock.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for recipient_id in sorted(set(recipient_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RECIPIENT_LOCK_KEY, recipient_id % 2**31])


def notification_create(
    *,
    recipient_id: int,
    type: str,
    actor_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
) -> Notification | None:
    """Store a notification and push it after commit; None for one's own action or a repeat."""
    if actor_id is not None and actor_id == recipient_id:
        return None
    try:
        with transaction.atomic():
            recipients_lock([recipient_id])
            notification = Notification.objects.create(
                recipient_id=recipient_id, type=type, actor_id=actor_id, post_id=post_id, comment_id=comment_id
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _push_created(notification.pk))
    return notification


def notification_delete(**filters: object) -> int:
    """Delete the notifications matching `filters` and push `notification_deleted` for each."""
    rows = list(Notification.objects.filter(**filters).values_list("pk", "recipient_id"))
    if not rows:
        return 0
    Notification.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    for pk, recipient_id in rows:
        group_send_on_commit(user_group(recipient_id), {"type": "notification.deleted", "id": pk})
    return len(rows)
