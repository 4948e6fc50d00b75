"""Writes of the follow graph, with `followers_count` and `following_count` kept exact.

A count changes only by the rows a statement really inserted or deleted, in the same
transaction, so concurrent repeats of one request cannot count twice. The database's
unique constraint on the pair decides which insert wins, and a row can be deleted once.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from rest_framework.exceptions import NotFound

from apps.engagement.models import Notification
from apps.engagement.notifications import notification_create, notification_delete
from project.exceptions import validation_error

from .models import Follow, User

logger = logging.getLogger(__name__)


def _follow_counts_add(*, follower_id: int, followee_id: int, delta: int) -> None:
    """Add `delta` to the follower's `following_count` and the followee's `followers_count`.

    The rows are updated in id order, so two of these updates on the same pair of users,
    such as A following B while B follows A, take the row locks in the same order instead
    of deadlocking on each other.
    """
    for user_id in sorted((follower_id, followee_id)):
        if user_id == follower_id:
            User.objects.filter(pk=user_id).update(following_count=F("following_count") + delta)
        else:
            User.objects.filter(pk=user_id).update(followers_count=F("followers_count") + delta)


def follow_create(*, follower: User, followee: User) -> bool:
    """Make `follower` follow `followee` and notify the followee; False if it already did.

    Raises a 400 for following oneself, and NotFound when the followee's account was
    deleted while this request ran.
    """
    if follower.pk == followee.pk:
        raise validation_error("non_field_errors", "You cannot follow yourself.", "invalid")

    with transaction.atomic():
        try:
            # A savepoint, so the unique violation of a repeat leaves the transaction usable.
            with transaction.atomic():
                Follow.objects.create(follower_id=follower.pk, followee_id=followee.pk)
        except IntegrityError:
            if Follow.objects.filter(follower_id=follower.pk, followee_id=followee.pk).exists():
                return False
            # Not a repeat: the foreign key failed because an account is gone.
            raise NotFound("This user no longer exists.") from None
        _follow_counts_add(follower_id=follower.pk, followee_id=followee.pk, delta=1)
        notification_create(recipient_id=followee.pk, type=Notification.Type.FOLLOW, actor_id=follower.pk)
    logger.info("Follow created", extra={"user_id": follower.pk, "followee_id": followee.pk})
    return True


def follow_delete(*, follower: User, followee: User) -> bool:
    """Make `follower` stop following `followee` and delete the notification; False if it did not follow."""
    with transaction.atomic():
        # The count is of rows this transaction's DELETE removed: a concurrent unfollow of
        # the same pair waits for the row lock, then finds nothing to delete.
        deleted, _ = Follow.objects.filter(follower_id=follower.pk, followee_id=followee.pk).delete()
        if not deleted:
            return False
        _follow_counts_add(follower_id=follower.pk, followee_id=followee.pk, delta=-1)
        notification_delete(type=Notification.Type.FOLLOW, recipient_id=followee.pk, actor_id=follower.pk)
    logger.info("Follow deleted", extra={"user_id": follower.pk, "followee_id": followee.pk})
    return True


def follows_delete_for_user(*, user: User) -> None:
    """Delete every follow from and to `user`, lowering the other users' counts, before the account goes.

    Call it inside a transaction that has locked the user's row. The follow rows are locked
    too, so a concurrent unfollow of one of them waits, then deletes nothing and changes
    no count. The follow notifications the user caused are left to
    `engagement_delete_for_user`, which deletes every notification of the user.
    """
    outbound = list(Follow.objects.select_for_update().filter(follower=user).values_list("pk", "followee_id"))
    inbound = list(Follow.objects.select_for_update().filter(followee=user).values_list("pk", "follower_id"))
    Follow.objects.filter(pk__in=[pk for pk, _ in outbound + inbound]).delete()
    User.objects.filter(pk__in=[followee_id for _, followee_id in outbound]).update(
        followers_count=F("followers_count") - 1
    )
    User.objects.filter(pk__in=[follower_id for _, follower_id in inbound]).update(
        following_count=F("following_count") - 1
    )
