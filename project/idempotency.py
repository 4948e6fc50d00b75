"""`Idempotency-Key` support: a retried create returns the first response instead of acting twice."""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import IdempotencyRecord

from .exceptions import validation_error

HEADER = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request body: send a new key."
    default_code = "idempotency_key_reused"


@dataclass
class Outcome:
    """The response of a create, kept so a repeat can return it unchanged."""

    body: dict
    status_code: int = status.HTTP_201_CREATED
    headers: dict[str, str] = field(default_factory=dict)

    def response(self, replayed: bool = False) -> Response:
        headers = dict(self.headers)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(self.body, status=self.status_code, headers=headers)


def _request_hash(request: Request) -> str:
    """Hash the parsed body; uploaded files count by name, size and content type."""
    if not hasattr(request.data, "keys"):
        # A JSON body that is not an object, which the endpoint's serializer rejects with a 400.
        return hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
    parts = {}
    for key in sorted(request.data.keys()):
        value = request.data.getlist(key) if hasattr(request.data, "getlist") else request.data[key]
        parts[key] = [
            (item.name, item.size, item.content_type) if isinstance(item, UploadedFile) else item
            for item in (value if isinstance(value, list) else [value])
        ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request: Request, perform: Callable[[], Outcome]) -> Response:
    """Run `perform` once per `Idempotency-Key` of the caller and endpoint within IDEMPOTENCY_TTL.

    Synchronous. Without the header, `perform` simply runs. With it, the key is inserted
    in the same transaction as the create, so of two concurrent copies the second waits on
    the unique index, then replays the first one's stored response. A failed create stores
    nothing, so the client can fix the request and retry with the same key.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return perform().response()
    if not _KEY_PATTERN.match(key):
        raise validation_error(HEADER, "Must be 1 to 255 printable ASCII characters without spaces.")

    scope = f"{request.method} {request.path.rstrip('/')}"
    request_hash = _request_hash(request)
    IdempotencyRecord.objects.filter(
        user=request.user, scope=scope, key=key, created_at__lt=timezone.now() - settings.IDEMPOTENCY_TTL
    ).delete()

    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=request.user, scope=scope, key=key, request_hash=request_hash)
        except IntegrityError:
            record = None
        if record is not None:
            outcome = perform()
            record.status_code = outcome.status_code
            record.response_body = outcome.body
            record.response_headers = outcome.headers
            record.save(update_fields=["status_code", "response_body", "response_headers"])
            return outcome.response()

    stored = IdempotencyRecord.objects.get(user=request.user, scope=scope, key=key)
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return Outcome(stored.response_body, stored.status_code, stored.response_headers).response(replayed=True)


def idempotency_records_delete_expired(*, now: datetime | None = None) -> int:
    """Delete stored responses older than IDEMPOTENCY_TTL, and return how many. Beat runs it hourly."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
