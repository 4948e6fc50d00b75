"""POST /api/v1/media."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.feed.models import Media

from .posts import MEDIA_URL, image_bytes, image_upload

pytestmark = pytest.mark.django_db


def test_media_upload_created(alice_client):
    response = alice_client.post(
        MEDIA_URL, {"file": image_upload(size=(40, 30)), "description": "A teal square"}, format="multipart"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "width", "height", "description"}
    assert body["width"] == 40
    assert body["height"] == 30
    assert body["description"] == "A teal square"
    assert body["url"].startswith("http://testserver/media/posts/")
    assert body["url"].endswith(".png")
    assert response["Location"] == body["url"]
    media = Media.objects.get(pk=body["id"])
    assert media.owner == alice_client.user
    assert media.post is None
    assert media.file.storage.exists(media.file.name)


def test_media_file_served(alice_client, settings):
    response = alice_client.post(MEDIA_URL, {"file": image_upload()}, format="multipart")
    assert response.status_code == 201, response.content

    served = alice_client.get(response.json()["url"].removeprefix("http://testserver"))

    assert served.status_code == 200
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (8, 6)


def test_media_description_optional(alice_client):
    response = alice_client.post(MEDIA_URL, {"file": image_upload()}, format="multipart")

    assert response.status_code == 201, response.content
    assert response.json()["description"] == ""


def test_media_exif_stripped(alice_client):
    image = Image.new("RGB", (16, 16), "white")
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    upload = SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")

    response = alice_client.post(MEDIA_URL, {"file": upload}, format="multipart")

    assert response.status_code == 201, response.content
    media = Media.objects.get(pk=response.json()["id"])
    with media.file.open("rb") as stored:
        data = stored.read()
    assert b"SecretCameraMaker" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


@pytest.mark.parametrize(
    ("upload", "field"),
    [
        (SimpleUploadedFile("notes.png", b"not a picture at all", content_type="image/png"), "file"),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), "file"),
        (SimpleUploadedFile("shot.bmp", image_bytes(image_format="BMP"), content_type="image/bmp"), "file"),
    ],
)
def test_media_invalid_file_rejected(alice_client, upload, field):
    response = alice_client.post(MEDIA_URL, {"file": upload}, format="multipart")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Media.objects.exists()


def test_media_missing_file_rejected(alice_client):
    response = alice_client.post(MEDIA_URL, {"description": "no file"}, format="multipart")

    assert response.status_code == 400, response.content
    assert "file" in response.json()["errors"]


def test_media_over_limit_rejected(alice_client, settings):
    settings.MEDIA_MAX_BYTES = 100

    response = alice_client.post(MEDIA_URL, {"file": image_upload(size=(64, 64))}, format="multipart")

    assert response.status_code == 400, response.content
    assert response.json()["errors"]["file"][0].startswith("The file is")
    assert not Media.objects.exists()


def test_media_body_too_large(alice_client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000

    upload = SimpleUploadedFile("big.png", bytes(2000), content_type="image/png")

    response = alice_client.post(MEDIA_URL, {"file": upload}, format="multipart")

    assert response.status_code == 413, response.content
    assert response.json()["code"] == "request_too_large"


def test_media_description_too_long(alice_client):
    response = alice_client.post(MEDIA_URL, {"file": image_upload(), "description": "x" * 1501}, format="multipart")

    assert response.status_code == 400, response.content
    assert "description" in response.json()["errors"]


def test_media_json_body_unsupported(alice_client):
    response = alice_client.post(MEDIA_URL, {"description": "json"}, format="json")

    assert response.status_code == 415, response.content


def test_media_anonymous_unauthorized(api_client):
    response = api_client.post(MEDIA_URL, {"file": image_upload()}, format="multipart")

    assert response.status_code == 401, response.content
    assert "WWW-Authenticate" in response


def test_media_idempotency_key_replays(alice_client):
    first = alice_client.post(MEDIA_URL, {"file": image_upload()}, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1")
    again = alice_client.post(MEDIA_URL, {"file": image_upload()}, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1")

    assert first.status_code == 201, first.content
    assert again.status_code == 201, again.content
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Media.objects.count() == 1
