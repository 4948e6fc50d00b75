"""WebSocket fan-out probe: `python -m apps.bench.ws_probe --base-url URL --output FILE`.

Opens one notifications socket for each of `--listeners` seeded users and measures the
server's memory per idle socket. Then fresh actor accounts like the listeners' posts at a
fixed rate, through `--action-url` when given: another server process, so that each event
crosses the channel layer. For each notification it records the time from the like's HTTP response to the
listener's frame, and counts the notifications stored in the inbox that no frame delivered.
Afterwards it unlikes through the API (so stored counts stay exact) and deletes its accounts.
"""

import argparse
import asyncio
import json
import math
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db.models import Max  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from apps.accounts.models import AuthToken, User  # noqa: E402
from apps.accounts.services import token_create  # noqa: E402
from apps.engagement.models import Notification  # noqa: E402
from apps.feed.models import Post  # noqa: E402

CONNECT_CONCURRENCY = 50
HTTP_CONNECTIONS = 16


@dataclass
class Listener:
    user_id: int
    post_id: int
    token: str
    socket: ClientConnection | None = None


@dataclass
class Run:
    """Observations of one probe run, keyed so that frames can be matched with the likes that caused them."""

    # (recipient id, actor id, post id) -> perf_counter time of the like's response.
    responded: dict[tuple[int, int, int], float] = field(default_factory=dict)
    sent: dict[tuple[int, int, int], float] = field(default_factory=dict)
    # notification id -> perf_counter time the frame arrived.
    received: dict[int, float] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    frames: int = 0


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def _listeners(count: int) -> list[Listener]:
    """Return seeded users with a published post, each with a new token and their newest post."""
    users = list(
        User.objects.filter(username__startswith="user", posts_count__gt=0).order_by("id").values_list("id", flat=True)[:count]
    )
    listeners = []
    for user_id in users:
        post_id = (
            Post.objects.filter(author_id=user_id, status=Post.Status.PUBLISHED).order_by("-publish_at", "-id").values_list("id", flat=True).first()
        )
        _, key = token_create(user=User(pk=user_id), user_agent="bench-ws")
        listeners.append(Listener(user_id=user_id, post_id=post_id, token=key))
    return listeners


def _actors(count: int) -> list[tuple[int, str]]:
    """Create `count` fresh accounts that have liked nothing, and return (id, token) pairs."""
    run = uuid.uuid4().hex[:8]
    password = make_password(None)
    actors = []
    for index in range(count):
        username = f"bench_actor_{run}_{index}"
        user = User.objects.create(username=username, email=f"{username}@example.com", password=password)
        actors.append((user.pk, token_create(user=user, user_agent="bench-ws")[1]))
    return actors


async def _receive(listener: Listener, run: Run) -> None:
    assert listener.socket is not None
    async for message in listener.socket:
        arrived = time.perf_counter()
        run.frames += 1
        frame = json.loads(message)
        if frame.get("event") == "notification":
            run.received.setdefault(frame["notification"]["id"], arrived)


async def _open(listeners: list[Listener], ws_url: str) -> None:
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one(listener: Listener) -> None:
        async with limit:
            listener.socket = await connect(
                ws_url,
                additional_headers={"Authorization": f"Bearer {listener.token}"},
                ping_interval=None,
                open_timeout=60,
                max_queue=None,
            )

    await asyncio.gather(*(open_one(listener) for listener in listeners))


async def _drive(
    base_url: str, listeners: list[Listener], actors: list[tuple[int, str]], actions: int, rate: float, run: Run
) -> None:
    """Send `actions` likes at `rate` per second, open loop: each starts on schedule whatever the others do."""
    limits = httpx.Limits(max_connections=HTTP_CONNECTIONS, max_keepalive_connections=HTTP_CONNECTIONS)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def like(index: int) -> None:
            listener = listeners[index % len(listeners)]
            actor_id, token = actors[index // len(listeners)]
            key = (listener.user_id, actor_id, listener.post_id)
            run.sent[key] = time.perf_counter()
            response = await client.post(f"/api/v1/posts/{listener.post_id}/like", headers={"Authorization": f"Bearer {token}"})
            run.responded[key] = time.perf_counter()
            run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        tasks = []
        for index in range(actions):
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(like(index)))
        await asyncio.gather(*tasks)


