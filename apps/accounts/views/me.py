"""The caller's own profile."""

from adrf.views import APIView
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize
from project.schema import error_responses

from ..examples import ME_EXAMPLE
from ..serializers import MeSerializer


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_retrieve",
        tags=["profile"],
        responses={200: MeSerializer, **error_responses(401)},
        examples=[OpenApiExample("Own profile", value=ME_EXAMPLE, response_only=True)],
    )
    async def get(self, request: Request) -> Response:
        """Return the caller's own profile, with email."""
        body = await run_sync(serialize, MeSerializer, request.user, request)
        return Response(body)
