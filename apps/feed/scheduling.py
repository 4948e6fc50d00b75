"""Publishing scheduled posts: queueing the Celery task, the bulk publish step and the periodic sweep.

Due posts are published in batches. One transaction locks a batch (`SELECT … FOR UPDATE
SKIP LOCKED` on PostgreSQL) and switches it to published with one conditional UPDATE. A
second UPDATE copies the new `status` and `publish_at` onto the posts' hashtag rows. The
transaction then adds the counts with a few aggregated UPDATEs and creates the notifications
with `bulk_create`, and they are pushed after the commit. The task queued for a post's `publish_at`,
the sweep run by beat and the publish-now endpoint may race for the same posts. At most one
of them locks a post, and the UPDATE matches only rows that are still scheduled, so each
post is published, counted and notified exactly once. SQLite has no row locks, but its
IMMEDIATE transactions (set in `project.settings`) let one writer run at a time, which
gives the same guarantee.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import DatabaseError, OperationalError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import KombuError
from rest_framework.exceptions import NotFound

from apps.accounts.models import User
from apps.engagement.models import Notification
from apps.engagement.notifications import notification_queryset, recipients_lock
from project.realtime import group_send_many, user_group

from .models import Post, PostHashtag
from .selectors import post_queryset

logger = logging.getLogger(__name__)

# Due posts published per transaction. A larger batch holds its row locks longer. The ids
# are sent as query parameters, so keep it well under 999, the limit of older SQLite builds.
PUBLISH_BATCH_SIZE = 500


class BatchChangedError(Exception):
    """The conditional UPDATE matched fewer posts than the batch had locked, so the batch rolled back."""


def post_schedule_enqueue(*, post_id: int, publish_at: datetime) -> None:
    """Queue the publishing task of a scheduled post for `publish_at`.

    Call it from `transaction.on_commit` whenever a post becomes scheduled or its
    `publish_at` moves. A task that finds the post moved, published or deleted does nothing.
    A broker that cannot be reached is logged and not raised: the sweep publishes the post.
    """
    from .tasks import publish_post

    try:
        publish_post.apply_async(args=[post_id, publish_at.isoformat()], eta=publish_at)
    except (KombuError, OSError):
        logger.exception(
            "Queueing the publishing task of post %s failed, so the periodic sweep will publish it", post_id
        )


# The bulk step.


def _author_counts_apply(posts_by_author: Counter[int]) -> None:
    """Add each author's number of newly published posts to their `posts_count`.

    The user rows are locked in primary-key order first, so two batches with authors in
    common wait for each other instead of deadlocking. Authors with the same number of posts
    share one UPDATE.
    """
    list(
        User.objects.select_for_update(no_key=True)
        .filter(pk__in=posts_by_author)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    by_delta: dict[int, list[int]] = defaultdict(list)
    for author_id, posts in posts_by_author.items():
        by_delta[posts].append(author_id)
    for delta, author_ids in by_delta.items():
        User.objects.filter(pk__in=author_ids).update(posts_count=F("posts_count") + delta)


def _hashtag_counts_apply(post_ids: list[int]) -> None:
    """Add to each hashtag's `posts_count` the number of posts in `post_ids` that carry it."""
    from .services import _hashtag_counts_add as hashtag_counts_add

    per_hashtag = (
        PostHashtag.objects.filter(post_id__in=post_ids)
        .values("hashtag_id")
        .annotate(posts=Count("id"))
        .values_list("hashtag_id", "posts")
    )
    hashtag_counts_add(dict(per_hashtag))


def _notifications_push(post_ids: list[int]) -> None:
    """Send the `post_published` notifications of `post_ids` to their authors' sockets.

    One query loads every notification with what its shape needs, and one event loop sends
    them all. A failed send is logged and not raised, because the inbox keeps the data.
    """
    from apps.engagement.serializers import NotificationSerializer

    notifications = list(
        notification_queryset().filter(type=Notification.Type.POST_PUBLISHED, post_id__in=post_ids).order_by("pk")
    )
    rendered = NotificationSerializer(notifications, many=True, context={"request": None}).data
    group_send_many(
        (user_group(notification.recipient_id), {"type": "notification.created", "notification": data})
        for notification, data in zip(notifications, rendered, strict=True)
    )


def _posts_publish(*, due: Q, limit: int, skip_locked: bool, notify: bool) -> list[int]:
    """Publish up to `limit` scheduled posts matching `due` in one transaction; return their ids.

    `skip_locked` passes over posts another transaction has locked (a concurrent batch, or an
    edit in progress) instead of waiting for it. `notify` creates a `post_published`
    notification for each author, pushed after the commit. Raises BatchChangedError, after a
    rollback, if a locked post was no longer scheduled when it was updated.
    """
    with transaction.atomic():
        rows = list(
            Post.objects.scheduled()
            .filter(due)
            .select_for_update(skip_locked=skip_locked)
            .order_by("publish_at", "pk")
            .values_list("pk", "author_id")[:limit]
        )
        if not rows:
            return []
        post_ids = [post_id for post_id, _ in rows]

        # Row locks (PostgreSQL) or the single writer (SQLite) keep these posts scheduled since
        # the SELECT. The status condition still guards the UPDATE: a mismatch rolls back
        # the batch rather than count a post that someone else published.
        published_at = timezone.now()
        updated = Post.objects.filter(pk__in=post_ids, status=Post.Status.SCHEDULED).update(
            status=Post.Status.PUBLISHED, publish_at=published_at
        )
        if updated != len(post_ids):
            raise BatchChangedError(f"{updated} of {len(post_ids)} locked posts were still scheduled")
        PostHashtag.objects.filter(post_id__in=post_ids).update(status=Post.Status.PUBLISHED, publish_at=published_at)

        _author_counts_apply(Counter(author_id for _, author_id in rows))
        _hashtag_counts_apply(post_ids)
        if notify:
            recipients_lock(author_id for _, author_id in rows)
            Notification.objects.bulk_create(
                [
                    Notification(recipient_id=author_id, type=Notification.Type.POST_PUBLISHED, post_id=post_id)
                    for post_id, author_id in rows
                ],
                ignore_conflicts=True,
            )
            # Robust: a failed push is logged and cannot make the caller think the commit failed.
            transaction.on_commit(lambda: _notifications_push(post_ids), robust=True)
    return post_ids


