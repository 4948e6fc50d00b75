"""Measure the per-request costs in one process and print them: `python -m apps.bench.overhead`.

Runs against a database that `scripts/bench.py` (or `manage.py seed`) has seeded, named by
DATABASE_URL as for the server. Without DATABASE_URL it reads the small preset's SQLite file
under bench-results/var.
Each figure is the median of several rounds of back-to-back calls, in microseconds of wall
time in this process, with no server and no network: the ASGI rows call the application
directly. It measures the pieces that wrk cannot separate: a thread hop, the token lookup,
the middleware stack, adrf's request handling, and the feed page's query and rendering.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench-results' / 'var' / 'bench-small.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["BENCH_ENDPOINTS"] = "1"
os.environ["API_THROTTLING"] = "off"

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from asgiref.sync import ThreadSensitiveContext, sync_to_async  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.test import APIRequestFactory  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.selectors import token_authenticate  # noqa: E402
from apps.accounts.services import token_create  # noqa: E402
from apps.feed import selectors  # noqa: E402
from apps.feed.models import Post  # noqa: E402
from apps.feed.serializers import PostSerializer, post_page_data  # noqa: E402

ROUNDS = 5


def measure(function: Callable[[], object], calls: int) -> float:
    """Return the median over ROUNDS of the mean time of one call, in microseconds."""
    function()
    means = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        means.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(means)


async def measure_async(function: Callable[[], Awaitable[object]], calls: int) -> float:
    """Return the median over ROUNDS of the mean time of one awaited call, in microseconds."""
    await function()
    means = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(calls):
            await function()
        means.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(means)


async def asgi_get(application: Callable, path: str, token: str | None) -> int:
    """Send one GET through the ASGI application and return the response status."""
    headers = [(b"host", b"127.0.0.1")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    messages: list[dict] = []
    bodies = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict:
        if bodies:
            return bodies.pop()
        # After the body Django waits for a disconnect, and cancels the wait when it has responded.
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        messages.append(message)

    await application(scope, receive, send)
    return messages[0]["status"]


async def hop() -> None:
    """Make one thread-sensitive `sync_to_async` call in a new thread context, as Django does per request."""
    async with ThreadSensitiveContext():
        await sync_to_async(lambda: None)()


def median_reader() -> User:
    """Return the seeded account that follows the median number of accounts, as the feed row of the benchmark does."""
    regular = User.objects.filter(username__startswith="user")
    median = regular.order_by("following_count", "id").values_list("following_count", flat=True)[regular.count() // 2]
    return regular.filter(following_count=median).order_by("id").first()


async def http_rows(token: str, calls: int) -> list[tuple[str, float]]:
    from asgi import application

    rows = [("one sync_to_async hop in its own thread context", await measure_async(hop, calls))]
    for label, path, key in (
        ("GET /healthz through the ASGI app (middleware, no view work)", "/healthz", None),
        ("GET framework floor through the ASGI app (adrf, token lookup)", "/api/v1/bench/floor", token),
        ("GET /api/v1/feed through the ASGI app", "/api/v1/feed", token),
    ):
        status = await asgi_get(application, path, key)
        if status != 200:
            raise SystemExit(f"overhead: {path} returned {status}, expected 200: seed the database (manage.py seed)")
        rows.append((label, await measure_async(lambda path=path, key=key: asgi_get(application, path, key), calls)))
    return rows


def feed_rows(reader: User, token: str, calls: int) -> list[tuple[str, float]]:
    request = Request(APIRequestFactory().get("/api/v1/feed"))
    source = selectors.FeedRows(reader)
    orm_query = lambda: list(  # noqa: E731
        selectors.post_rows(selectors.feed_list(user=reader)).order_by(*selectors.POST_ORDERING)[:21]
    )
    rows = source.fetch(None, reverse=False, limit=21)[:20]
    posts = list(selectors.post_queryset(viewer=reader).filter(pk__in=[row["id"] for row in rows]))
    return [
        ("token lookup (token_authenticate)", measure(lambda: token_authenticate(token), calls)),
        ("feed page query, written-out SQL (FeedRows)", measure(lambda: source.fetch(None, reverse=False, limit=21), calls)),
        ("feed page query through the ORM, built and compiled", measure(orm_query, calls)),
        ("render 20 posts with post_page_data", measure(lambda: post_page_data(rows, {}, request), calls)),
        (
            "render 20 posts with PostSerializer",
            measure(lambda: PostSerializer(posts, many=True, context={"request": request}).data, calls),
        ),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per round (default: 200)")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)

    if not Post.objects.exists():
        print("overhead: the database has no posts; seed it first (manage.py seed --preset small)", file=sys.stderr)
        return 2
    reader = median_reader()
    token = token_create(user=reader, user_agent="overhead")[1]
    rows = feed_rows(reader, token, args.calls)
    rows += asyncio.run(http_rows(token, args.calls))

    print(f"Per-request costs, {args.calls} calls x {ROUNDS} rounds, median; reader {reader.username} "
          f"({reader.following_count} followees); database {os.environ['DATABASE_URL'].split('@')[-1]}")
    print()
    print("| piece | µs per call |")
    print("| --- | --- |")
    for label, micros in rows:
        print(f"| {label} | {micros:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
