"""Reference endpoints for the benchmark, routed only when BENCH_ENDPOINTS is on."""

from adrf.views import APIView
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

FLOOR_BODY = {"status": "ok"}


class FloorView(APIView):
    """The framework floor: an adrf view with the API's authentication that returns a constant.

    It passes the same middleware, token lookup (one query) and permission check as every
    authenticated endpoint, and does nothing else, so an endpoint's throughput divided by
    this one's is the share its own queries and serialization leave.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    async def get(self, request: Request) -> Response:
        return Response(FLOOR_BODY)
