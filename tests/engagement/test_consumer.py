"""The notifications WebSocket, driven through the project's ASGI application in-process."""

import asyncio
import json
import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from apps.accounts.models import AuthToken
from apps.engagement import consumers
from apps.engagement.models import Notification
from apps.engagement.services import comment_create, engagement_delete_for_user, like_create, like_delete
from asgi import application
from project.realtime import tokens_revoked
from tests.factories import NotificationFactory, PostFactory

PATH = "/ws/notifications"
TIMEOUT = 3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def communicators_finished(monkeypatch):
    """Disconnect every socket a test leaves open, rejected ones included, before the event loop closes.

    Each consumer instance, even one whose handshake was rejected, waits on the channel layer
    until it gets `websocket.disconnect`. Left to the loop's shutdown, which cancels all tasks
    at once, a wait on Redis could hang the test run.
    """
    opened: list[WebsocketCommunicator] = []
    original_init = WebsocketCommunicator.__init__

    def tracking_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(WebsocketCommunicator, "__init__", tracking_init)
    yield
    for communicator in opened:
        if not communicator.future.done():
            await communicator.disconnect(timeout=TIMEOUT)


@pytest.fixture(autouse=True)
def live_events_only(settings):
    """Turn inbox polling off, so the tests see what the channel layer delivers."""
    settings.NOTIFICATIONS_POLL_SECONDS = 0


@pytest.fixture
def alice(make_client, transactional_db):
    return make_client(username="alice", email="alice@example.com")


@pytest.fixture
def bob(make_client, transactional_db):
    return make_client(username="bob", email="bob@example.com")


@pytest.fixture
def alice_post(alice):
    return PostFactory(author=alice.user, text="Sunset over the harbour")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def header_socket(key: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, PATH, headers=[(b"authorization", f"Bearer {key}".encode())])


async def connected_socket(key: str) -> WebsocketCommunicator:
    communicator = header_socket(key)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


def token_id(key: str) -> int:
    return AuthToken.objects.get(key_hash=AuthToken.hash_key(key)).pk


# Handshake.


async def test_connect_with_authorization_header(alice):
    communicator = header_socket(alice.token_key)

    connected, subprotocol = await communicator.connect(timeout=TIMEOUT)

    assert connected
    assert subprotocol is None
    await communicator.disconnect()


async def test_connect_with_token_keyword(alice):
    communicator = WebsocketCommunicator(
        application, PATH, headers=[(b"authorization", f"Token {alice.token_key}".encode())]
    )

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert connected
    await communicator.disconnect()


async def test_connect_with_subprotocol_pair(alice):
    communicator = WebsocketCommunicator(application, PATH, subprotocols=["bearer", alice.token_key])

    connected, subprotocol = await communicator.connect(timeout=TIMEOUT)

    assert connected
    assert subprotocol == "bearer"
    await communicator.disconnect()


async def test_connect_trailing_slash(alice):
    communicator = WebsocketCommunicator(
        application, f"{PATH}/", headers=[(b"authorization", f"Bearer {alice.token_key}".encode())]
    )

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert connected
    await communicator.disconnect()


async def test_connect_without_token_rejected():
    communicator = WebsocketCommunicator(application, PATH)

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert not connected


@pytest.mark.parametrize(
    "headers",
    [
        [(b"authorization", b"Bearer not-a-real-token")],
        [(b"authorization", b"Basic YWxpY2U6c2VjcmV0")],
        [(b"authorization", b"Bearer")],
    ],
)
async def test_connect_bad_header_rejected(headers):
    communicator = WebsocketCommunicator(application, PATH, headers=headers)

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert not connected


async def test_connect_bad_subprotocol_token_rejected():
    communicator = WebsocketCommunicator(application, PATH, subprotocols=["bearer", "not-a-real-token"])

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert not connected


async def test_connect_revoked_token_rejected(alice):
    await database_sync_to_async(AuthToken.objects.filter(user=alice.user).delete)()
    communicator = header_socket(alice.token_key)

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert not connected


