"""OpenAPI helpers: the error shapes, paginated envelopes and per-status response maps."""

from functools import cache

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class AutoSchema(SpectacularAutoSchema):
    """Schema generator for the API's views.

    adrf viewsets name their actions `alist`, `acreate` and so on, which drf-spectacular
    does not recognise, so the names are mapped back before an operation is built.
    """

    _ASYNC_ACTIONS = {
        "alist": "list",
        "acreate": "create",
        "aretrieve": "retrieve",
        "aupdate": "update",
        "partial_aupdate": "partial_update",
        "adestroy": "destroy",
    }

    def get_operation(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        action = getattr(self.view, "action", None)
        if action in self._ASYNC_ACTIONS:
            self.view.action = self._ASYNC_ACTIONS[action]
        return super().get_operation(*args, **kwargs)

    def _map_basic_serializer(self, serializer, direction):  # type: ignore[no-untyped-def]
        """Leave out of `required` the read-only fields declared with `required=False`.

        Such a field is absent from some responses, as `liked_by_me` is for anonymous callers,
        but drf-spectacular lists every read-only field as required.
        """
        schema = super()._map_basic_serializer(serializer, direction)
        optional = {
            field.field_name
            for field in serializer.fields.values()
            if field.read_only and field._kwargs.get("required") is False
        }
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def get_summary(self) -> str | None:
        """Return the first line of the handler's docstring, so every operation has a summary.

        drf-spectacular itself gives none unless `extend_schema(summary=...)` is set.
        """
        action = getattr(self.view, "action", None)
        async_names = {name: async_name for async_name, name in self._ASYNC_ACTIONS.items()}
        for name in (async_names.get(action), action, self.method.lower()):
            handler = getattr(self.view, name, None) if name else None
            if handler is not None and (doc := get_doc(handler)):
                return doc.splitlines()[0]
        return None


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Human-readable explanation.")
    code = serializers.CharField(help_text="Stable machine-readable error code (snake_case).")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per invalid field, or under `non_field_errors`.",
    )


# The `page_size` query parameter of every list, as CursorPagination checks it.
PAGE_SIZE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}

# Query parameters of every cursor-paginated list.
PAGINATION_PARAMETERS = [
    OpenApiParameter(
        "cursor", OpenApiTypes.STR, description="Opaque position from the `next` or `previous` link of a previous page."
    ),
    OpenApiParameter("page_size", PAGE_SIZE_SCHEMA, description="Items per page, 1 to 100 (default 20)."),
]

# The header of the creates that project.idempotency.idempotent guards.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$", "minLength": 1, "maxLength": 255},
    location=OpenApiParameter.HEADER,
    description="1 to 255 printable ASCII characters. A repeat with the same key within 24 hours creates "
    "nothing and returns the first response with `Idempotent-Replayed: true`.",
)

_ERROR_EXAMPLES = {
    400: ("invalid", "text: This field may not be blank."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    409: ("conflict", "The request conflicts with the current state of the resource."),
    413: ("request_too_large", "Request body is 20971520 bytes; the maximum is 12582912."),
    415: ("unsupported_media_type", 'Unsupported media type "text/plain" in request.'),
    422: (
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request body: send a new key.",
    ),
    429: ("throttled", "Request was throttled. Expected available in 30 seconds."),
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """Return the documented error responses for the given status codes, with examples."""
    responses = {}
    for status_code in status_codes:
        code, detail = _ERROR_EXAMPLES[status_code]
        body: dict = {"detail": detail, "code": code}
        serializer: type[serializers.Serializer] = ErrorSerializer
        if status_code == 400:
            serializer = ValidationErrorSerializer
            body["errors"] = {"text": ["This field may not be blank."]}
        responses[status_code] = OpenApiResponse(
            response=serializer,
            description=code.replace("_", " ").capitalize(),
            examples=[OpenApiExample(code, value=body, response_only=True, status_codes=[str(status_code)])],
        )
    return responses


@cache
def paginated(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """Return the cursor-paginated envelope around a list of `serializer_class` items."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        name=f"Paginated{name}List",
        fields={
            "next": serializers.URLField(allow_null=True, help_text="URL of the next (older) page, or null."),
            "previous": serializers.URLField(allow_null=True, help_text="URL of the previous (newer) page, or null."),
            "results": serializer_class(many=True),
        },
    )


def page_example(name: str, item: dict, next_cursor: str = "cD0yMDI2LTEyLTA0") -> OpenApiExample:
    """Return a response example of one page holding `item`."""
    return OpenApiExample(
        name,
        value={"next": f"http://127.0.0.1:8000/api/v1/...?cursor={next_cursor}", "previous": None, "results": [item]},
        response_only=True,
        status_codes=["200"],
    )


def drop_slash_variants(endpoints: list[tuple]) -> list[tuple]:
    """Preprocessing hook: document each path once, without its trailing-slash twin."""
    return [endpoint for endpoint in endpoints if not endpoint[0].endswith("/")]
