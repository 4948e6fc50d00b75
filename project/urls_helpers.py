"""Absolute URLs for stored files, with or without a request at hand."""

from django.conf import settings
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from rest_framework.request import Request


def absolute_media_url(file: FieldFile | None, request: Request | None) -> str | None:
    """Return the absolute URL of a stored file, or None when the field is empty.

    Outside a request (WebSocket events, Celery tasks) the base is PUBLIC_URL.
    """
    if not file:
        return None
    url = file.url
    if url.startswith(("http://", "https://")):
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    return f"{settings.PUBLIC_URL}{url}"


def absolute_file_url(field: FileField, name: str | None, request: Request | None) -> str | None:
    """Return the absolute URL of a file stored in `field` from its name, as read in a plain row."""
    if not name:
        return None
    return absolute_media_url(field.attr_class(None, field, name), request)
