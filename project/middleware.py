"""Request-wide middleware: request ids, the access log line and the body size cap."""

import logging
import re
import time
import uuid

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
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > settings.MAX_REQUEST_BODY_BYTES:
        return JsonResponse(
            {
                "detail": f"Request body is {length} bytes; the maximum is {settings.MAX_REQUEST_BODY_BYTES}.",
                "code": "request_too_large",
            },
            status=413,
        )
    return None


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