async def test_connect_logs_ids_not_token(alice, caplog):
    caplog.set_level(logging.INFO, logger="apps.engagement.consumers")

    communicator = await connected_socket(alice.token_key)
    await communicator.disconnect()

    expected_token_id = await database_sync_to_async(token_id)(alice.token_key)
    assert f"WebSocket connected: user {alice.user.pk}, token {expected_token_id}" in caplog.text
    assert f"WebSocket disconnected: user {alice.user.pk}, token {expected_token_id}" in caplog.text
    assert alice.token_key not in caplog.text


async def test_rejected_handshake_never_logs_token(caplog):
    caplog.set_level(logging.DEBUG)
    communicator = WebsocketCommunicator(application, PATH, subprotocols=["bearer", "secret-looking-value"])

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert not connected
    assert "secret-looking-value" not in caplog.text
    assert "handshake rejected" in caplog.text


# Client actions.


async def test_ping_gets_pong(alice):
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "ping"})

    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"event": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed_json"),
        ("[" * 100_000, "malformed_json"),
        (json.dumps({"action": "dance"}), "unknown_action"),
        (json.dumps({"type": "ping"}), "invalid"),
        (json.dumps(["ping"]), "invalid"),
        (json.dumps({"action": "resume"}), "invalid"),
        (json.dumps({"action": "resume", "after_id": "5"}), "invalid"),
        (json.dumps({"action": "resume", "after_id": -1}), "invalid"),
        (json.dumps({"action": "resume", "after_id": True}), "invalid"),
        (json.dumps({"action": "resume", "after_id": 2**63}), "invalid"),
    ],
)
async def test_bad_frame_gets_error(alice, frame, code):
    communicator = await connected_socket(alice.token_key)

    await communicator.send_to(text_data=frame)

    response = await communicator.receive_json_from(timeout=TIMEOUT)
    assert response["event"] == "error"
    assert response["code"] == code
    assert response["detail"]
    # The socket stays usable after an error.
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"event": "pong"}
    await communicator.disconnect()


async def test_binary_frame_gets_error(alice):
    communicator = await connected_socket(alice.token_key)

    await communicator.send_to(bytes_data=b"\x00\x01")

    response = await communicator.receive_json_from(timeout=TIMEOUT)
    assert response["event"] == "error"
    assert response["code"] == "invalid_frame"
    await communicator.disconnect()


# Live events.


async def test_like_through_api_pushes_notification(alice, bob, alice_post):
    communicator = await connected_socket(alice.token_key)
    client = AsyncClient()

    response = await client.post(f"/api/v1/posts/{alice_post.pk}/like", headers=bearer(bob.token_key))

    assert response.status_code == 201, response.content
    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["event"] == "notification"
    notification = frame["notification"]
    assert notification["type"] == "like"
    assert notification["actor"]["username"] == "bob"
    assert notification["post"] == {"id": alice_post.pk, "text": "Sunset over the harbour"}
    assert notification["read"] is False
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_comment_through_api_pushes_notification(alice, bob, alice_post):
    communicator = await connected_socket(alice.token_key)
    client = AsyncClient()

    response = await client.post(
        f"/api/v1/posts/{alice_post.pk}/comments",
        {"text": "Lovely!"},
        content_type="application/json",
        headers=bearer(bob.token_key),
    )

    assert response.status_code == 201, response.content
    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["notification"]["type"] == "comment"
    assert frame["notification"]["comment"] == {"id": response.json()["id"], "text": "Lovely!"}
    await communicator.disconnect()


async def test_unlike_pushes_notification_deleted(alice, bob, alice_post):
    communicator = await connected_socket(alice.token_key)

    await database_sync_to_async(like_create)(user=bob.user, post=alice_post)
    created = await communicator.receive_json_from(timeout=TIMEOUT)
    await database_sync_to_async(like_delete)(user=bob.user, post=alice_post)
    deleted = await communicator.receive_json_from(timeout=TIMEOUT)

    assert created["event"] == "notification"
    assert deleted == {"event": "notification_deleted", "id": created["notification"]["id"]}
    await communicator.disconnect()


