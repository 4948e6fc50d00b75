"""Validation of uploaded pictures by decoding them with Pillow, and removal of their metadata."""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from .exceptions import validation_error

# Pillow format name -> file extension of the stored copy.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MAX_FRAMES = 200


@dataclass(frozen=True)
class CleanImage:
    file: ContentFile
    width: int
    height: int


def _decode(upload: UploadedFile, field: str, max_pixels: int) -> Image.Image:
    """Open and fully decode the upload, raising a 400 for anything but a sane picture."""
    invalid = validation_error(
        field, "The file is not a valid image: upload a JPEG, PNG, GIF or WebP picture.", "invalid_image"
    )
    # Pillow raises DecompressionBombError past twice this limit; the check below covers the rest.
    Image.MAX_IMAGE_PIXELS = max_pixels
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)
            if image.format not in ALLOWED_FORMATS:
                raise validation_error(
                    field,
                    f"Unsupported image format {image.format}: upload a JPEG, PNG, GIF or WebP picture.",
                    "invalid_image",
                )
            width, height = image.size
            if width * height > max_pixels:
                raise validation_error(
                    field,
                    f"The image is {width}x{height} pixels; the maximum is {max_pixels:,} pixels in all.",
                    "image_too_large",
                )
            if getattr(image, "n_frames", 1) > MAX_FRAMES:
                raise validation_error(field, f"Animated images may have at most {MAX_FRAMES} frames.", "image_too_large")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise validation_error(
                field, f"The image is larger than {max_pixels:,} pixels in all.", "image_too_large"
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise invalid from None
    return image


def _encode(image: Image.Image, image_format: str) -> bytes:
    """Re-encode the pixels only: EXIF (GPS included), XMP, ICC text chunks and comments are dropped."""
    output = io.BytesIO()
    if image_format == "GIF" and getattr(image, "n_frames", 1) > 1:
        image.save(output, format="GIF", save_all=True, loop=image.info.get("loop", 0), duration=image.info.get("duration"))
        return output.getvalue()
    if image_format == "JPEG":
        # Apply the EXIF orientation to the pixels before the EXIF block is dropped.
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, format="JPEG", quality=90, optimize=True)
    elif image_format == "WEBP":
        image.save(output, format="WEBP", quality=90)
    else:
        image.save(output, format=image_format)
    return output.getvalue()


def image_clean(upload: UploadedFile, *, field: str, max_bytes: int) -> CleanImage:
    """Check an uploaded picture and return a copy without metadata, named at random.

    Raises a 400 naming `field` when the file is too big, not an image, of another format
    than JPEG, PNG, GIF or WebP, over IMAGE_MAX_PIXELS, a decompression bomb or truncated.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise validation_error(
            field, f"The file is {upload.size:,} bytes; the maximum is {max_bytes:,} bytes.", "file_too_large"
        )
    image = _decode(upload, field, settings.IMAGE_MAX_PIXELS)
    image_format = image.format or ""
    width, height = image.size
    data = _encode(image, image_format)
    if image_format == "JPEG":
        # exif_transpose may have swapped the sides.
        width, height = Image.open(io.BytesIO(data)).size
    name = f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}"
    return CleanImage(file=ContentFile(data, name=name), width=width, height=height)
