"""Publishing scheduled posts: queueing the Celery task, the publish step and the periodic sweep.

A post goes from `scheduled` to `published` through one conditional UPDATE, never a read
followed by a write. The task queued for `publish_at`, the sweep run by beat and the
publish-now endpoint may race for the same post. Only the one whose UPDATE hits the row
applies the counts and the notification, so a post is published exactly once.
"""

import logging
from datetime import datetime

from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import KombuError
from rest_framework.exceptions import NotFound

from apps.accounts.models import User
from apps.engagement.models import Notification
from apps.engagement.notifications import notification_create

from .models import Post
from .selectors import post_queryset

logger = logging.getLogger(__name__)

# Due posts read per query of the sweep. Each is still published in its own transaction.
SWEEP_BATCH_SIZE = 100


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


def _publish(*, post_id: int, due: Q, notify: bool) -> Post | None:
    """Switch one post from scheduled to published if `due` still holds, and apply the side effects.

    Returns the post when this call published it, None when the row was not scheduled and
    due any more (moved, deleted, or published by someone else first).
    """
    with transaction.atomic():
        published_at = timezone.now()
        updated = Post.objects.filter(due, pk=post_id, status=Post.Status.SCHEDULED).update(
            status=Post.Status.PUBLISHED, publish_at=published_at
        )
        if not updated:
            return None

        from .services import post_counts_apply

        post = Post.objects.get(pk=post_id)
        post_counts_apply(post=post, delta=+1)
        if notify:
            notification_create(recipient_id=post.author_id, type=Notification.Type.POST_PUBLISHED, post_id=post.pk)
    return post


def post_publish(
    *,
    post_id: int,
    expected_publish_at: datetime | None = None,
    now: datetime | None = None,
    task_id: str | None = None,
) -> Post | None:
    """Publish a scheduled post whose `publish_at` has come, and notify its author.

    With `expected_publish_at` (the time the task was queued for), a post whose time has
    moved since is left to the task queued for its new time. Returns the post if this call
    published it, else None. `task_id` only goes into the log line.
    """
    due = Q(publish_at__lte=now or timezone.now())
    if expected_publish_at is not None:
        due &= Q(publish_at=expected_publish_at)

    post = _publish(post_id=post_id, due=due, notify=True)
    if post is not None:
        logger.info("Published scheduled post %s in task %s", post_id, task_id)
    return post


def posts_publish_due(*, now: datetime | None = None, task_id: str | None = None) -> int:
    """Publish every scheduled post whose `publish_at` is at or before `now`; return how many.

    This sweep catches posts whose task was lost or never ran (a worker down at the time,
    a broker that was unreachable). It walks the due posts in `publish_at, id` order in
    batches and publishes each through the same conditional update as the task.
    """
    cutoff = now or timezone.now()
    due = Q(publish_at__lte=cutoff)
    published = 0
    last: tuple[datetime, int] | None = None

    while True:
        candidates = Post.objects.scheduled().filter(due)
        if last is not None:
            candidates = candidates.filter(Q(publish_at__gt=last[0]) | Q(publish_at=last[0], pk__gt=last[1]))
        batch = list(candidates.order_by("publish_at", "pk").values_list("publish_at", "pk")[:SWEEP_BATCH_SIZE])

        for _, post_id in batch:
            try:
                post = _publish(post_id=post_id, due=due, notify=True)
            except DatabaseError:
                # One failing row must not hold back the others, and the next sweep retries it.
                logger.exception("Publishing due post %s in sweep %s failed", post_id, task_id)
                continue
            if post is not None:
                published += 1
                logger.info("Published scheduled post %s in sweep %s", post_id, task_id)

        if len(batch) < SWEEP_BATCH_SIZE:
            return published
        last = batch[-1]


def post_publish_now(*, post: Post, user: User) -> Post:
    """Publish a scheduled post at once for its author, and return it loaded for rendering to `user`.

    The caller has checked that `user` is the author (`IsPostAuthor`). A post that is
    already published, by its schedule or an earlier call, is returned unchanged, so a
    retried request is harmless. The author gets no `post_published` notification, because
    publishing was their own action. Raises NotFound if the post was deleted meanwhile.
    """
    if post.status != Post.Status.SCHEDULED:
        return post
    if _publish(post_id=post.pk, due=Q(), notify=False) is not None:
        logger.info("Published scheduled post %s early at the request of user %s", post.pk, user.pk)

    current = post_queryset(viewer=user).filter(pk=post.pk).first()
    if current is None:
        raise NotFound(f"Post {post.pk} not found.")
    return current


def scheduled_post_list(*, user: User) -> QuerySet[Post]:
    """Return the query of `user`'s own scheduled posts, with what the post shape needs loaded."""
    return post_queryset(viewer=user).filter(author_id=user.pk, status=Post.Status.SCHEDULED)
