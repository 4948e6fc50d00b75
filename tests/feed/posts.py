"""Test data for posts: pictures to upload, and posts created through the service."""

import io
from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.feed import services
from apps.feed.models import Media, Post
from project.images import image_clean

MEDIA_URL = "/api/v1/media"
POSTS_URL = "/api/v1/posts"
FEED_URL = "/api/v1/feed"
HASHTAGS_URL = "/api/v1/hashtags"


def post_url(post_id: int) -> str:
    return f"{POSTS_URL}/{post_id}"


def image_bytes(size: tuple[int, int] = (8, 6), image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=image_format)
    return buffer.getvalue()


def image_upload(name: str = "picture.png", size: tuple[int, int] = (8, 6)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(size), content_type="image/png")


def media_stored(*, owner: User, description: str = "") -> Media:
    """Store an unattached picture as POST /media does."""
    image = image_clean(image_upload(), field="file", max_bytes=10 * 1024 * 1024)
    return services.media_create(owner=owner, image=image, description=description)


def media_upload(client: APIClient, **fields: object) -> int:
    """Upload a picture through the API and return its id."""
    response = client.post(MEDIA_URL, {"file": image_upload(), **fields}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def post_stored(
    *, author: User, text: str = "A post", media: list[Media] = (), publish_at: datetime | None = None
) -> Post:
    """Create a post through the service, so hashtags and counts are maintained."""
    return services.post_create(author=author, text=text, media_ids=[item.pk for item in media], publish_at=publish_at)


def list_get(client: APIClient, path: str, data: dict | None = None, max_queries: int = 3):  # type: ignore[no-untyped-def]
    """GET a list endpoint and assert it ran at most `max_queries` SQL queries, authentication included."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, data)
    assert len(queries) <= max_queries, "\n".join(query["sql"] for query in queries.captured_queries)
    return response
