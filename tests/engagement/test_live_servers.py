"""Live notifications through real Daphne processes, with the `websockets` client library.

The servers listen on free ports in 8301-8309. The single-server test runs on a fresh SQLite
file; the two-server test shares the test run's PostgreSQL database and Redis.
"""

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect

from apps.accounts.services import token_create
from apps.engagement.models import Like
from apps.feed.models import Post
from tests.factories import PostFactory, UserFactory
from tests.live import daphne as daphne_server
from tests.live import manage, server_env

TIMEOUT = 10
PASSWORD = "a long and unusual passphrase"

pytestmark = pytest.mark.slow


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/ws/notifications"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def next_frame(socket_: ClientConnection) -> dict:
    return json.loads(await asyncio.wait_for(socket_.recv(), TIMEOUT))


async def register_and_login(client: httpx.AsyncClient, username: str) -> str:
    email = f"{username}@example.com"
    registered = await client.post(
        "/api/v1/auth/register", json={"email": email, "username": username, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    logged_in = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert logged_in.status_code == 200, logged_in.text
    return logged_in.json()["token"]


async def like_in_parallel(client: httpx.AsyncClient, post_id: int, token: str, copies: int) -> list[int]:
    requests = [client.post(f"/api/v1/posts/{post_id}/like", headers=bearer(token)) for _ in range(copies)]
    return [response.status_code for response in await asyncio.gather(*requests)]


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[str]:
    """Daphne on a migrated SQLite file under `tmp_path`; stopped when the test ends."""
    env = server_env(tmp_path)
    manage(env, "migrate", "--noinput")
    with daphne_server(env, tmp_path / "daphne.log") as base_url:
        yield base_url


async def test_follow_like_comment_reach_socket(sqlite_server):
    async with httpx.AsyncClient(base_url=sqlite_server, timeout=TIMEOUT) as client:
        alice = await register_and_login(client, "alice")
        bob = await register_and_login(client, "bob")
        created = await client.post("/api/v1/posts", json={"text": "Sunset over the harbour"}, headers=bearer(bob))
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]

        async with (
            connect(ws_url(sqlite_server), additional_headers=bearer(bob)) as header_socket,
            connect(ws_url(sqlite_server), subprotocols=["bearer", bob]) as subprotocol_socket,
        ):
            assert subprotocol_socket.subprotocol == "bearer"
            followed = await client.post("/api/v1/users/bob/follow", headers=bearer(alice))
            liked = await client.post(f"/api/v1/posts/{post_id}/like", headers=bearer(alice))
            commented = await client.post(
                f"/api/v1/posts/{post_id}/comments", json={"text": "Lovely!"}, headers=bearer(alice)
            )
            assert followed.status_code == 201, followed.text
            assert liked.status_code == 201, liked.text
            assert commented.status_code == 201, commented.text

            for socket_ in (header_socket, subprotocol_socket):
                frames = [await next_frame(socket_) for _ in range(3)]
                assert [frame["event"] for frame in frames] == ["notification"] * 3
                assert [frame["notification"]["type"] for frame in frames] == ["follow", "like", "comment"]
                assert all(frame["notification"]["actor"]["username"] == "alice" for frame in frames)
                assert frames[2]["notification"]["comment"]["text"] == "Lovely!"


async def test_handshake_without_token_403(sqlite_server):
    with pytest.raises(websockets.exceptions.InvalidStatus) as rejected:
        async with connect(ws_url(sqlite_server)):
            pass

    assert rejected.value.response.status_code == 403


async def test_logout_closes_socket_4401(sqlite_server):
    async with httpx.AsyncClient(base_url=sqlite_server, timeout=TIMEOUT) as client:
        token = await register_and_login(client, "carol")

        async with connect(ws_url(sqlite_server), additional_headers=bearer(token)) as socket_:
            await socket_.send(json.dumps({"action": "ping"}))
            assert await next_frame(socket_) == {"event": "pong"}

            logged_out = await client.post("/api/v1/auth/logout", headers=bearer(token))

            assert logged_out.status_code == 204, logged_out.text
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await asyncio.wait_for(socket_.recv(), TIMEOUT)
            assert closed.value.rcvd.code == 4401


async def test_parallel_likes_count_once_each(sqlite_server):
    async with httpx.AsyncClient(base_url=sqlite_server, timeout=30) as client:
        author = await register_and_login(client, "author")
        fans = [await register_and_login(client, f"fan{number}") for number in range(3)]
        created = await client.post("/api/v1/posts", json={"text": "Like me"}, headers=bearer(author))
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]

        results = await asyncio.gather(*(like_in_parallel(client, post_id, fan, 8) for fan in fans))

        for statuses in results:
            assert sorted(statuses) == [200] * 7 + [201]
        post = await client.get(f"/api/v1/posts/{post_id}", headers=bearer(author))
        assert post.json()["likes_count"] == 3
        likers = await client.get(f"/api/v1/posts/{post_id}/likes")
        assert len(likers.json()["results"]) == 3


