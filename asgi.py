"""ASGI entry point: HTTP to Django, WebSockets to Channels consumers."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django must be set up before the consumers and their models are imported.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from apps.engagement.routing import websocket_urlpatterns  # noqa: E402
from project.middleware import RequestBodyLimit  # noqa: E402
from project.server import daphne_form_parsing_disable  # noqa: E402
from project.staticfiles import StaticFilesApp  # noqa: E402

daphne_form_parsing_disable()

application = ProtocolTypeRouter(
    {
        # Static files (the offline API docs' assets) are served from WhiteNoise's file table
        # without entering Django. Every other path goes to the Django application, with
        # request bodies capped at MAX_REQUEST_BODY_BYTES.
        "http": StaticFilesApp(RequestBodyLimit(django_application)),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
