"""Operational endpoints: liveness, readiness and the JSON 404 for unknown paths."""

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from .exceptions import handler404

logger = logging.getLogger(__name__)



class NotReadyError(Exception):
    """A dependency that is reachable but not usable. The message names the dependency and the reason."""


async def healthz(request: HttpRequest) -> JsonResponse:
    """Return 200 while the process runs."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise NotReadyError("no channel layer is configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "readyz.ping"})
    await asyncio.wait_for(layer.receive(channel), timeout=2)


def _check_broker() -> None:
    from .celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _check_beat() -> None:
    from apps.feed.services import beat_heartbeat_age

    age = beat_heartbeat_age()
    if age is None:
        raise NotReadyError("celery beat has not started yet")
    if age > settings.BEAT_HEARTBEAT_MAX_AGE:
        raise NotReadyError(f"celery beat last ran {int(age.total_seconds())} s ago")


async def readyz(request: HttpRequest) -> JsonResponse:
    """Return 200 when every dependency responds, else 503 naming the failed ones."""
    checks = {
        "database": sync_to_async(_check_database),
        "channel_layer": _check_channel_layer,
        "broker": sync_to_async(_check_broker),
        "beat": sync_to_async(_check_beat),
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), timeout=5)
            results[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("Readiness check %s failed: %s", name, error)
            # Other errors show only their type: their messages may name hosts and users.
            results[name] = f"failed: {error}" if isinstance(error, NotReadyError) else f"failed: {type(error).__name__}"
    failed = [name for name, result in results.items() if result != "ok"]
    if failed:
        return JsonResponse(
            {"status": "unavailable", "detail": f"Not ready: {', '.join(failed)} failed.", "code": "not_ready", "checks": results},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": results})


async def not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """Return the JSON 404 for any path no route matches, also when DEBUG is on."""
    return handler404(request)
