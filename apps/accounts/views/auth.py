"""Authentication endpoints: registration, login, logout, tokens and the password."""

from adrf.views import APIView
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize, validate
from project.pagination import paginate
from project.schema import PAGINATION_PARAMETERS, error_responses, page_example, paginated
from project.throttling import GeneralThrottle, LoginEmailThrottle, ScopedThrottle

from .. import selectors, services
from ..examples import LOGIN_EXAMPLE, ME_EXAMPLE, TOKEN_EXAMPLE
from ..serializers import (
    LoginResultSerializer,
    LoginSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    RegisterSerializer,
    TokenSerializer,
)


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scopes = {"POST": "register"}

    @extend_schema(
        operation_id="auth_register",
        tags=["auth"],
        request=RegisterSerializer,
        responses={201: MeSerializer, **error_responses(400, 413, 415, 429)},
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


def _login(request: Request) -> dict:
    data = validate(LoginSerializer, request.data, request)
    token, key = services.user_login(
        email=data["email"],
        password=data["password"],
        user_agent=request.headers.get("User-Agent", ""),
        request=request._request,
    )
    return serialize(LoginResultSerializer, {"token": key, "expires_at": token.expires_at, "user": token.user}, request)


class LoginView(APIView):
    # An expired token in the header must not stop its owner from logging in again.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [GeneralThrottle, ScopedThrottle, LoginEmailThrottle]
    throttle_scopes = {"POST": "login"}

    @extend_schema(
        operation_id="auth_login",
        tags=["auth"],
        description="Each login creates a new token for one device; the secret is shown only in this response. "
        "A wrong email or password gets the same 400 whether the account exists or not.",
        request=LoginSerializer,
        responses={200: LoginResultSerializer, **error_responses(400, 413, 415, 429)},
        examples=[
            OpenApiExample(
                "Log in", value={"email": "alice@example.com", "password": "a long passphrase"}, request_only=True
            ),
            OpenApiExample("Logged in", value=LOGIN_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample(
                "Wrong credentials",
                value={
                    "detail": "Invalid email or password.",
                    "code": "invalid",
                    "errors": {"non_field_errors": ["Invalid email or password."]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    async def post(self, request: Request) -> Response:
        """Log in with email and password and get a new token."""
        body = await run_sync(_login, request)
        return Response(body)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        description="Revokes the token that authenticated this request: later requests with it get 401, "
        "and WebSockets opened with it are closed.",
        request=None,
        responses={204: None, **error_responses(401, 429)},
    )
    async def post(self, request: Request) -> Response:
        """Log out: revoke the token used for this request."""
        await run_sync(services.token_delete, user=request.user, token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout_all",
        tags=["auth"],
        description="Revokes every token of the caller, the one used for this request included, "
        "and closes their WebSockets.",
        request=None,
        responses={204: None, **error_responses(401, 429)},
    )
    async def post(self, request: Request) -> Response:
        """Log out everywhere: revoke all of the caller's tokens."""
        await run_sync(services.tokens_delete_all, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _token_page(request: Request) -> Response:
    return paginate(
        request,
        selectors.token_list(user=request.user),
        lambda rows: serialize(TokenSerializer, rows, request, many=True),
        ordering=selectors.TOKENS_ORDERING,
    )


class TokenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_list",
        tags=["auth"],
        description="The caller's unexpired tokens, newest first, never with their secrets. "
        "`current` marks the token that made this request.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(TokenSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Tokens", TOKEN_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """List the caller's active tokens, one per logged-in device."""
        return await run_sync(_token_page, request)


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_destroy",
        tags=["auth"],
        description="Revokes one of the caller's tokens and closes its WebSockets. "
        "Another user's token, an expired one or an unknown id gets 404.",
        request=None,
        responses={204: None, **error_responses(401, 404, 429)},
    )
    async def delete(self, request: Request, pk: int) -> Response:
        """Revoke one of the caller's tokens."""
        deleted = await run_sync(services.token_delete, user=request.user, token_id=pk)
        if not deleted:
            raise NotFound("You have no active token with this id.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scopes = {"POST": "password"}

    @extend_schema(
        operation_id="auth_password_change",
        tags=["auth"],
        description="Sets a new password, which must pass the password rules. Every other token of the "
        "caller is revoked and its WebSockets closed; the token used for this request keeps working.",
        request=PasswordChangeSerializer,
        responses={204: None, **error_responses(400, 401, 413, 415, 429)},
        examples=[
            OpenApiExample(
                "Change the password",
                value={"current_password": "a long passphrase", "new_password": "an even longer passphrase"},
                request_only=True,
            ),
        ],
    )
    async def post(self, request: Request) -> Response:
        """Change the caller's password and log out every other device."""
        data = await run_sync(validate, PasswordChangeSerializer, request.data, request)

        await run_sync(services.user_password_change, user=request.user, current_token_id=request.auth.pk, **data)

        return Response(status=status.HTTP_204_NO_CONTENT)
