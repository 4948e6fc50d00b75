"""Writes of posts, media and hashtags, and the stored counts that follow them.

Every write takes its row locks in one order, so concurrent writes wait instead of
deadlocking: the post row, then media rows, then the author's user row, then hashtag
rows in primary-key order. A post's PostHashtag rows are written only while the post row is
locked or just inserted. Counts change with F() updates in the same transaction as the
rows they count, and only published posts are counted.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from rest_framework.exceptions import NotFound

from apps.accounts.models import User
from apps.engagement.notifications import notification_delete
from project.exceptions import validation_error
from project.images import CleanImage

from .hashtags import hashtags_extract
from .models import Hashtag, Heartbeat, Media, Post, PostHashtag
from .scheduling import post_schedule_enqueue

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT_NAME = "celery-beat"
MAX_MEDIA_PER_POST = 4


def beat_heartbeat_record() -> None:
    """Store the time Celery beat last triggered a task."""
    Heartbeat.objects.update_or_create(name=BEAT_HEARTBEAT_NAME, defaults={"beat_at": timezone.now()})


def beat_heartbeat_age() -> timedelta | None:
    """Return how long ago beat last ran, or None if it never has."""
    beat_at = Heartbeat.objects.filter(name=BEAT_HEARTBEAT_NAME).values_list("beat_at", flat=True).first()
    return None if beat_at is None else timezone.now() - beat_at


# Media.


def media_create(*, owner: User, image: CleanImage, description: str = "") -> Media:
    """Store an uploaded picture that `image_clean` has checked, not yet attached to a post."""
    return Media.objects.create(
        owner=owner, file=image.file, width=image.width, height=image.height, description=description
    )


def _files_delete_on_commit(names: Iterable[str]) -> None:
    """Remove stored files once the transaction that deleted their rows commits."""
    names = [name for name in names if name]
    if not names:
        return
    storage = Media._meta.get_field("file").storage

    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Deleting the media file %s failed", name, exc_info=True)

    transaction.on_commit(delete)


def _media_claim(*, owner: User, media_ids: Sequence[int], post: Post | None = None) -> list[Media]:
    """Lock and return the media to attach, in the order of `media_ids`.

    Each must belong to `owner` and be attached to no post (or to `post` itself, on edit).
    Anything else gets the same 400, which reveals nothing about other users' media.
    """
    if not media_ids:
        return []
    attachable = Q(post__isnull=True) | Q(post=post) if post is not None else Q(post__isnull=True)
    found = {
        media.pk: media
        for media in Media.objects.select_for_update().filter(attachable, pk__in=media_ids, owner=owner).order_by("pk")
    }
    missing = [media_id for media_id in media_ids if media_id not in found]
    if missing:
        listed = ", ".join(str(media_id) for media_id in missing)
        raise validation_error(
            "media_ids",
            f"Media {listed} cannot be attached: use ids from your own POST /media uploads that no other post uses.",
            "invalid_media",
        )
    return [found[media_id] for media_id in media_ids]


def _media_attach(*, post: Post, media: list[Media]) -> None:
    for position, item in enumerate(media):
        item.post = post
        item.position = position
    Media.objects.bulk_update(media, ["post", "position"])


# Hashtags and counts.


def _hashtag_ids(names: Iterable[str]) -> dict[str, int]:
    """Return the ids of the hashtags named, creating the missing ones."""
    names = sorted(set(names))
    if not names:
        return {}
    # Sorted inserts, so two transactions creating the same new tags wait instead of deadlocking.
    Hashtag.objects.bulk_create([Hashtag(name=name) for name in names], ignore_conflicts=True)
    return dict(Hashtag.objects.filter(name__in=names).values_list("name", "pk"))


def _hashtag_counts_add(deltas: dict[int, int]) -> None:
    """Add `deltas[hashtag_id]` to each hashtag's `posts_count`, locking the rows in id order."""
    deltas = {hashtag_id: delta for hashtag_id, delta in deltas.items() if delta}
    if not deltas:
        return
    list(Hashtag.objects.select_for_update().filter(pk__in=deltas).order_by("pk").values_list("pk", flat=True))
    by_delta: dict[int, list[int]] = defaultdict(list)
    for hashtag_id, delta in deltas.items():
        by_delta[delta].append(hashtag_id)
    for delta, hashtag_ids in by_delta.items():
        Hashtag.objects.filter(pk__in=hashtag_ids).update(posts_count=F("posts_count") + delta)


