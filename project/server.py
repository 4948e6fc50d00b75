"""Adjustments to the Daphne HTTP server, applied when `asgi.py` is imported.

Twisted's `http.Request`, which Daphne's `WebRequest` extends, parses every
`multipart/form-data` and `application/x-www-form-urlencoded` body into `request.args`
before Daphne handles the request (Twisted 26.10, Daphne 4.2.3). Daphne never reads those
`args`: it passes the raw body to the application, which parses it again. The first parse
costs about 0.3 s of the event loop thread and 120 MB of memory for a 10 MB upload, and a
body Twisted cannot parse gets a bare `400` without a JSON body before the request reaches
Django. Switching that parse off leaves all body handling to Django and DRF.
"""

from typing import Any

from daphne.http_protocol import WebRequest

_PATCHED_FLAG = "_form_body_parsing_disabled"


def daphne_form_parsing_disable() -> None:
    """Make Daphne's requests skip Twisted's form body parsing. Calling it again does nothing."""
    if getattr(WebRequest, _PATCHED_FLAG, False):
        return
    original_init = WebRequest.__init__

    def init_without_form_parsing(self: WebRequest, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parsePOSTFormSubmission", False)
        original_init(self, *args, **kwargs)

    WebRequest.__init__ = init_without_form_parsing  # type: ignore[method-assign]
    setattr(WebRequest, _PATCHED_FLAG, True)
