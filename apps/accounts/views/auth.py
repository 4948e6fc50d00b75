"""Authentication endpoints: registration, login, logout, tokens and the password."""

from adrf.views import APIView
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize, validate
from project.schema import error_responses

from .. import services
from ..examples import ME_EXAMPLE
from ..serializers import MeSerializer, RegisterSerializer


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_register",
        tags=["auth"],
        request=RegisterSerializer,
        responses={201: MeSerializer, **error_responses(400, 429)},
        examples=[
            OpenApiExample(
                "Register",
                value={"email": "alice@example.com", "username": "alice", "password": "a long passphrase"},
                request_only=True,
            ),
            OpenApiExample("Registered", value=ME_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    async def post(self, request: Request) -> Response:
        """Register an account with email, username and password."""
        data = await run_sync(validate, RegisterSerializer, request.data, request)

        user = await run_sync(services.user_register, **data)

        body = await run_sync(serialize, MeSerializer, user, request)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": reverse("accounts:me")})