def post_counts_apply(*, post: Post, delta: int) -> None:
    """Add `delta` (+1 or -1) to the author's `posts_count` and to each of the post's hashtags.

    Call it inside the transaction that publishes (+1) or deletes (-1) a published post.
    """
    User.objects.filter(pk=post.author_id).update(posts_count=F("posts_count") + delta)
    hashtag_ids = PostHashtag.objects.filter(post_id=post.pk).values_list("hashtag_id", flat=True)
    _hashtag_counts_add({hashtag_id: delta for hashtag_id in hashtag_ids})


def _post_hashtags_set(*, post: Post, names: list[str]) -> tuple[list[int], list[int]]:
    """Make the post's hashtag rows match `names`; return the ids added and removed.

    New rows copy the post's current `status` and `publish_at`. Counts are left to the
    caller, because only published posts are counted.
    """
    current = dict(PostHashtag.objects.filter(post=post).values_list("hashtag__name", "hashtag_id"))
    added_ids = list(_hashtag_ids(name for name in names if name not in current).values())
    removed_ids = [hashtag_id for name, hashtag_id in current.items() if name not in names]

    if removed_ids:
        PostHashtag.objects.filter(post=post, hashtag_id__in=removed_ids).delete()
    PostHashtag.objects.bulk_create(
        [
            PostHashtag(post=post, hashtag_id=hashtag_id, status=post.status, publish_at=post.publish_at)
            for hashtag_id in added_ids
        ]
    )
    post.hashtags = names
    return added_ids, removed_ids


# Posts.


def _scheduled_limit_check(*, author: User) -> None:
    """Raise a 400 naming `publish_at` when the author already has MAX_SCHEDULED_POSTS scheduled posts."""
    # The user row lock makes concurrent schedules of one author count one after another.
    # NO KEY UPDATE, so it does not block the key-share locks that inserting posts takes.
    User.objects.select_for_update(no_key=True).filter(pk=author.pk).values_list("pk", flat=True).first()
    limit = settings.MAX_SCHEDULED_POSTS
    if Post.objects.scheduled().filter(author=author).count() >= limit:
        raise validation_error(
            "publish_at",
            f"You already have {limit} scheduled posts, the maximum: publish or delete one first.",
            "too_many_scheduled",
        )


def _text_or_media_required(*, text: str, has_media: bool) -> None:
    if not text and not has_media:
        raise validation_error("text", "Write some text or attach at least one picture.", "blank")


def post_create(*, author: User, text: str, media_ids: Sequence[int] = (), publish_at: datetime | None = None) -> Post:
    """Create a post, published now or, with `publish_at`, scheduled for that time.

    `text` is already normalised; `publish_at`, if given, is in the future. Raises a 400
    naming the field for text and media both empty, media that are not attachable, or one
    scheduled post over MAX_SCHEDULED_POSTS.
    """
    _text_or_media_required(text=text, has_media=bool(media_ids))
    now = timezone.now()
    with transaction.atomic():
        media = _media_claim(owner=author, media_ids=media_ids)
        if publish_at is not None:
            _scheduled_limit_check(author=author)

        post = Post.objects.create(
            author=author,
            text=text,
            status=Post.Status.PUBLISHED if publish_at is None else Post.Status.SCHEDULED,
            publish_at=publish_at or now,
            created_at=now,
            hashtags=hashtags_extract(text),
            has_media=bool(media),
        )
        _media_attach(post=post, media=media)
        _post_hashtags_set(post=post, names=post.hashtags)

        if post.status == Post.Status.PUBLISHED:
            post_counts_apply(post=post, delta=+1)
        else:
            transaction.on_commit(lambda: post_schedule_enqueue(post_id=post.pk, publish_at=post.publish_at))
    return post


def _post_lock(post_id: int) -> Post:
    post = Post.objects.select_for_update().filter(pk=post_id).first()
    if post is None:
        raise NotFound(f"Post {post_id} not found.")
    return post


