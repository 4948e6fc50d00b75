"""A bare ASGI application: the ceiling of what Daphne serves on this machine.

`daphne apps.bench.bare_asgi:application` responds to every HTTP request with a small constant
JSON body and no Django at all, so the benchmark can put the API's numbers beside the
server's own cost.
"""

from collections.abc import Awaitable, Callable
from typing import Any

BODY = b'{"status": "ok"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def application(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    # The request body is read to its end, as a real application would.
    message = await receive()
    while message.get("more_body"):
        message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
