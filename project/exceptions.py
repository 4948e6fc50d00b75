"""The API's one error handler, and the error classes that services raise.

Every error body has a human-readable `detail` and a stable snake_case `code`; a
validation error adds `errors`, mapping each field (or `non_field_errors`) to messages.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def validation_error(field: str, message: str, code: str = "invalid") -> exceptions.ValidationError:
    """Build a 400 naming one field, for rules checked outside a serializer."""
    return exceptions.ValidationError({field: [exceptions.ErrorDetail(message, code=code)]})


def _flatten(errors: object) -> dict[str, list[str]]:
    """Map nested serializer errors onto `field` or `field.sub` keys with lists of strings."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            flat.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in value)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if item:
                    walk(f"{prefix}.{index}" if prefix else str(index), item)
        else:
            flat.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", errors)
    return flat


def _first_code(codes: object) -> str:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
    if isinstance(codes, list) and codes:
        return _first_code(codes[0])
    return "invalid"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render any exception raised in a view in the API's error shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django raises it while reading a JSON or form body over DATA_UPLOAD_MAX_MEMORY_SIZE.
        exc = RequestTooLarge(
            f"The request body, uploaded files aside, is over the maximum of "
            f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."
        )
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = exceptions.ParseError(f"{exc} Send fewer fields.")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        first_field = next(iter(errors))
        first_message = errors[first_field][0]
        detail = first_message if first_field == "non_field_errors" else f"{first_field}: {first_message}"
        response.data = {"detail": detail, "code": "invalid", "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = _first_code(exc.get_codes()) if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(detail, (list, dict)):
            detail = "; ".join(f"{key}: {value[0]}" for key, value in _flatten(detail).items())
        response.data = {"detail": str(detail), "code": code}
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            # Every 400 carries `errors`, so clients read one shape. A body that could not be
            # parsed has no field to blame.
            response.data["errors"] = {"non_field_errors": [str(detail)]}
    return response


# Django-level handlers, for errors raised outside DRF views (unknown paths, crashes).


def error_response(status_code: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    detail = "The request is malformed."
    return JsonResponse({"detail": detail, "code": "bad_request", "errors": {"non_field_errors": [detail]}}, status=400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(403, "You do not have permission to perform this action.", "permission_denied")


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(404, f"No endpoint or resource at {request.path}.", "not_found")


def handler500(request: HttpRequest) -> JsonResponse:
    return error_response(500, "Internal server error. The request id in X-Request-ID identifies it in the logs.", "server_error")
