"""Avatars: upload through PATCH /api/v1/me, replacement and DELETE /api/v1/me/avatar."""

import io
import os

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image
from rest_framework import status

from apps.accounts import services
from apps.accounts.models import User

from .conftest import jpeg_with_gps, picture, upload

URL = "/api/v1/me"
AVATAR_URL = "/api/v1/me/avatar"


def _patch_avatar(client, content: bytes, name: str = "avatar.png", content_type: str = "image/png", **fields):
    return client.patch(URL, {"avatar": upload(content, name, content_type), **fields}, format="multipart")


def _stored(user_id: int) -> str:
    return User.objects.get(pk=user_id).avatar.name


def test_avatar_png_upload(alice_client):
    response = _patch_avatar(alice_client, picture("PNG", (64, 48)), bio="With a picture")
    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    name = _stored(alice_client.user.pk)
    assert name.startswith(f"avatars/{alice_client.user.pk}/")
    assert name.endswith(".png")
    assert body["avatar"] == f"http://testserver/media/{name}"
    assert body["bio"] == "With a picture"
    with default_storage.open(name) as stored:
        image = Image.open(stored)
        assert (image.format, image.size) == ("PNG", (64, 48))


def test_avatar_jpeg_upload(alice_client):
    response = _patch_avatar(alice_client, picture("JPEG"), "me.jpeg", "image/jpeg")
    assert response.status_code == status.HTTP_200_OK, response.content
    assert _stored(alice_client.user.pk).endswith(".jpg")


def test_avatar_name_chosen_by_server(alice_client):
    response = _patch_avatar(alice_client, picture("PNG"), "../../etc/passwd.png")
    assert response.status_code == status.HTTP_200_OK, response.content
    name = _stored(alice_client.user.pk)
    assert "passwd" not in name
    assert ".." not in name


def test_avatar_exif_gps_stripped(alice_client):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825), "the test picture must carry GPS data"
    response = _patch_avatar(alice_client, original, "photo.jpg", "image/jpeg")
    assert response.status_code == status.HTTP_200_OK, response.content
    with default_storage.open(_stored(alice_client.user.pk)) as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert "exif" not in image.info
    assert len(image.getexif()) == 0
    assert b"Test Camera" not in data


def test_avatar_text_file_named_png_rejected(alice_client):
    response = _patch_avatar(alice_client, b"just some text, not a picture\n" * 10, "notes.png")
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["avatar"]
    assert _stored(alice_client.user.pk) == ""


def test_avatar_unsupported_format_rejected(alice_client):
    response = _patch_avatar(alice_client, picture("BMP"), "old.bmp", "image/bmp")
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["avatar"]


def test_avatar_over_5_mb_rejected(alice_client):
    content = picture("PNG") + b"\0" * settings.AVATAR_MAX_BYTES
    response = _patch_avatar(alice_client, content)
    assert response.status_code in (status.HTTP_400_BAD_REQUEST, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE), (
        response.content
    )
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        assert list(response.json()["errors"]) == ["avatar"]
    assert _stored(alice_client.user.pk) == ""


@pytest.mark.parametrize("size", [(8000, 6000), (12000, 10000)], ids=["48-megapixels", "120-megapixels-bomb"])
def test_avatar_too_many_pixels_rejected(alice_client, size):
    # A 1-bit picture compresses to a few kilobytes whatever its size in pixels.
    content = picture("PNG", size, mode="1")
    assert len(content) < settings.AVATAR_MAX_BYTES
    response = _patch_avatar(alice_client, content)
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["avatar"]


def test_avatar_truncated_file_rejected(alice_client):
    response = _patch_avatar(alice_client, picture("PNG", (300, 300))[:200])
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["avatar"]


def test_avatar_empty_file_rejected(alice_client):
    response = _patch_avatar(alice_client, b"")
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["avatar"]


def test_avatar_replacement_deletes_old_file(alice_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _patch_avatar(alice_client, picture("PNG"))
    first = _stored(alice_client.user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _patch_avatar(alice_client, picture("JPEG"), "new.jpg", "image/jpeg")
    assert response.status_code == status.HTTP_200_OK, response.content
    second = _stored(alice_client.user.pk)
    assert second != first
    assert default_storage.exists(second)
    assert not default_storage.exists(first)


def test_avatar_failed_update_removes_new_file(alice_client, bob_client, monkeypatch):
    # The username check is skipped, so the write fails on the constraint after the file was saved.
    monkeypatch.setattr(services, "username_taken", lambda *args, **kwargs: False)
    before = set(_files(alice_client.user.pk))
    response = _patch_avatar(alice_client, picture("PNG"), username="bob")
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert set(_files(alice_client.user.pk)) == before


def _files(user_id: int) -> list[str]:
    folder = os.path.join(settings.MEDIA_ROOT, "avatars", str(user_id))
    return os.listdir(folder) if os.path.isdir(folder) else []


def test_avatar_delete_removes_file(alice_client, django_capture_on_commit_callbacks):
    _patch_avatar(alice_client, picture("PNG"))
    name = _stored(alice_client.user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.delete(AVATAR_URL)
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert _stored(alice_client.user.pk) == ""
    assert not default_storage.exists(name)
    assert alice_client.get(URL).json()["avatar"] is None


def test_avatar_delete_without_avatar_204(alice_client):
    response = alice_client.delete(AVATAR_URL)
    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content


def test_avatar_delete_anonymous_401(api_client, db):
    response = api_client.delete(AVATAR_URL)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_avatar_shown_in_public_profile(alice_client, api_client):
    _patch_avatar(alice_client, picture("PNG"))
    response = api_client.get("/api/v1/users/alice")
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["avatar"] == f"http://testserver/media/{_stored(alice_client.user.pk)}"