async def test_own_action_pushes_nothing(alice, alice_post):
    communicator = await connected_socket(alice.token_key)

    await database_sync_to_async(like_create)(user=alice.user, post=alice_post)

    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_other_users_events_not_received(alice, bob, alice_post):
    bobs_socket = await connected_socket(bob.token_key)

    await database_sync_to_async(like_create)(user=bob.user, post=alice_post)

    assert await bobs_socket.receive_nothing(timeout=0.3)
    await bobs_socket.disconnect()


async def test_every_socket_of_user_gets_event(alice, bob, make_client, alice_post):
    second_device = await database_sync_to_async(make_client)(alice.user)
    sockets = [
        await connected_socket(alice.token_key),
        await connected_socket(alice.token_key),
        await connected_socket(second_device.token_key),
    ]

    await database_sync_to_async(like_create)(user=bob.user, post=alice_post)

    for communicator in sockets:
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        assert frame["notification"]["type"] == "like"
        await communicator.disconnect()


# Token revocation.


async def test_token_revoked_closes_4401(alice):
    communicator = await connected_socket(alice.token_key)
    revoked_id = await database_sync_to_async(token_id)(alice.token_key)

    await database_sync_to_async(tokens_revoked)([revoked_id])

    message = await communicator.receive_output(timeout=TIMEOUT)
    assert message == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


async def test_logout_through_api_closes_4401(alice):
    communicator = await connected_socket(alice.token_key)

    response = await AsyncClient().post("/api/v1/auth/logout", headers=bearer(alice.token_key))

    assert response.status_code == 204, response.content
    message = await communicator.receive_output(timeout=TIMEOUT)
    assert message == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


async def test_token_revoked_keeps_other_tokens_open(alice, make_client):
    other = await database_sync_to_async(make_client)(alice.user)
    revoked_socket = await connected_socket(alice.token_key)
    kept_socket = await connected_socket(other.token_key)

    await database_sync_to_async(tokens_revoked)([await database_sync_to_async(token_id)(alice.token_key)])

    assert (await revoked_socket.receive_output(timeout=TIMEOUT))["code"] == 4401
    await kept_socket.send_json_to({"action": "ping"})
    assert await kept_socket.receive_json_from(timeout=TIMEOUT) == {"event": "pong"}
    await revoked_socket.disconnect()
    await kept_socket.disconnect()


# Resume.


async def test_resume_replays_in_order(alice):
    stored = await database_sync_to_async(lambda: [NotificationFactory(recipient=alice.user) for _ in range(4)])()
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": stored[0].pk})

    frames = [await communicator.receive_json_from(timeout=TIMEOUT) for _ in range(4)]
    assert [frame["notification"]["id"] for frame in frames[:3]] == [notification.pk for notification in stored[1:]]
    assert frames[3] == {"event": "resumed", "count": 3}
    await communicator.disconnect()


async def test_resume_nothing_newer_count_zero(alice):
    stored = await database_sync_to_async(NotificationFactory)(recipient=alice.user)
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": stored.pk})

    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"event": "resumed", "count": 0}
    await communicator.disconnect()


async def test_resume_only_own_notifications(alice, bob):
    await database_sync_to_async(NotificationFactory)(recipient=bob.user)
    own = await database_sync_to_async(NotificationFactory)(recipient=alice.user)
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": 0})

    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["notification"]["id"] == own.pk
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"event": "resumed", "count": 1}
    await communicator.disconnect()


async def test_resume_across_batches(alice, monkeypatch):
    monkeypatch.setattr(consumers, "REPLAY_BATCH_SIZE", 2)
    stored = await database_sync_to_async(lambda: [NotificationFactory(recipient=alice.user) for _ in range(5)])()
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": 0})

    frames = [await communicator.receive_json_from(timeout=TIMEOUT) for _ in range(6)]
    assert [frame["notification"]["id"] for frame in frames[:5]] == [notification.pk for notification in stored]
    assert frames[5] == {"event": "resumed", "count": 5}
    await communicator.disconnect()


