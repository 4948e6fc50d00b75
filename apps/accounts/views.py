"""Accounts endpoints: registration, login, tokens and the caller's profile."""

from adrf.views import APIView
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize, validate
from project.schema import error_responses

from . import services
from .serializers import MeSerializer, RegisterSerializer

ME_EXAMPLE = {
    "id": 1,
    "username": "alice",
    "email": "alice@example.com",
    "display_name": "Alice",
    "bio": "",
    "avatar": None,
    "location": "",
    "website": "",
    "created_at": "2026-12-04T19:30:00.000000Z",
    "followers_count": 0,
    "following_count": 0,
    "posts_count": 0,
}


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
