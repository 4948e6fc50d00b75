"""The caller's own profile: reading, changing and deleting it, and its picture."""

from adrf.views import APIView
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize, validate
from project.parsers import StrictJSONParser
from project.schema import error_responses

from .. import services
from ..examples import ME_EXAMPLE
from ..serializers import AccountDeleteSerializer, MeSerializer, MeUpdateSerializer


def _update(request: Request) -> dict:
    data = validate(MeUpdateSerializer, request.data, request, partial=True)
    avatar = data.pop("avatar", None)
    user = services.user_update(user=request.user, data=data, avatar=avatar)
    return serialize(MeSerializer, user, request)


class MeView(APIView):
    # JSON, or multipart when an avatar comes along.
    parser_classes = [StrictJSONParser, MultiPartParser]
    permission_classes = [IsAuthenticated]
    # Deleting the account checks the password, so it is limited like password changes. A
    # profile update may carry a picture to decode, so it is limited like media uploads.
    throttle_scopes = {"DELETE": "password", "PATCH": "media"}

    @extend_schema(
        operation_id="me_retrieve",
        tags=["profile"],
        responses={200: MeSerializer, **error_responses(401, 429)},
        examples=[OpenApiExample("Own profile", value=ME_EXAMPLE, response_only=True)],
    )
    async def get(self, request: Request) -> Response:
        """Return the caller's own profile, with email."""
        body = await run_sync(serialize, MeSerializer, request.user, request)
        return Response(body)

    @extend_schema(
        operation_id="me_partial_update",
        tags=["profile"],
        description="Changes the fields sent and leaves the others as they are. Send JSON, or "
        "`multipart/form-data` to upload a new `avatar`, which replaces the old picture. Display name, bio "
        "and location are stored in Unicode NFC; control characters other than newline and tab (in the bio) "
        "are rejected. The username follows the registration rules.",
        request={"application/json": MeUpdateSerializer, "multipart/form-data": MeUpdateSerializer},
        responses={200: MeSerializer, **error_responses(400, 401, 413, 415, 429)},
        examples=[
            OpenApiExample(
                "Update the profile",
                value={
                    "display_name": "Alice Liddell",
                    "bio": "Down the rabbit hole.",
                    "website": "https://example.com",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Updated",
                value={
                    **ME_EXAMPLE,
                    "display_name": "Alice Liddell",
                    "bio": "Down the rabbit hole.",
                    "website": "https://example.com",
                    "avatar": "http://127.0.0.1:8000/media/avatars/1/3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b.png",
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    async def patch(self, request: Request) -> Response:
        """Update the caller's profile and, with multipart, the picture."""
        body = await run_sync(_update, request)
        return Response(body)

    @extend_schema(
        operation_id="me_destroy",
        tags=["profile"],
        description="Deletes the account after checking its password, with everything it owns: posts, media, "
        "likes, comments, follows, notifications and tokens. Open WebSockets are closed.",
        request=AccountDeleteSerializer,
        responses={204: None, **error_responses(400, 401, 413, 415, 429)},
        examples=[OpenApiExample("Delete the account", value={"password": "a long passphrase"}, request_only=True)],
    )
    async def delete(self, request: Request) -> Response:
        """Delete the caller's account and everything it owns."""
        data = await run_sync(validate, AccountDeleteSerializer, request.data, request)

        await run_sync(services.user_delete, user=request.user, password=data["password"])

        return Response(status=status.HTTP_204_NO_CONTENT)


class MeAvatarView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_avatar_destroy",
        tags=["profile"],
        description="Removes the caller's picture; `avatar` becomes null. Succeeds also when there is none.",
        request=None,
        responses={204: None, **error_responses(401, 429)},
    )
    async def delete(self, request: Request) -> Response:
        """Remove the caller's profile picture."""
        await run_sync(services.user_avatar_delete, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
