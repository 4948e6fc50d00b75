"""Rate limits: which views carry which scopes, the 429 shape, and counts under bursts.

The test settings switch throttling off; the `throttling` fixture switches it on with small
rates and an empty cache. Under REDIS_URL the cache is Redis, as in production.
"""

import os
import threading
import uuid
from collections.abc import Callable

import httpx
import pytest
from django.core.cache import cache
from django.db import connections
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.accounts.views.auth import LoginView, PasswordView, RegisterView
from apps.accounts.views.me import MeView
from apps.accounts.views.users import FollowView
from apps.engagement.views import CommentView, PostCommentsView, PostLikeView
from apps.feed.views import MediaCreateView, PostDetailView, PostListCreateView
from project.throttling import LoginEmailThrottle, window_hit
from tests.factories import PASSWORD, UserFactory
from tests.live import daphne, manage, server_env

LOGIN_URL = "/api/v1/auth/login"

RATES = {
    "anon": "1000/min",
    "user": "1000/min",
    "login": "8/min",
    "login_email": "4/min",
    "register": "3/hour",
    "password": "3/hour",
    "posts": "3/min",
    "comments": "3/min",
    "follows": "3/min",
    "media": "3/min",
    "likes": "3/min",
}


@pytest.fixture
def throttling(settings):
    """Switch rate limits on with RATES, on an empty cache."""
    settings.API_THROTTLING = True
    settings.THROTTLE_RATES = RATES
    cache.clear()
    yield
    cache.clear()


def _login(client: APIClient, email: str, ip: str = "10.0.0.1", password: str = "wrong password"):
    return client.post(LOGIN_URL, {"email": email, "password": password}, REMOTE_ADDR=ip)


# Scopes declared by the views.


@pytest.mark.parametrize(
    ("view", "method", "scope"),
    [
        (RegisterView, "POST", "register"),
        (LoginView, "POST", "login"),
        (PasswordView, "POST", "password"),
        (MeView, "DELETE", "password"),
        (MeView, "PATCH", "media"),
        (FollowView, "POST", "follows"),
        (FollowView, "DELETE", "follows"),
        (MediaCreateView, "POST", "media"),
        (PostListCreateView, "POST", "posts"),
        (PostDetailView, "PATCH", "posts"),
        (PostCommentsView, "POST", "comments"),
        (CommentView, "PATCH", "comments"),
        (PostLikeView, "POST", "likes"),
        (PostLikeView, "DELETE", "likes"),
    ],
)
def test_view_declares_scope(view, method, scope):
    assert view.throttle_scopes[method] == scope
    assert scope in RATES


def test_login_also_limited_per_email():
    assert LoginEmailThrottle in LoginView.throttle_classes


@pytest.mark.django_db
def test_schema_documents_429_everywhere():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "429" not in operation["responses"]
    ]

    assert undocumented == []


# Login: per IP and per target email.


@pytest.mark.django_db
def test_login_burst_one_account_throttled(throttling, api_client):
    UserFactory(email="target@example.com")

    codes = [_login(api_client, "target@example.com").status_code for _ in range(6)]

    assert codes == [400, 400, 400, 400, 429, 429]


@pytest.mark.django_db
def test_login_burst_from_many_ips_throttled(throttling, api_client):
    UserFactory(email="target@example.com")

    codes = [_login(api_client, "Target@Example.com ", ip=f"10.0.1.{index}").status_code for index in range(6)]

    assert codes == [400, 400, 400, 400, 429, 429]


@pytest.mark.django_db
def test_login_throttled_response_shape(throttling, api_client):
    UserFactory(email="target@example.com")
    for _ in range(4):
        _login(api_client, "target@example.com")

    response = _login(api_client, "target@example.com", password=PASSWORD)

    assert response.status_code == 429, response.content
    assert response.json() == {"detail": response.json()["detail"], "code": "throttled"}
    assert response.json()["detail"].startswith("Request was throttled.")
    # Up to 75 s: in the next minute the 4 attempts weigh 4 * (1 - f), and one more fits once f >= 0.25.
    assert 1 <= int(response["Retry-After"]) <= 75


@pytest.mark.django_db
def test_login_other_account_not_throttled(throttling, api_client):
    UserFactory(email="target@example.com")
    other = UserFactory(email="other@example.com")
    for index in range(5):
        _login(api_client, "target@example.com", ip=f"10.0.2.{index}")

    response = _login(api_client, other.email, password=PASSWORD, ip="10.0.2.99")

    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_login_burst_from_one_ip_throttled(throttling, api_client):
    codes = [_login(api_client, f"user{index}@example.com").status_code for index in range(10)]

    assert codes == [400] * 8 + [429] * 2


@pytest.mark.django_db
def test_login_burst_unthrottled_when_off(settings, api_client):
    settings.API_THROTTLING = False
    settings.THROTTLE_RATES = RATES
    cache.clear()
    UserFactory(email="target@example.com")

    codes = {_login(api_client, "target@example.com").status_code for _ in range(12)}

    assert codes == {400}


