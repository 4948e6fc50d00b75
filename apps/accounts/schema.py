"""OpenAPI description of the token authentication, and parameters the accounts lists share."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from project.schema import PAGE_SIZE_SCHEMA


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/v1/auth/login, sent as `Authorization: Bearer <token>`. "
            "`Authorization: Token <token>` is accepted too.",
        }


PAGINATION_PARAMETERS = [
    OpenApiParameter(
        "cursor", OpenApiTypes.STR, description="Opaque position from the `next` or `previous` link of a previous page."
    ),
    OpenApiParameter("page_size", PAGE_SIZE_SCHEMA, description="Items per page, 1 to 100 (default 20)."),
]
