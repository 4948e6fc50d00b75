"""Request-wide middleware: request ids, the access log line and the body size cap."""

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import sync_and_async_middleware

from .logging import request_id_var, user_id_var

logger = logging.getLogger("project.access")

# A client's X-Request-ID is kept when it is short and printable, else replaced.
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _request_id(request: HttpRequest) -> str:
    supplied = request.headers.get("X-Request-ID", "")
    if _REQUEST_ID_PATTERN.match(supplied):
        return supplied
    return uuid.uuid4().hex


def _too_large(request: HttpRequest) -> HttpResponse | None:
    """Return the 413 response for a body over MAX_REQUEST_BODY_BYTES, or None."""
    limit = settings.MAX_REQUEST_BODY_BYTES
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > limit:
        detail = f"Request body is {length} bytes; the maximum is {limit}."
    elif getattr(request, "scope", {}).get(BODY_TOO_LARGE):
        detail = f"Request body is over the maximum of {limit} bytes."
    else:
        return None
    return JsonResponse({"detail": detail, "code": "request_too_large"}, status=413)


def _finish(request: HttpRequest, response: HttpResponse, request_id: str, started: float) -> None:
    response["X-Request-ID"] = request_id
    user = getattr(request, "user", None)
    logger.info(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "user_id": getattr(user, "pk", None),
        },
    )


@sync_and_async_middleware
def RequestContextMiddleware(get_response):  # noqa: N802 - Django names middleware like classes
    """Tag the request with an id, reject oversized bodies, and log one line per request.

    Written as a sync-and-async function so that the async stack takes no thread hop here.
    """
    import asyncio

    if asyncio.iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            started = time.perf_counter()
            request_id = _request_id(request)
            request.request_id = request_id
            request_id_var.set(request_id)
            user_id_var.set(None)
            response = _too_large(request) or await get_response(request)
            _finish(request, response, request_id, started)
            return response

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            started = time.perf_counter()
            request_id = _request_id(request)
            request.request_id = request_id
            request_id_var.set(request_id)
            user_id_var.set(None)
            response = _too_large(request) or get_response(request)
            _finish(request, response, request_id, started)
            return response

    return middleware


# ASGI: the body size cap before Django reads the body.

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Scope key set by RequestBodyLimit when it withheld a body over the limit.
BODY_TOO_LARGE = "body_too_large"


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a receive function that yields `body` as one message, then the server's messages."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _discard_body(receive: Receive) -> Receive:
    """Return a receive function that yields an empty body, then drops the rest of the real one."""
    pending = True

    async def discard() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": b"", "more_body": False}
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message

    return discard


class RequestBodyLimit:
    """ASGI middleware that keeps request bodies over MAX_REQUEST_BODY_BYTES from Django.

    A body over the limit, by its Content-Length or counted as it arrives when it has none
    (chunked transfer encoding), is dropped: Django gets an empty body and the scope key
    BODY_TOO_LARGE, and RequestContextMiddleware returns a 413 in the API's error shape.
    A body without Content-Length within the limit is passed on with one, because Django
    and DRF read no body without it.

    NOTE: Daphne reads a whole request body into memory before the application runs, so
    this bounds the work after that and not Daphne's memory: cap bodies in a proxy too.
    """

    def __init__(self, application: ASGIApp) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.application(scope, receive, send)
            return
        limit = settings.MAX_REQUEST_BODY_BYTES
        length = _content_length(scope["headers"])
        if length is not None:
            if length > limit:
                scope = {**scope, BODY_TOO_LARGE: True}
                receive = _discard_body(receive)
            await self.application(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # The client disconnected before sending the whole body.
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                scope = {**scope, BODY_TOO_LARGE: True}
                await self.application(scope, _discard_body(receive), send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break

        body = b"".join(chunks)
        if body:
            headers = [(name, value) for name, value in scope["headers"] if name.lower() != b"transfer-encoding"]
            scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        await self.application(scope, _replay(body, receive), send)
