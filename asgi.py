"""ASGI entry point: HTTP to Django, WebSockets to Channels consumers."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django must be set up before the consumers and their models are imported.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from apps.engagement.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Static files (the offline API docs' assets) are served by Django's ASGI handler;
        # every other path goes straight to the Django application.
        "http": ASGIStaticFilesHandler(django_application),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
