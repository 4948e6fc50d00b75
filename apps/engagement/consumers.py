"""The live notifications WebSocket: authentication, live events, resume and inbox polling.

Frames sent: `{"event": "notification", "notification": {...}}`, `{"event":
"notification_deleted", "id": N}`, `{"event": "resumed", "count": k}`, `{"event": "pong"}`
and `{"event": "error", "code": ..., "detail": ...}`. Every path (live event, resume replay,
poll) sends through `_send_notification`, which drops ids already sent on the socket, so a
notification reaches a socket once while its id is among the last SENT_IDS_LIMIT sent.
"""

import asyncio
import contextlib
import json
import logging
from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import AuthToken
from apps.accounts.selectors import token_authenticate
from project.realtime import token_group, user_group

from . import selectors
from .serializers import NotificationSerializer

logger = logging.getLogger(__name__)

SUBPROTOCOL = "bearer"
AUTHORIZATION_KEYWORDS = ("bearer", "token")
CLOSE_TOKEN_REVOKED = 4401
REPLAY_BATCH_SIZE = 100
POLL_BATCH_SIZE = 100
# How far back a poll looks for rows that committed after a row with a higher id. Since
# `notifications.recipients_lock` orders each recipient's commits by id, this is a second guard.
POLL_LOOKBACK = timedelta(seconds=60)
# Sent ids remembered per socket; beyond this the lowest half is forgotten.
SENT_IDS_LIMIT = 10_000
# The largest id a 64-bit id column can hold.
MAX_ID = 2**63 - 1
# A failing poll logs its first failure, then one in this many, so an outage does not flood the log.
POLL_FAILURE_LOG_EVERY = 60


def _credentials(scope: dict) -> tuple[str | None, bool]:
    """Return the token from the Authorization header, else from the subprotocol pair.

    The second value is whether the client offered the `bearer` subprotocol: the server
    must then accept with it, or browsers abort the connection.
    """
    subprotocols = list(scope.get("subprotocols") or [])
    offered_bearer = bool(subprotocols) and subprotocols[0] == SUBPROTOCOL
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0].lower() in AUTHORIZATION_KEYWORDS:
                return parts[1], offered_bearer
            return None, offered_bearer
    if offered_bearer and len(subprotocols) == 2:
        return subprotocols[1], True
    return None, offered_bearer


def _serialize(notifications: list) -> list[dict]:
    return [NotificationSerializer(notification, context={"request": None}).data for notification in notifications]


def _token_still_active(token_id: int) -> bool:
    return AuthToken.objects.active().filter(pk=token_id).exists()


def _notifications_after(recipient_id: int, after_id: int) -> list[dict]:
    return _serialize(
        selectors.notifications_after(recipient_id=recipient_id, after_id=after_id, limit=REPLAY_BATCH_SIZE)
    )


