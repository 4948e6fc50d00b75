"""WebSocket routes."""

from django.urls import URLPattern, re_path

from .consumers import NotificationConsumer

websocket_urlpatterns: list[URLPattern] = [
    # With or without a trailing slash, like the HTTP paths.
    re_path(r"^ws/notifications/?$", NotificationConsumer.as_asgi()),
]
