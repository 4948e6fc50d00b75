"""A realistic mix of API traffic for Locust, with WebSocket listeners that count notifications.

    locust -f loadtest/locustfile.py --headless -u 20 -r 5 -t 60s --host http://127.0.0.1:8000 --csv out/run

Readers browse (feed, post detail, profiles, hashtag pages, search, notifications) and now
and then write (post, like, unlike, comment, follow, unfollow). Listeners keep one
notifications socket open each and report every frame as a `WS` request whose response time
is the delay from the notification's `created_at` to its arrival (same machine clock).

Accounts, chosen by environment variables (see loadtest/README.md): LOADTEST_TOKENS names a
file of `username token` lines (from `manage.py seed --tokens N --tokens-file FILE`);
otherwise LOADTEST_SEEDED_USERS=N logs in as random seeded accounts `user1`..`userN` with
LOADTEST_PASSWORD; otherwise each simulated user registers a new account and follows the
ten most followed users.
"""

import itertools
import json
import os
import random
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import gevent
import websocket
from locust import FastHttpUser, between, events, task

SEED_PASSWORD = "seed-password-2026"
# Hashtags the seed command always creates, in several scripts, for when no post named one yet.
KNOWN_HASHTAGS = ["python", "café", "日本", "привет", "news", "music"]
SEARCH_WORDS = ["coffee", "release", "morning", "city", "bonjour", "今日"]

_tokens = [line.split() for line in Path(os.environ["LOADTEST_TOKENS"]).read_text().splitlines() if line.strip()] if os.environ.get("LOADTEST_TOKENS") else []
_token_cycle = itertools.cycle(_tokens) if _tokens else None
_totals = {"notifications": 0, "deleted": 0, "disconnects": 0}


def _register(user: FastHttpUser) -> tuple[str, str]:
    """Register a new account, log in, and follow the ten most followed users; return (username, token)."""
    username = f"lt_{uuid.uuid4().hex[:12]}"
    password = f"load-test-{uuid.uuid4().hex}"
    user.client.post("/api/v1/auth/register", json={"email": f"{username}@example.com", "username": username, "password": password}, name="/api/v1/auth/register")
    token = _login(user, f"{username}@example.com", password)
    headers = {"Authorization": f"Bearer {token}"}
    with user.client.get("/api/v1/users?ordering=-followers_count&page_size=10", headers=headers, name="/api/v1/users?ordering", catch_response=True) as response:
        popular = [row["username"] for row in response.json().get("results", [])] if response.ok else []
    # On a small database the new account can be among the most followed; following oneself is a 400.
    for name in (name for name in popular if name != username):
        user.client.post(f"/api/v1/users/{name}/follow", headers=headers, name="/api/v1/users/{username}/follow")
    return username, token


def _login(user: FastHttpUser, email: str, password: str) -> str:
    with user.client.post("/api/v1/auth/login", json={"email": email, "password": password}, name="/api/v1/auth/login", catch_response=True) as response:
        if not response.ok:
            response.failure(f"login of {email} failed with status {response.status_code}")
            raise RuntimeError(f"login of {email} failed with status {response.status_code}")
        return response.json()["token"]


def _account(user: FastHttpUser) -> tuple[str, str]:
    """Return (username, token) for a simulated user, as the environment variables choose."""
    if _token_cycle is not None:
        username, token = next(_token_cycle)
        return username, token
    seeded = int(os.environ.get("LOADTEST_SEEDED_USERS", "0"))
    if seeded:
        username = f"user{random.randint(1, seeded)}"
        password = os.environ.get("LOADTEST_PASSWORD", SEED_PASSWORD)
        return username, _login(user, f"{username}@example.com", password)
    return _register(user)


