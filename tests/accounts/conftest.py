"""Fixtures of the accounts tests: pictures made with Pillow and a listener for token revocations."""

import asyncio
import io
from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from project.realtime import token_group


def picture(image_format: str = "PNG", size: tuple[int, int] = (64, 48), *, mode: str = "RGB", **save: object) -> bytes:
    """Return the bytes of a picture drawn with Pillow in `image_format`."""
    output = io.BytesIO()
    Image.new(mode, size, color=1 if mode == "1" else (200, 80, 40)).save(output, format=image_format, **save)
    return output.getvalue()


def jpeg_with_gps() -> bytes:
    """Return a JPEG whose EXIF block carries GPS coordinates and a camera model."""
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Test Camera"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    return picture("JPEG", exif=exif)


def upload(content: bytes, name: str = "avatar.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def revocations() -> Callable[..., Callable[[], list[dict]]]:
    """Return `listen(token_id)`, which subscribes to a token's group and returns a function draining its messages.

    The messages are those the WebSocket consumer closes sockets on.
    """
    layer = get_channel_layer()

    def listen(token_id: int) -> Callable[[], list[dict]]:
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(token_group(token_id), channel)

        async def drain() -> list[dict]:
            messages = []
            while True:
                try:
                    messages.append(await asyncio.wait_for(layer.receive(channel), timeout=0.3))
                except TimeoutError:
                    return messages

        return async_to_sync(drain)

    return listen