def _notifications_recent(recipient_id: int, floor_id: int, above_id: int) -> list[dict]:
    notifications = selectors.notifications_recent(
        recipient_id=recipient_id,
        floor_id=floor_id,
        above_id=above_id,
        since=timezone.now() - POLL_LOOKBACK,
        limit=POLL_BATCH_SIZE,
    )
    return _serialize(notifications)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Pushes the notifications of the authenticated user to one socket."""

    user_id: int | None = None
    token_id: int | None = None

    async def connect(self) -> None:
        self.sent_ids: set[int] = set()
        self.highest_sent_id = 0
        # The poll pushes only ids above this: older rows are sent on request (resume).
        self.floor_id = 0
        # Frames of live events held back while a resume replays stored rows.
        self.held_frames: list[dict] | None = None
        self.send_lock = asyncio.Lock()
        self.replay_task: asyncio.Task | None = None
        self.poll_task: asyncio.Task | None = None

        key, offered_bearer = _credentials(self.scope)
        token = await database_sync_to_async(token_authenticate)(key) if key else None
        if token is None:
            logger.info("WebSocket handshake rejected: missing or invalid token")
            await self.close()
            return

        self.groups = [user_group(token.user_id), token_group(token.pk)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        # A revocation that committed before the group join reached no socket, so check again.
        if not await database_sync_to_async(_token_still_active)(token.pk):
            logger.info("WebSocket handshake rejected: token %s revoked during the handshake", token.pk)
            await self.close()
            return

        self.user_id, self.token_id = token.user_id, token.pk
        self.floor_id = await database_sync_to_async(selectors.notification_max_id)(recipient_id=self.user_id)
        await self.accept(subprotocol=SUBPROTOCOL if offered_bearer else None)
        logger.info("WebSocket connected: user %s, token %s", self.user_id, self.token_id)

        interval = float(settings.NOTIFICATIONS_POLL_SECONDS)
        if interval > 0:
            self.poll_task = asyncio.create_task(self._poll(interval))

    async def disconnect(self, code: int) -> None:
        for task in (self.poll_task, self.replay_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.user_id is not None:
            logger.info("WebSocket disconnected: user %s, token %s, code %s", self.user_id, self.token_id, code)

    # Client frames.

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if text_data is None:
            await self._send_error("invalid_frame", "Binary frames are not supported: send JSON text frames.")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._send_error("malformed_json", "The frame is not valid JSON.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action == "ping":
            await self.send_json({"event": "pong"})
        elif action == "resume":
            await self._start_resume(content.get("after_id"))
        elif isinstance(action, str):
            await self._send_error("unknown_action", f'Unknown action "{action[:50]}": use "ping" or "resume".')
        else:
            await self._send_error("invalid", 'Send a JSON object with an "action": "ping" or "resume".')

    async def _start_resume(self, after_id: object) -> None:
        if isinstance(after_id, bool) or not isinstance(after_id, int) or not 0 <= after_id <= MAX_ID:
            await self._send_error("invalid", f'"after_id" must be a notification id: an integer from 0 to {MAX_ID}.')
            return
        if self.held_frames is not None:
            await self._send_error("resume_in_progress", 'A resume is running: wait for its "resumed" event.')
            return
        # Live events are held until the replay is sent. The replay runs as a task, so the
        # consumer keeps taking events off the channel layer, whose queue is bounded, meanwhile.
        self.held_frames = []
        self.replay_task = asyncio.create_task(self._resume(after_id))

    async def _resume(self, after_id: int) -> None:
        """Send every stored notification above `after_id`, oldest first, then `resumed`, then the held frames."""
        try:
            async with self.send_lock:
                count = 0
                cursor = after_id
                while True:
                    batch = await database_sync_to_async(_notifications_after)(self.user_id, cursor)
                    for data in batch:
                        if await self._send_notification(data):
                            count += 1
                    if len(batch) < REPLAY_BATCH_SIZE:
                        break
                    cursor = batch[-1]["id"]
                self.floor_id = min(self.floor_id, after_id)
                await self.send_json({"event": "resumed", "count": count})

                held = self.held_frames or []
                while held:
                    await self._send_frame(held.pop(0))
        except Exception:
            logger.exception("Replaying the notifications of user %s after id %s failed", self.user_id, after_id)
            await self._send_error("resume_failed", "The replay failed on the server: send the resume again.")
        finally:
            self.held_frames = None

    # Channel-layer events, sent by `apps.engagement.notifications` and `project.realtime`.

    async def notification_created(self, event: dict) -> None:
        await self._live({"event": "notification", "notification": event["notification"]})

    async def notification_deleted(self, event: dict) -> None:
        await self._live({"event": "notification_deleted", "id": event["id"]})

    async def token_revoked(self, event: dict) -> None:
        logger.info("Closing the WebSocket of user %s: token %s revoked", self.user_id, self.token_id)
        await self.close(code=CLOSE_TOKEN_REVOKED)

    # Sending.

    async def _live(self, frame: dict) -> None:
        if self.held_frames is not None:
            self.held_frames.append(frame)
        else:
            await self._send_frame(frame)

    async def _send_frame(self, frame: dict) -> None:
        if frame["event"] == "notification":
            await self._send_notification(frame["notification"])
        else:
            await self.send_json(frame)

    async def _send_notification(self, data: dict) -> bool:
        """Send one notification unless this socket already got it; return whether it was sent."""
        notification_id = data["id"]
        if notification_id in self.sent_ids:
            return False
        self.sent_ids.add(notification_id)
        self.highest_sent_id = max(self.highest_sent_id, notification_id)
        if len(self.sent_ids) > SENT_IDS_LIMIT:
            self.sent_ids = set(sorted(self.sent_ids)[SENT_IDS_LIMIT // 2 :])
        await self.send_json({"event": "notification", "notification": data})
        return True

    async def _send_error(self, code: str, detail: str) -> None:
        await self.send_json({"event": "error", "code": code, "detail": detail})

    # Polling the stored inbox, for notifications from processes the channel layer does not reach.

    async def _poll(self, interval: float) -> None:
        failures = 0
        while True:
            await asyncio.sleep(interval)
            try:
                async with self.send_lock:
                    batch = await database_sync_to_async(_notifications_recent)(
                        self.user_id, self.floor_id, max(self.floor_id, self.highest_sent_id)
                    )
                    for data in batch:
                        await self._send_notification(data)
            except Exception:
                if failures % POLL_FAILURE_LOG_EVERY == 0:
                    logger.exception(
                        "Polling the notifications of user %s failed (%s failures in a row)", self.user_id, failures + 1
                    )
                failures += 1
                continue
            if failures:
                logger.info(
                    "Polling the notifications of user %s works again after %s failures", self.user_id, failures
                )
                failures = 0
