"""Prepare one benchmark database and describe it as JSON: `python -m apps.bench.prepare --output FILE`.

Runs in its own process with the environment of the servers it prepares for (DATABASE_URL,
REDIS_URL, BENCH_ENDPOINTS=1): migrates, seeds unless the seeded probe accounts are already
there, creates bearer tokens, builds cursors deep into the posts list and the feed, and
counts the SQL queries of one request to each benchmarked endpoint in process.
"""

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q, QuerySet  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from apps.accounts.models import Follow, User  # noqa: E402
from apps.accounts.services import token_create  # noqa: E402
from apps.bench.seed_data import HEAVY_READER, LIGHT_READER, PRESETS  # noqa: E402
from apps.feed.models import Post  # noqa: E402
from apps.feed.selectors import POST_ORDERING  # noqa: E402
from project.pagination import CursorPagination  # noqa: E402
from project.views import not_found  # noqa: E402

# The depth of the deep-page rows; smaller data sets use 90 % of what they have.
DEEP_PAGE_POSTS = 100_000


@dataclass
class Endpoint:
    """One benchmarked request: the path with its query string, and the account whose token it sends."""

    key: str
    label: str
    path: str
    role: str
    is_list: bool
    exists: bool = False
    status: int | None = None
    queries: int | None = None


def _database_create_if_missing() -> None:
    """Create the PostgreSQL database that DATABASE_URL names when the server does not have it yet."""
    if connection.vendor != "postgresql":
        return
    import psycopg
    from psycopg import sql

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params = {key: value for key, value in params.items() if key in ("host", "port", "user", "password", "sslmode")}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", file=sys.stderr)


def _seed_if_needed(preset: str, seed: int, reseed: bool) -> bool:
    """Seed the database unless it already contains this preset's users with the probe accounts; return whether it seeded."""
    expected_users = PRESETS[preset].users
    present = User.objects.filter(username__in=[HEAVY_READER, LIGHT_READER]).count() == 2
    if not reseed and present and User.objects.filter(username__startswith="user").count() == expected_users - 2:
        return False
    call_command("seed", preset=preset, seed=seed, flush=True, stdout=sys.stderr)
    return True


