"""Static files served by the ASGI server itself, from a file table WhiteNoise builds at startup.

WhiteNoise 6 is WSGI-only: its Django middleware is synchronous, and a response it returns
still goes through Django's ASGI handler, which reads a file response in a worker thread.
This ASGI wrapper keeps WhiteNoise's file table and response logic (ETag and Last-Modified
with 304, Range, Cache-Control, the .gz copies written by collectstatic) and sends the
file in 64 KiB chunks read off the event loop. Requests under STATIC_URL that match no file,
and every other request, go to the wrapped application. Static responses bypass Django's
middleware, so they carry no X-Request-ID and write no access log line.
"""

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import StaticFile

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CHUNK_BYTES = 64 * 1024


class StaticFilesApp:
    """Serve STATIC_URL from STATIC_ROOT under ASGI and pass every other request to `application`.

    With DEBUG on, files are looked up through the static file finders on each request, so
    edits show without collectstatic. With DEBUG off the table is built once: from STATIC_ROOT,
    or from the finders (with a warning) when collectstatic has not filled STATIC_ROOT.
    """

    def __init__(self, application: ASGIApp) -> None:
        self.application = application
        with warnings.catch_warnings():
            # A missing STATIC_ROOT is handled below, with a clearer message.
            warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
            self.whitenoise = WhiteNoiseMiddleware(get_response=None)
        if not self.whitenoise.autorefresh and not self.whitenoise.files:
            logger.warning(
                "STATIC_ROOT %s contains no collected files; serving static files from the apps' folders. "
                "Run `manage.py collectstatic` to serve the compressed copies.",
                settings.STATIC_ROOT,
            )
            self.whitenoise.add_files_from_finders()
        self.prefix = self.whitenoise.static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            static_file = self._find(scope["path"])
            if static_file is not None:
                await self._serve(static_file, scope, send)
                return
        await self.application(scope, receive, send)

    def _find(self, path: str) -> StaticFile | None:
        if self.whitenoise.autorefresh:
            return self.whitenoise.find_file(path)
        return self.whitenoise.files.get(path)

    async def _serve(self, static_file: StaticFile, scope: Scope, send: Send) -> None:
        # WhiteNoise reads request headers in WSGI form (HTTP_IF_NONE_MATCH, HTTP_RANGE, ...).
        request_headers = {
            "HTTP_" + name.decode("latin-1").upper().replace("-", "_"): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        response = static_file.get_response(scope["method"], request_headers)
        await send(
            {
                "type": "http.response.start",
                "status": int(response.status),
                "headers": [
                    (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers
                ],
            }
        )
        if response.file is None:
            await send({"type": "http.response.body", "body": b""})
            return

        loop = asyncio.get_running_loop()
        try:
            while True:
                chunk = await loop.run_in_executor(None, response.file.read, CHUNK_BYTES)
                more_body = len(chunk) == CHUNK_BYTES
                await send({"type": "http.response.body", "body": chunk, "more_body": more_body})
                if not more_body:
                    break
        finally:
            response.file.close()