async def test_resume_skips_already_sent(alice, bob, alice_post):
    before = await database_sync_to_async(NotificationFactory)(recipient=alice.user)
    communicator = await connected_socket(alice.token_key)
    await database_sync_to_async(like_create)(user=bob.user, post=alice_post)
    live = await communicator.receive_json_from(timeout=TIMEOUT)

    await communicator.send_json_to({"action": "resume", "after_id": 0})

    replayed = await communicator.receive_json_from(timeout=TIMEOUT)
    assert replayed["notification"]["id"] == before.pk
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"event": "resumed", "count": 1}
    assert live["notification"]["id"] != before.pk
    await communicator.disconnect()


async def test_live_event_during_replay_follows_resumed(alice, bob, alice_post, monkeypatch):
    """A live event that arrives while the replay runs waits, so the replay stays in id order."""
    # One row per batch, so the consumer handles channel-layer events between the batch reads.
    monkeypatch.setattr(consumers, "REPLAY_BATCH_SIZE", 1)
    stored = await database_sync_to_async(lambda: [NotificationFactory(recipient=alice.user) for _ in range(3)])()
    original = consumers._notifications_after

    def replay_then_like(recipient_id: int, after_id: int) -> list[dict]:
        rows = original(recipient_id, after_id)
        if after_id == 0:
            like_create(user=bob.user, post=alice_post)
        return rows

    monkeypatch.setattr(consumers, "_notifications_after", replay_then_like)
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": 0})

    frames = [await communicator.receive_json_from(timeout=TIMEOUT) for _ in range(5)]
    like = await database_sync_to_async(Notification.objects.get)(type="like")
    expected_ids = [notification.pk for notification in stored] + [like.pk]
    assert [frame["notification"]["id"] for frame in frames[:4]] == expected_ids
    assert frames[4] == {"event": "resumed", "count": 4}
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_live_event_also_replayed_sent_once(alice, bob, alice_post, monkeypatch):
    """A notification both replayed and pushed live during the replay reaches the client once."""
    monkeypatch.setattr(consumers, "REPLAY_BATCH_SIZE", 1)
    stored = await database_sync_to_async(NotificationFactory)(recipient=alice.user)
    original = consumers._notifications_after

    def replay_then_like(recipient_id: int, after_id: int) -> list[dict]:
        rows = original(recipient_id, after_id)
        if after_id == 0:
            like_create(user=bob.user, post=alice_post)
        return rows

    monkeypatch.setattr(consumers, "_notifications_after", replay_then_like)
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": 0})

    frames = [await communicator.receive_json_from(timeout=TIMEOUT) for _ in range(3)]
    assert frames[0]["notification"]["id"] == stored.pk
    assert frames[1]["notification"]["type"] == "like"
    assert frames[2] == {"event": "resumed", "count": 2}
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_delete_during_replay_follows_notification(alice, bob, alice_post, monkeypatch):
    """A deletion pushed while the replay runs is sent after `resumed`, so after the row it deletes."""
    monkeypatch.setattr(consumers, "REPLAY_BATCH_SIZE", 1)
    await database_sync_to_async(like_create)(user=bob.user, post=alice_post)
    stored = await database_sync_to_async(NotificationFactory)(recipient=alice.user)
    original = consumers._notifications_after

    def replay_then_unlike(recipient_id: int, after_id: int) -> list[dict]:
        rows = original(recipient_id, after_id)
        if after_id == 0:
            like_delete(user=bob.user, post=alice_post)
        return rows

    monkeypatch.setattr(consumers, "_notifications_after", replay_then_unlike)
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": 0})

    frames = [await communicator.receive_json_from(timeout=TIMEOUT) for _ in range(4)]
    assert frames[0]["notification"]["type"] == "like"
    assert frames[1]["notification"]["id"] == stored.pk
    assert frames[2] == {"event": "resumed", "count": 2}
    assert frames[3] == {"event": "notification_deleted", "id": frames[0]["notification"]["id"]}
    await communicator.disconnect()