def post_update(
    *,
    post_id: int,
    text: str | None = None,
    media_ids: Sequence[int] | None = None,
    publish_at: datetime | None = None,
) -> Post:
    """Edit a post's text, media and, while it is scheduled, `publish_at`; None leaves a field as it is.

    Media left out of a new `media_ids` are deleted with their files. A published post whose
    text or media change gets `edited_at`. Raises a 400 naming the field for an empty post,
    media that are not attachable, or a new `publish_at` on a published post.
    """
    with transaction.atomic():
        post = _post_lock(post_id)
        update_fields: list[str] = []

        moved = False
        if publish_at is not None and publish_at != post.publish_at:
            if post.status != Post.Status.SCHEDULED:
                raise validation_error(
                    "publish_at", "This post is already published, so its publish_at cannot change.", "published"
                )
            post.publish_at = publish_at
            update_fields.append("publish_at")
            moved = True

        media_changed = False
        if media_ids is not None:
            media = _media_claim(owner=post.author, media_ids=media_ids, post=post)
            current = list(post.media.order_by("position", "pk").values_list("pk", "file"))
            media_changed = [pk for pk, _ in current] != list(media_ids)
            dropped = [(pk, name) for pk, name in current if pk not in set(media_ids)]
            if dropped:
                Media.objects.filter(pk__in=[pk for pk, _ in dropped]).delete()
                _files_delete_on_commit(name for _, name in dropped)
            _media_attach(post=post, media=media)
            post.has_media = bool(media)
            update_fields.append("has_media")

        text_changed = text is not None and text != post.text
        if text_changed:
            post.text = text
            added_ids, removed_ids = _post_hashtags_set(post=post, names=hashtags_extract(text))
            if post.status == Post.Status.PUBLISHED:
                _hashtag_counts_add({**{pk: +1 for pk in added_ids}, **{pk: -1 for pk in removed_ids}})
            update_fields += ["text", "hashtags"]
        _text_or_media_required(text=post.text, has_media=post.has_media)

        if post.status == Post.Status.PUBLISHED and (text_changed or media_changed):
            post.edited_at = timezone.now()
            update_fields.append("edited_at")
        if update_fields:
            post.save(update_fields=update_fields)
        if moved:
            # Rows that `_post_hashtags_set` added above have the new time already.
            PostHashtag.objects.filter(post_id=post.pk).update(publish_at=post.publish_at)
            transaction.on_commit(lambda: post_schedule_enqueue(post_id=post.pk, publish_at=post.publish_at))
    return post


def post_delete(*, post_id: int) -> None:
    """Delete a post with its media files, likes, comments and notifications, keeping counts exact.

    The notifications are deleted first through `notification_delete`, so the recipients'
    sockets get `notification_deleted`; the cascade would remove them silently.
    """
    with transaction.atomic():
        post = _post_lock(post_id)
        notification_delete(post_id=post.pk)
        notification_delete(comment__post_id=post.pk)
        if post.status == Post.Status.PUBLISHED:
            post_counts_apply(post=post, delta=-1)
        names = list(Media.objects.filter(post=post).values_list("file", flat=True))
        post.delete()
        _files_delete_on_commit(names)
    logger.info("Deleted post %s of user %s", post_id, post.author_id)


def posts_delete_for_user(*, user: User) -> int:
    """Delete every post and upload of `user`, as `post_delete` does for one; return how many posts.

    For account deletion: run it in the same transaction that deletes the user.
    """
    with transaction.atomic():
        statuses = list(
            Post.objects.select_for_update().filter(author=user).order_by("pk").values_list("status", flat=True)
        )
        if not statuses and not Media.objects.filter(owner=user).exists():
            return 0
        notification_delete(post__author=user)
        notification_delete(comment__post__author=user)

        published = statuses.count(Post.Status.PUBLISHED)
        if published:
            User.objects.filter(pk=user.pk).update(posts_count=F("posts_count") - published)
            per_hashtag = (
                PostHashtag.objects.filter(post__author=user, post__status=Post.Status.PUBLISHED)
                .values("hashtag_id")
                .annotate(posts=Count("id"))
                .values_list("hashtag_id", "posts")
            )
            _hashtag_counts_add({hashtag_id: -posts for hashtag_id, posts in per_hashtag})

        names = list(Media.objects.filter(owner=user).values_list("file", flat=True))
        Media.objects.filter(owner=user).delete()
        Post.objects.filter(author=user).delete()
        _files_delete_on_commit(names)
    logger.info("Deleted %s posts of user %s", len(statuses), user.pk)
    return len(statuses)