def _users() -> dict[str, User]:
    """Return the accounts the benchmark reads as: the probes, a median reader and the most followed."""
    regular = User.objects.filter(username__startswith="user")
    median = regular.order_by("following_count", "id").values_list("following_count", flat=True)[regular.count() // 2]
    return {
        "heavy": User.objects.get(username=HEAVY_READER),
        "light": User.objects.get(username=LIGHT_READER),
        "typical": regular.filter(following_count=median).order_by("id").first(),
        "celebrity": regular.order_by("-followers_count", "id").first(),
    }


def _cursor_path(path: str, queryset: QuerySet[Post], depth: int) -> str:
    """Return `path` with the cursor that starts a page right after the first `depth` rows of `queryset`."""
    row = queryset.order_by(*POST_ORDERING)[depth - 1]
    # The paginator's own `next` link for a page that ends at `row`, so the cursor is
    # encoded exactly as the API encodes it.
    paginator = CursorPagination(POST_ORDERING)
    paginator.base_url = path
    paginator.page = [row]
    paginator.has_next = True
    return paginator.get_next_link()


def _feed_queryset(user: User) -> QuerySet[Post]:
    followees = Follow.objects.filter(follower_id=user.pk).values("followee_id")
    return Post.objects.filter(Q(author_id=user.pk) | Q(author_id__in=followees), status=Post.Status.PUBLISHED)


def _endpoints(users: dict[str, User]) -> tuple[list[Endpoint], dict[str, int]]:
    published = Post.objects.filter(status=Post.Status.PUBLISHED)
    popular = published.order_by("-likes_count", "-id").first()
    celebrity = users["celebrity"].username
    deep = {
        "posts": min(DEEP_PAGE_POSTS, int(published.count() * 0.9)),
        "feed": min(DEEP_PAGE_POSTS, int(_feed_queryset(users["heavy"]).count() * 0.9)),
    }
    hashtag = quote("café")
    endpoints = [
        Endpoint("floor", "framework floor (adrf + token auth)", "/api/v1/bench/floor", "typical", False),
        Endpoint("feed", "feed page (median reader)", "/api/v1/feed", "typical", True),
        Endpoint("feed_heavy", f"feed page, {HEAVY_READER}", "/api/v1/feed", "heavy", True),
        Endpoint("feed_light", f"feed page, {LIGHT_READER}", "/api/v1/feed", "light", True),
        Endpoint(
            "feed_deep",
            f"feed {deep['feed']:,} posts deep, {HEAVY_READER}",
            _cursor_path("/api/v1/feed", _feed_queryset(users["heavy"]), deep["feed"]),
            "heavy",
            True,
        ),
        Endpoint("posts", "posts list page 1", "/api/v1/posts", "typical", True),
        Endpoint(
            "posts_deep",
            f"posts list {deep['posts']:,} posts deep",
            _cursor_path("/api/v1/posts", published, deep["posts"]),
            "typical",
            True,
        ),
        Endpoint("post_detail", "post detail (most liked)", f"/api/v1/posts/{popular.pk}", "typical", False),
        Endpoint("profile", "profile (most followed)", f"/api/v1/users/{celebrity}", "typical", False),
        Endpoint("user_posts", "user's posts (most followed)", f"/api/v1/users/{celebrity}/posts", "typical", True),
        Endpoint("hashtag_posts", "hashtag page #café", f"/api/v1/hashtags/{hashtag}/posts", "typical", True),
        Endpoint("hashtags", "hashtags by posts_count", "/api/v1/hashtags?ordering=-posts_count", "typical", True),
        Endpoint("post_search", "posts search ?search=coffee", "/api/v1/posts?search=coffee", "typical", True),
        Endpoint("user_search", "users search ?search=user12", "/api/v1/users?search=user12", "typical", True),
        Endpoint("comments", "comments of the most liked post", f"/api/v1/posts/{popular.pk}/comments", "typical", True),
        Endpoint("likes", "likes of the most liked post", f"/api/v1/posts/{popular.pk}/likes", "typical", True),
        Endpoint("followers", "followers of the most followed", f"/api/v1/users/{celebrity}/followers", "typical", True),
        Endpoint("notifications", "notifications (most followed)", "/api/v1/notifications", "celebrity", True),
    ]
    return endpoints, deep


def _route_exists(path: str) -> bool:
    try:
        return resolve(path.split("?")[0]).func is not not_found
    except Resolver404:
        return False


def _count_queries(endpoints: list[Endpoint], tokens: dict[str, str]) -> None:
    """Request each existing endpoint twice in process and keep the second request's status and query count."""
    client = Client(raise_request_exception=False)
    for endpoint in endpoints:
        endpoint.exists = _route_exists(endpoint.path)
        if not endpoint.exists:
            continue
        headers = {"Authorization": f"Bearer {tokens[endpoint.role]}", "Host": "127.0.0.1"}
        client.get(endpoint.path, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(endpoint.path, headers=headers)
        endpoint.status = response.status_code
        endpoint.queries = len(queries.captured_queries)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reseed", action="store_true", help="seed again even when the data is there")
    parser.add_argument("--output", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args(argv)

    _database_create_if_missing()
    call_command("migrate", interactive=False, verbosity=0)
    seeded = _seed_if_needed(args.preset, args.seed, args.reseed)
    users = _users()
    tokens = {role: token_create(user=user, user_agent="bench")[1] for role, user in users.items()}
    endpoints, deep = _endpoints(users)
    _count_queries(endpoints, tokens)

    description = {
        "vendor": connection.vendor,
        "seeded_now": seeded,
        "rows": {
            "users": User.objects.count(),
            "follows": Follow.objects.count(),
            "posts": Post.objects.count(),
        },
        "users": {
            role: {"username": user.username, "following_count": user.following_count, "token": tokens[role]}
            for role, user in users.items()
        },
        "deep": deep,
        "endpoints": [asdict(endpoint) for endpoint in endpoints],
    }
    args.output.write_text(json.dumps(description, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