async def test_resume_failure_sends_error(alice, monkeypatch):
    def failing_read(recipient_id: int, after_id: int) -> list[dict]:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(consumers, "_notifications_after", failing_read)
    communicator = await connected_socket(alice.token_key)

    await communicator.send_json_to({"action": "resume", "after_id": 0})

    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["event"] == "error"
    assert frame["code"] == "resume_failed"
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"event": "pong"}
    await communicator.disconnect()


async def test_resume_then_live_events(alice, bob, alice_post):
    communicator = await connected_socket(alice.token_key)
    await communicator.send_json_to({"action": "resume", "after_id": 0})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"event": "resumed", "count": 0}

    comment = await database_sync_to_async(comment_create)(author=bob.user, post=alice_post, text="Hi")

    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["notification"]["comment"]["id"] == comment.pk
    await communicator.disconnect()


# Polling the inbox, for notifications stored by processes the channel layer does not reach.


async def test_poll_delivers_unpushed_notification(alice, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 0.1
    await database_sync_to_async(NotificationFactory)(recipient=alice.user)
    communicator = await connected_socket(alice.token_key)

    # Stored without a channel-layer event, as the Celery worker does without Redis.
    stored = await database_sync_to_async(NotificationFactory)(
        recipient=alice.user, actor=None, type=Notification.Type.POST_PUBLISHED, post=None
    )

    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["notification"]["id"] == stored.pk
    assert await communicator.receive_nothing(timeout=0.4)
    await communicator.disconnect()


async def test_poll_and_live_send_once(alice, bob, alice_post, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 0.1
    communicator = await connected_socket(alice.token_key)

    await database_sync_to_async(like_create)(user=bob.user, post=alice_post)

    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["notification"]["type"] == "like"
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_poll_finds_late_commit_below_sent_id(alice, settings):
    """A row that appears after a row with a higher id was sent, as a late commit does, is still delivered."""
    settings.NOTIFICATIONS_POLL_SECONDS = 0.1
    communicator = await connected_socket(alice.token_key)
    higher = await database_sync_to_async(NotificationFactory)(id=1000, recipient=alice.user)
    first = await communicator.receive_json_from(timeout=TIMEOUT)

    lower = await database_sync_to_async(NotificationFactory)(id=500, recipient=alice.user)

    second = await communicator.receive_json_from(timeout=TIMEOUT)
    assert first["notification"]["id"] == higher.pk
    assert second["notification"]["id"] == lower.pk
    await communicator.disconnect()


async def test_poll_skips_rows_before_connect(alice, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 0.1
    await database_sync_to_async(NotificationFactory)(recipient=alice.user)

    communicator = await connected_socket(alice.token_key)

    assert await communicator.receive_nothing(timeout=0.4)
    await communicator.disconnect()


async def test_account_cleanup_pushes_notification_deleted(alice, bob, alice_post):
    await database_sync_to_async(like_create)(user=bob.user, post=alice_post)
    communicator = await connected_socket(alice.token_key)

    await database_sync_to_async(engagement_delete_for_user)(user=bob.user)

    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["event"] == "notification_deleted"
    await communicator.disconnect()


async def test_poll_failures_logged_once(alice, settings, monkeypatch, caplog):
    settings.NOTIFICATIONS_POLL_SECONDS = 0.02
    caplog.set_level(logging.INFO, logger="apps.engagement.consumers")
    original = consumers._notifications_recent

    def failing_read(*args: object) -> list[dict]:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(consumers, "_notifications_recent", failing_read)
    communicator = await connected_socket(alice.token_key)
    await asyncio.sleep(0.4)
    monkeypatch.setattr(consumers, "_notifications_recent", original)
    await asyncio.sleep(0.2)
    await communicator.disconnect()

    messages = [record.getMessage() for record in caplog.records]
    assert sum("Polling the notifications of user" in message and "failed" in message for message in messages) == 1
    assert any("works again" in message for message in messages)