def _published_log(post_ids: Iterable[int], *, source: str, task_id: str | None) -> None:
    for post_id in post_ids:
        logger.info("Published scheduled post %s in %s %s", post_id, source, task_id)


def _due_publish(*, cutoff: datetime, limit: int, source: str, task_id: str | None) -> set[int]:
    """Publish batch after batch of posts due at `cutoff` until none is left unlocked; return their ids."""
    due = Q(publish_at__lte=cutoff)
    published: set[int] = set()
    while True:
        try:
            batch = _posts_publish(due=due, limit=limit, skip_locked=True, notify=True)
        except OperationalError:
            # A lost connection or a deadlock: the task retries, and the next sweep runs in seconds.
            raise
        except (DatabaseError, BatchChangedError):
            logger.exception(
                "Publishing a batch of due posts in %s %s failed, retrying them one by one", source, task_id
            )
            published |= _due_publish_one_by_one(due=due, limit=limit, source=source, task_id=task_id)
            return published
        _published_log(batch, source=source, task_id=task_id)
        published.update(batch)
        # A short batch means the rest is locked by someone else or there is no rest.
        if len(batch) < limit:
            return published


def _due_publish_one_by_one(*, due: Q, limit: int, source: str, task_id: str | None) -> set[int]:
    """Publish the next `limit` due posts each in its own transaction, so one failing post holds back no other.

    The posts that still fail stay scheduled for the next sweep.
    """
    candidates = list(
        Post.objects.scheduled().filter(due).order_by("publish_at", "pk").values_list("pk", flat=True)[:limit]
    )
    published: set[int] = set()
    for post_id in candidates:
        try:
            batch = _posts_publish(due=due & Q(pk=post_id), limit=1, skip_locked=True, notify=True)
        except OperationalError:
            raise
        except (DatabaseError, BatchChangedError):
            logger.exception("Publishing due post %s in %s %s failed", post_id, source, task_id)
            continue
        _published_log(batch, source=source, task_id=task_id)
        published.update(batch)
    return published


# Entry points.


def post_publish(
    *,
    post_id: int,
    expected_publish_at: datetime | None = None,
    now: datetime | None = None,
    task_id: str | None = None,
) -> bool:
    """Publish a scheduled post whose `publish_at` has come, with every other post due by then.

    With `expected_publish_at` (the time the task was queued for), a post whose time has
    moved since is left to the task queued for its new time. Many posts are often due in
    the same second, so the first task to run publishes them all in batches, and the tasks
    after it find their post published with one query. Returns whether this call published
    the post. `task_id` goes into the log lines.
    """
    cutoff = now or timezone.now()
    due = Q(pk=post_id, publish_at__lte=cutoff)
    if expected_publish_at is not None:
        due &= Q(publish_at=expected_publish_at)
    if not Post.objects.scheduled().filter(due).exists():
        return False

    published = _due_publish(cutoff=cutoff, limit=PUBLISH_BATCH_SIZE, source="task", task_id=task_id)
    if post_id in published:
        return True

    # The batches skipped the post because another transaction held its lock: a concurrent
    # batch, which publishes it, or an edit. Waiting for that lock publishes the post once
    # the edit commits, unless the edit moved it.
    own = _posts_publish(due=due, limit=1, skip_locked=False, notify=True)
    _published_log(own, source="task", task_id=task_id)
    return bool(own)


def posts_publish_due(
    *, now: datetime | None = None, limit: int = PUBLISH_BATCH_SIZE, task_id: str | None = None
) -> int:
    """Publish every scheduled post whose `publish_at` is at or before `now`; return how many.

    This sweep catches posts whose task was lost or never ran (a worker down at the time,
    a broker that was unreachable). It publishes `limit` posts per transaction, oldest
    `publish_at` first, until no due post is left that another transaction has not locked.
    """
    return len(_due_publish(cutoff=now or timezone.now(), limit=limit, source="sweep", task_id=task_id))


def post_publish_now(*, post: Post, user: User) -> Post:
    """Publish a scheduled post at once for its author, and return it loaded for rendering to `user`.

    The caller has checked that `user` is the author (`IsPostAuthor`). A post that is
    already published, by its schedule or an earlier call, is returned unchanged, so a
    retried request is harmless. The author gets no `post_published` notification, because
    publishing was their own action. Raises NotFound if the post was deleted meanwhile.
    """
    if post.status != Post.Status.SCHEDULED:
        return post
    if _posts_publish(due=Q(pk=post.pk), limit=1, skip_locked=False, notify=False):
        logger.info("Published scheduled post %s early at the request of user %s", post.pk, user.pk)

    current = post_queryset(viewer=user).filter(pk=post.pk).first()
    if current is None:
        raise NotFound(f"Post {post.pk} not found.")
    return current


def scheduled_post_list(*, user: User) -> QuerySet[Post]:
    """Return the query of `user`'s own scheduled posts, with what the post shape needs loaded."""
    return post_queryset(viewer=user).filter(author_id=user.pk, status=Post.Status.SCHEDULED)
