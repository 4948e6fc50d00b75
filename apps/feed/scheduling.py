"""Publishing scheduled posts: queueing the Celery task and the publish step itself."""

from datetime import datetime


def post_schedule_enqueue(*, post_id: int, publish_at: datetime) -> None:
    """Queue the publishing task of a scheduled post for `publish_at`.

    Call it from `transaction.on_commit` whenever a post becomes scheduled or its
    `publish_at` moves. A task that finds the post moved, published or deleted does nothing.
    """
    # TODO: queue feed.publish_post with an ETA once the publishing tasks exist.