def shared_database_url() -> str:
    """Return DATABASE_URL pointed at the database this test run uses (pytest-django's `test_` copy)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{settings.DATABASES['default']['NAME']}"))


def services_available() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL", "").startswith(
        "redis"
    )


@pytest.fixture
def shared_rows(transactional_db) -> dict:
    """Committed rows both servers see: a post's author and three fans, with tokens."""
    author, fans = UserFactory(username="author"), [UserFactory() for _ in range(3)]
    return {
        "author_token": token_create(user=author)[1],
        "fans": fans,
        "fan_tokens": [token_create(user=fan)[1] for fan in fans],
        "post": PostFactory(author=author),
    }


@pytest.mark.services
@pytest.mark.skipif(not services_available(), reason="needs DATABASE_URL on PostgreSQL and REDIS_URL")
@pytest.mark.django_db(transaction=True)
async def test_two_servers_share_events(tmp_path, shared_rows):
    post, fans, fan_tokens = shared_rows["post"], shared_rows["fans"], shared_rows["fan_tokens"]
    env = server_env(tmp_path, DATABASE_URL=shared_database_url())

    with ExitStack() as servers:
        first, second = (
            servers.enter_context(daphne_server(env, tmp_path / f"daphne-{number}.log")) for number in (1, 2)
        )
        async with (
            httpx.AsyncClient(base_url=first, timeout=30) as first_client,
            httpx.AsyncClient(base_url=second, timeout=30) as second_client,
            connect(ws_url(second), additional_headers=bearer(shared_rows["author_token"])) as socket_,
        ):
            commented = await first_client.post(
                f"/api/v1/posts/{post.pk}/comments", json={"text": "Hello from A"}, headers=bearer(fan_tokens[0])
            )
            assert commented.status_code == 201, commented.text
            frame = await next_frame(socket_)
            assert frame["notification"]["type"] == "comment"
            assert frame["notification"]["comment"]["text"] == "Hello from A"

            # Each fan likes six times at once, half through each server.
            requests = [
                client.post(f"/api/v1/posts/{post.pk}/like", headers=bearer(token))
                for token in fan_tokens
                for client in (first_client, second_client) * 3
            ]
            statuses = [response.status_code for response in await asyncio.gather(*requests)]

            assert statuses.count(201) == len(fans)
            assert statuses.count(200) == len(requests) - len(fans)
            liked = [await next_frame(socket_) for _ in fans]
            assert sorted(frame["notification"]["actor"]["id"] for frame in liked) == sorted(fan.pk for fan in fans)

    stored = await database_sync_to_async(Post.objects.get)(pk=post.pk)
    assert stored.likes_count == len(fans)
    assert stored.comments_count == 1
    assert await database_sync_to_async(Like.objects.filter(post=post).count)() == len(fans)