async def _unlike(base_url: str, listeners: list[Listener], actors: list[tuple[int, str]], actions: int) -> None:
    limits = httpx.Limits(max_connections=HTTP_CONNECTIONS)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        limit = asyncio.Semaphore(HTTP_CONNECTIONS)

        async def unlike(index: int) -> None:
            listener = listeners[index % len(listeners)]
            _, token = actors[index // len(listeners)]
            async with limit:
                await client.delete(f"/api/v1/posts/{listener.post_id}/like", headers={"Authorization": f"Bearer {token}"})

        await asyncio.gather(*(unlike(index) for index in range(actions)))


async def _probe(args: argparse.Namespace, listeners: list[Listener], actors: list[tuple[int, str]], run: Run) -> dict:
    ws_url = args.base_url.replace("http://", "ws://", 1) + "/ws/notifications"
    # One socket opened and closed first, so the baseline includes the code and caches
    # that any socket loads, and the difference is what each further socket costs.
    await _open(listeners[:1], ws_url)
    await listeners[0].socket.close()
    await asyncio.sleep(1)
    rss_before = _rss_kb(args.server_pid)
    opened = time.perf_counter()
    await _open(listeners, ws_url)
    open_seconds = time.perf_counter() - opened
    await asyncio.sleep(args.settle)
    rss_idle = _rss_kb(args.server_pid)

    receivers = [asyncio.create_task(_receive(listener, run)) for listener in listeners]
    await _drive(args.action_url or args.base_url, listeners, actors, args.actions, args.rate, run)
    deadline = time.perf_counter() + args.drain
    while len(run.received) < len(run.responded) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    for listener in listeners:
        await listener.socket.close()
    await asyncio.gather(*receivers, return_exceptions=True)
    return {
        "open_seconds": round(open_seconds, 2),
        "rss_before_kb": rss_before,
        "rss_idle_kb": rss_idle,
        "kb_per_connection": round((rss_idle - rss_before) / len(listeners), 1),
    }


def _percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * percent / 100) - 1)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the Daphne server, e.g. http://127.0.0.1:8601")
    parser.add_argument("--server-pid", type=int, required=True, help="process id of that server, for its memory")
    parser.add_argument(
        "--action-url", help="the server that receives the likes (default: --base-url); another process tests the shared layer"
    )
    parser.add_argument("--listeners", type=int, default=1000, help="sockets, one per seeded user (default: 1000)")
    parser.add_argument("--actions", type=int, default=1000, help="likes sent in all (default: 1000)")
    parser.add_argument("--rate", type=float, default=50.0, help="likes per second (default: 50)")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds idle before measuring memory (default: 5)")
    parser.add_argument("--drain", type=float, default=15.0, help="seconds to wait for late frames (default: 15)")
    parser.add_argument("--output", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args(argv)

    before_id = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    listeners = _listeners(args.listeners)
    if not listeners:
        raise SystemExit("No seeded user has a published post: run `manage.py seed` first.")
    actors = _actors(math.ceil(args.actions / len(listeners)))
    run = Run()
    try:
        memory = asyncio.run(_probe(args, listeners, actors, run))
        # Read before unliking, which deletes these notifications again.
        inbox = list(
            Notification.objects.filter(
                id__gt=before_id,
                recipient_id__in=[listener.user_id for listener in listeners],
                actor_id__in=[actor_id for actor_id, _ in actors],
                type=Notification.Type.LIKE,
            ).values_list("id", "recipient_id", "actor_id", "post_id")
        )
        asyncio.run(_unlike(args.base_url, listeners, actors, args.actions))
    finally:
        AuthToken.objects.filter(user_agent="bench-ws").delete()
        User.objects.filter(pk__in=[actor_id for actor_id, _ in actors]).delete()

    from_response = []
    from_request = []
    for notification_id, recipient_id, actor_id, post_id in inbox:
        arrived = run.received.get(notification_id)
        key = (recipient_id, actor_id, post_id)
        if arrived is not None and key in run.responded:
            from_response.append((arrived - run.responded[key]) * 1000)
            from_request.append((arrived - run.sent[key]) * 1000)
    result = {
        "listeners": len(listeners),
        "actions": args.actions,
        "rate": args.rate,
        "statuses": run.statuses,
        "inbox": len(inbox),
        "delivered": len(from_response),
        "lost": len(inbox) - len(from_response),
        "frames": run.frames,
        "p50_ms": _percentile(from_response, 50),
        "p99_ms": _percentile(from_response, 99),
        "max_ms": _percentile(from_response, 100),
        "p99_from_request_ms": _percentile(from_request, 99),
        "frame_before_response": sum(1 for value in from_response if value < 0),
        **memory,
    }
    args.output.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
