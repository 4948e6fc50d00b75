"""Scheduled publishing probe: `python -m apps.bench.schedule_probe --base-url URL --output FILE`.

Creates `--posts` scheduled posts through the API, all due in the same second, then watches
the database until every one is published. It reports the time from the due second until
the last was published. It then waits one more sweep period and checks that none was
published twice, in three ways: each author's `posts_count` must grow by exactly their
number of posts, each post must have one `post_published` notification, and the worker
log must name each post once. The worker and beat are started by the caller. Afterwards
the probe deletes its accounts and their posts.
"""

import argparse
import asyncio
import json
import math
import os
import re
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db.models import Max, Sum  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import token_create  # noqa: E402
from apps.engagement.models import Notification  # noqa: E402
from apps.feed.models import Post  # noqa: E402

CREATE_CONCURRENCY = 8
# Seconds to keep watching once every post is published: longer than the 5 s sweep period, so
# a second publication by the sweep would show in the counts, and the worker has written
# its log lines.
SETTLE_SECONDS = 6.0
PUBLISHED_LOG_LINE = re.compile(r"Published scheduled post (\d+) in (task|sweep)")


def _authors(posts: int) -> list[tuple[User, str]]:
    """Create enough fresh accounts that none exceeds MAX_SCHEDULED_POSTS, with a token each."""
    count = math.ceil(posts / settings.MAX_SCHEDULED_POSTS)
    run = uuid.uuid4().hex[:8]
    password = make_password(None)
    authors = []
    for index in range(count):
        username = f"bench_author_{run}_{index}"
        user = User.objects.create(username=username, email=f"{username}@example.com", password=password)
        authors.append((user, token_create(user=user, user_agent="bench-schedule")[1]))
    return authors


async def _create(base_url: str, authors: list[tuple[User, str]], posts: int, due: datetime) -> tuple[list[int], Counter]:
    """Create `posts` scheduled posts spread over the authors; return their ids and the status counts."""
    ids: list[int] = []
    statuses: Counter = Counter()
    limit = asyncio.Semaphore(CREATE_CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:

        async def create(index: int) -> None:
            _, token = authors[index % len(authors)]
            body = {"text": f"Scheduled post {index} of the benchmark", "publish_at": due.isoformat().replace("+00:00", "Z")}
            async with limit:
                response = await client.post("/api/v1/posts", json=body, headers={"Authorization": f"Bearer {token}"})
            statuses[response.status_code] += 1
            if response.status_code == 201:
                ids.append(response.json()["id"])

        await asyncio.gather(*(create(index) for index in range(posts)))
    return ids, statuses


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the Daphne server, e.g. http://127.0.0.1:8601")
    parser.add_argument("--posts", type=int, default=1000, help="scheduled posts due in the same second (default: 1000)")
    parser.add_argument("--lead", type=float, default=30.0, help="seconds from now to the due time (default: 30)")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds after the due time to keep watching (default: 60)")
    parser.add_argument("--worker-log", type=Path, required=True, help="the Celery worker's log file")
    parser.add_argument("--output", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args(argv)

    authors = _authors(args.posts)
    due = datetime.fromtimestamp(math.ceil(time.time() + args.lead), UTC)
    try:
        created_at = time.time()
        ids, statuses = asyncio.run(_create(args.base_url, authors, args.posts, due))
        create_seconds = time.time() - created_at
        late = time.time() > due.timestamp()

        published = 0
        all_published_after = None
        while time.time() < due.timestamp() + args.wait:
            published = Post.objects.filter(pk__in=ids, status=Post.Status.PUBLISHED).count()
            if ids and published == len(ids):
                all_published_after = time.time() - due.timestamp()
                break
            time.sleep(0.1)
        time.sleep(SETTLE_SECONDS)

        last_publish_at = Post.objects.filter(pk__in=ids, status=Post.Status.PUBLISHED).aggregate(last=Max("publish_at"))["last"]
        posts_count = User.objects.filter(pk__in=[user.pk for user, _ in authors]).aggregate(total=Sum("posts_count"))["total"]
        notifications = Counter(
            Notification.objects.filter(post_id__in=ids, type=Notification.Type.POST_PUBLISHED).values_list("post_id", flat=True)
        )
        mentions = Counter(
            (int(match.group(1)), match.group(2))
            for match in PUBLISHED_LOG_LINE.finditer(args.worker_log.read_text(errors="replace"))
            if int(match.group(1)) in set(ids)
        )
    finally:
        User.objects.filter(pk__in=[user.pk for user, _ in authors]).delete()

    per_post = Counter(post_id for post_id, _ in mentions.elements())
    result = {
        "posts": args.posts,
        "created": len(ids),
        "create_statuses": dict(statuses),
        "create_seconds": round(create_seconds, 1),
        "created_after_due": late,
        "published": published,
        "all_published_after_s": None if all_published_after is None else round(all_published_after, 2),
        "last_publish_at_after_s": None if last_publish_at is None else round(last_publish_at.timestamp() - due.timestamp(), 2),
        "posts_count_delta": posts_count,
        "published_by_task": sum(count for (_, path), count in mentions.items() if path == "task"),
        "published_by_sweep": sum(count for (_, path), count in mentions.items() if path == "sweep"),
        "published_twice": sum(count - 1 for count in per_post.values() if count > 1)
        + sum(count - 1 for count in notifications.values() if count > 1)
        + max(0, (posts_count or 0) - published),
        "notifications": sum(notifications.values()),
    }
    args.output.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