@pytest.mark.django_db
def test_login_forwarded_for_not_trusted(throttling, api_client):
    # With NUM_PROXIES=0 the connecting address counts, whatever X-Forwarded-For claims.
    codes = [
        api_client.post(
            LOGIN_URL,
            {"email": f"user{index}@example.com", "password": "wrong"},
            REMOTE_ADDR="10.0.3.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{index}",
        ).status_code
        for index in range(9)
    ]

    assert codes[-1] == 429


@pytest.mark.django_db
def test_register_burst_throttled_per_ip(throttling, api_client):
    codes = [
        api_client.post(
            "/api/v1/auth/register",
            {"email": f"new{index}@example.com", "username": f"new_{index}", "password": "a long passphrase"},
            REMOTE_ADDR="10.0.4.1",
        ).status_code
        for index in range(4)
    ]

    assert codes == [201, 201, 201, 429]


@pytest.mark.django_db
def test_password_change_throttled(throttling, alice_client):
    codes = [
        alice_client.post(
            "/api/v1/auth/password", {"current_password": "wrong", "new_password": "a long new passphrase"}
        ).status_code
        for _ in range(4)
    ]

    assert codes == [400, 400, 400, 429]


# Writes per user.


@pytest.mark.django_db
def test_posting_throttled_per_user(throttling, alice_client, bob_client):
    codes = [alice_client.post("/api/v1/posts", {"text": f"post {index}"}).status_code for index in range(4)]
    bob_response = bob_client.post("/api/v1/posts", {"text": "mine"})

    assert codes == [201, 201, 201, 429]
    assert bob_response.status_code == 201, bob_response.content


@pytest.mark.django_db
def test_following_throttled_per_user(throttling, alice_client):
    for index in range(4):
        UserFactory(username=f"star{index}")

    codes = [alice_client.post(f"/api/v1/users/star{index}/follow").status_code for index in range(4)]

    assert codes == [201, 201, 201, 429]


@pytest.mark.django_db
def test_reads_not_limited_by_write_scope(throttling, alice_client):
    for index in range(3):
        alice_client.post("/api/v1/posts", {"text": f"post {index}"})

    response = alice_client.get("/api/v1/posts")

    assert response.status_code == 200, response.content


# Counting: atomic under bursts, and across windows.


def _in_parallel(request: Callable[[APIClient, int], object], threads: int) -> list[int]:
    """Send `request(client, index)` from `threads` threads at once and return the status codes."""
    barrier = threading.Barrier(threads)
    codes: list[int] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            codes.append(request(APIClient(), index).status_code)
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    return codes


@pytest.mark.django_db(transaction=True)
def test_parallel_logins_counted_exactly(throttling):
    UserFactory(email="target@example.com")

    codes = _in_parallel(lambda client, index: _login(client, "target@example.com", ip=f"10.0.5.{index}"), 12)

    assert sorted(codes) == [400] * 4 + [429] * 8


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the limit is shared through Redis")
def test_login_limit_shared_across_servers(tmp_path):
    env = server_env(tmp_path, API_THROTTLING="on", API_THROTTLE_RATES="login_email=3/min")
    manage(env, "migrate", "--noinput")
    email = f"{uuid.uuid4().hex}@example.com"

    with daphne(env) as first, daphne(env) as second:
        codes = [
            httpx.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": "wrong"}).status_code
            for base_url in (first, second, first, second, first)
        ]

    assert codes == [400, 400, 400, 429, 429]


def test_window_estimate_weighs_previous_window(throttling):
    # 4 requests late in window 0, then 60 % into window 1 the estimate is 4 * 0.4 + n.
    for _ in range(4):
        assert window_hit("test-key", limit=4, duration=100, now=90.0) is None

    allowed = [window_hit("test-key", limit=4, duration=100, now=160.0) is None for _ in range(4)]

    assert allowed == [True, True, False, False]


def test_window_wait_until_request_fits(throttling):
    for _ in range(4):
        window_hit("test-key", limit=4, duration=100, now=10.0)

    wait = window_hit("test-key", limit=4, duration=100, now=10.0)

    # Window 1 starts at 100; there 4 * (1 - f) + 1 <= 4 needs f >= 0.25, at 125.
    assert wait == pytest.approx(115.0)
    assert window_hit("test-key", limit=4, duration=100, now=10.0 + wait) is None


def test_window_denied_requests_not_counted(throttling):
    for _ in range(3):
        window_hit("test-key", limit=3, duration=100, now=10.0)
    for _ in range(20):
        window_hit("test-key", limit=3, duration=100, now=20.0)

    # Only the 3 allowed requests weigh on window 1: 3 * 0.5 + 1 <= 3 at 150.
    assert window_hit("test-key", limit=3, duration=100, now=150.0) is None