class Reader(FastHttpUser):
    """Someone using the app: mostly reading the feed and what it links to, sometimes writing."""

    weight = 10
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username, token = _account(self)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.post_ids: list[int] = []
        self.usernames: list[str] = []
        self.hashtags: list[str] = list(KNOWN_HASHTAGS)
        self.liked: list[int] = []
        self.followed: list[str] = []
        self.next_feed_page: str | None = None

    def _get(self, path: str, name: str) -> Any:
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as response:
            if not response.ok:
                response.failure(f"status {response.status_code}")
                return None
            return response.json()

    def _remember(self, posts: list[dict]) -> None:
        for post in posts:
            self.post_ids.append(post["id"])
            self.usernames.append(post["author"]["username"])
            self.hashtags.extend(post.get("hashtags", []))
        del self.post_ids[:-200], self.usernames[:-200], self.hashtags[:-200]

    # Reading.

    @task(30)
    def feed(self) -> None:
        page = self._get("/api/v1/feed", "/api/v1/feed")
        if page:
            self._remember(page["results"])
            self.next_feed_page = page["next"]

    @task(5)
    def feed_next_page(self) -> None:
        if self.next_feed_page:
            page = self._get(self.next_feed_page, "/api/v1/feed?cursor")
            if page:
                self._remember(page["results"])
                self.next_feed_page = page["next"]

    @task(10)
    def post_detail(self) -> None:
        if self.post_ids:
            self._get(f"/api/v1/posts/{random.choice(self.post_ids)}", "/api/v1/posts/{id}")

    @task(4)
    def comments(self) -> None:
        if self.post_ids:
            self._get(f"/api/v1/posts/{random.choice(self.post_ids)}/comments", "/api/v1/posts/{id}/comments")

    @task(8)
    def profile(self) -> None:
        if self.usernames:
            self._get(f"/api/v1/users/{random.choice(self.usernames)}", "/api/v1/users/{username}")

    @task(4)
    def user_posts(self) -> None:
        if self.usernames:
            page = self._get(f"/api/v1/users/{random.choice(self.usernames)}/posts", "/api/v1/users/{username}/posts")
            if page:
                self._remember(page["results"])

    @task(6)
    def hashtag_page(self) -> None:
        page = self._get(f"/api/v1/hashtags/{random.choice(self.hashtags)}/posts", "/api/v1/hashtags/{name}/posts")
        if page:
            self._remember(page["results"])

    @task(2)
    def hashtags(self) -> None:
        self._get("/api/v1/hashtags?ordering=-posts_count", "/api/v1/hashtags")

    @task(4)
    def search_posts(self) -> None:
        self._get(f"/api/v1/posts?search={random.choice(SEARCH_WORDS)}", "/api/v1/posts?search")

    @task(2)
    def search_users(self) -> None:
        self._get(f"/api/v1/users?search=user{random.randint(1, 99)}", "/api/v1/users?search")

    @task(5)
    def notifications(self) -> None:
        self._get("/api/v1/notifications", "/api/v1/notifications")

    # Writing.

    @task(3)
    def create_post(self) -> None:
        tags = " ".join(f"#{name}" for name in random.sample(KNOWN_HASHTAGS, 2))
        body = {"text": f"Load test post {uuid.uuid4().hex[:8]} {tags}"}
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post("/api/v1/posts", json=body, headers=headers, name="/api/v1/posts [create]", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"status {response.status_code}")

    @task(8)
    def like(self) -> None:
        if self.post_ids:
            post_id = random.choice(self.post_ids)
            self.client.post(f"/api/v1/posts/{post_id}/like", headers=self.headers, name="/api/v1/posts/{id}/like")
            self.liked.append(post_id)

    @task(2)
    def unlike(self) -> None:
        if self.liked:
            post_id = self.liked.pop(random.randrange(len(self.liked)))
            self.client.delete(f"/api/v1/posts/{post_id}/like", headers=self.headers, name="/api/v1/posts/{id}/like [delete]")

    @task(3)
    def comment(self) -> None:
        if self.post_ids:
            post_id = random.choice(self.post_ids)
            body = {"text": f"Load test comment {uuid.uuid4().hex[:8]}"}
            headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
            self.client.post(f"/api/v1/posts/{post_id}/comments", json=body, headers=headers, name="/api/v1/posts/{id}/comments [create]")

    @task(2)
    def follow(self) -> None:
        candidates = [name for name in self.usernames if name != self.username]
        if candidates:
            name = random.choice(candidates)
            self.client.post(f"/api/v1/users/{name}/follow", headers=self.headers, name="/api/v1/users/{username}/follow")
            self.followed.append(name)

    @task(1)
    def unfollow(self) -> None:
        if self.followed:
            name = self.followed.pop(random.randrange(len(self.followed)))
            self.client.delete(f"/api/v1/users/{name}/follow", headers=self.headers, name="/api/v1/users/{username}/follow [delete]")


class NotificationListener(FastHttpUser):
    """A client that keeps the notifications socket open and reports each frame it receives.

    websocket-client's blocking calls become cooperative because Locust patches the socket
    module with gevent, so one greenlet per listener reads its socket. The HTTP client is
    used only to log in or register.
    """

    weight = 1
    wait_time = between(20, 30)

    def on_start(self) -> None:
        self.username, token = _account(self)
        url = self.host.replace("https://", "wss://", 1).replace("http://", "ws://", 1) + "/ws/notifications"
        started = time.perf_counter()
        try:
            self.socket = websocket.create_connection(url, header=[f"Authorization: Bearer {token}"], timeout=30)
        except (OSError, websocket.WebSocketException) as error:
            self._report("connect", started, error)
            raise
        self._report("connect", started, None)
        self.reader = gevent.spawn(self._read)

    def _report(self, name: str, started: float, error: Exception | None, elapsed_ms: float | None = None) -> None:
        events.request.fire(
            request_type="WS",
            name=name,
            response_time=elapsed_ms if elapsed_ms is not None else (time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

    def _read(self) -> None:
        self.socket.settimeout(None)
        while True:
            try:
                message = self.socket.recv()
            except (OSError, websocket.WebSocketException) as error:
                _totals["disconnects"] += 1
                self._report("disconnected", time.perf_counter(), error)
                return
            if not message:
                continue
            frame = json.loads(message)
            if frame.get("event") == "notification":
                _totals["notifications"] += 1
                created = datetime.fromisoformat(frame["notification"]["created_at"].replace("Z", "+00:00"))
                delay_ms = max(0.0, (time.time() - created.timestamp()) * 1000)
                self._report("notification", time.perf_counter(), None, elapsed_ms=delay_ms)
            elif frame.get("event") == "notification_deleted":
                _totals["deleted"] += 1

    @task
    def ping(self) -> None:
        started = time.perf_counter()
        try:
            self.socket.send(json.dumps({"action": "ping"}))
        except (OSError, websocket.WebSocketException) as error:
            self._report("ping", started, error)

    def on_stop(self) -> None:
        self.reader.kill()
        self.socket.close()


@events.test_stop.add_listener
def _print_totals(**_: object) -> None:
    print(
        f"WebSocket listeners received {_totals['notifications']} notifications and "
        f"{_totals['deleted']} deletions; {_totals['disconnects']} sockets disconnected.",
        flush=True,
    )
