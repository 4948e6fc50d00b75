"""The user directory, public profiles and the follow graph."""

from adrf.views import APIView
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize
from project.pagination import paginate
from project.schema import PAGINATION_PARAMETERS, error_responses, page_example, paginated

from .. import follows, selectors
from ..examples import USER_EXAMPLE
from ..filters import USER_DEFAULT_ORDERING, USER_ORDERINGS, UserFilterSet
from ..serializers import UserSerializer

USERNAME_PARAMETER = OpenApiParameter(
    "username", OpenApiTypes.STR, OpenApiParameter.PATH, description="The username, in any case."
)


def _filter_parameters() -> list[OpenApiParameter]:
    """Describe the query parameters of UserFilterSet for the schema."""
    filters = UserFilterSet.base_filters
    parameters = [
        OpenApiParameter(name, OpenApiTypes.STR, description=str(filters[name].extra["help_text"]))
        for name in ("search", "username", "location")
    ]
    parameters += [
        OpenApiParameter(name, OpenApiTypes.DATETIME, description=str(filters[name].extra["help_text"]))
        for name in ("joined_after", "joined_before")
    ]
    parameters.append(
        OpenApiParameter(
            "ordering",
            OpenApiTypes.STR,
            enum=list(USER_ORDERINGS),
            default=USER_DEFAULT_ORDERING,
            description=str(filters["ordering"].extra["help_text"]),
        )
    )
    return parameters


def _user_page(request: Request) -> Response:
    queryset, ordering = selectors.user_list(filters=request.query_params, viewer=request.user)
    return paginate(
        request, queryset, lambda rows: serialize(UserSerializer, rows, request, many=True), ordering=ordering
    )


class UserListView(APIView):
    @extend_schema(
        operation_id="users_list",
        tags=["users"],
        description="Active users, newest first unless `ordering` says otherwise; email addresses are neither "
        "shown nor searched. An invalid filter or ordering gets a 400 naming the parameter.",
        parameters=[*_filter_parameters(), *PAGINATION_PARAMETERS],
        responses={200: paginated(UserSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Users", USER_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """Search and list users."""
        return await run_sync(_user_page, request)


class UserDetailView(APIView):
    @extend_schema(
        operation_id="users_retrieve",
        tags=["users"],
        description="One user's public profile; `is_following` and `follows_you` appear for an authenticated caller.",
        parameters=[USERNAME_PARAMETER],
        responses={200: UserSerializer, **error_responses(401, 404, 429)},
        examples=[OpenApiExample("Profile", value=USER_EXAMPLE, response_only=True)],
    )
    async def get(self, request: Request, username: str) -> Response:
        """Return one user's public profile."""
        user = await run_sync(selectors.user_get, username=username, viewer=request.user)

        body = await run_sync(serialize, UserSerializer, user, request)
        return Response(body)


def _follow_page(request: Request, username: str, *, other_side: str) -> Response:
    user = selectors.user_get(username=username, viewer=None)
    list_follows = selectors.follower_list if other_side == "follower" else selectors.following_list
    return paginate(
        request,
        list_follows(user=user, viewer=request.user),
        lambda rows: serialize(UserSerializer, selectors.follow_users(rows, other_side), request, many=True),
        ordering=selectors.FOLLOWS_ORDERING,
    )


class FollowerListView(APIView):
    @extend_schema(
        operation_id="users_followers_list",
        tags=["users"],
        description="The users who follow this user, most recent follow first.",
        parameters=[USERNAME_PARAMETER, *PAGINATION_PARAMETERS],
        responses={200: paginated(UserSerializer), **error_responses(400, 401, 404, 429)},
        examples=[page_example("Followers", USER_EXAMPLE)],
    )
    async def get(self, request: Request, username: str) -> Response:
        """List a user's followers, newest follow first."""
        return await run_sync(_follow_page, request, username, other_side="follower")


class FollowingListView(APIView):
    @extend_schema(
        operation_id="users_following_list",
        tags=["users"],
        description="The users this user follows, most recent follow first.",
        parameters=[USERNAME_PARAMETER, *PAGINATION_PARAMETERS],
        responses={200: paginated(UserSerializer), **error_responses(400, 401, 404, 429)},
        examples=[page_example("Following", USER_EXAMPLE)],
    )
    async def get(self, request: Request, username: str) -> Response:
        """List the users a user follows, newest follow first."""
        return await run_sync(_follow_page, request, username, other_side="followee")


def _follow(request: Request, username: str) -> tuple[dict, bool]:
    followee = selectors.user_get(username=username, viewer=None)
    created = follows.follow_create(follower=request.user, followee=followee)
    followee = selectors.user_get(username=username, viewer=request.user)
    return serialize(UserSerializer, followee, request), created


def _unfollow(request: Request, username: str) -> None:
    followee = selectors.user_get(username=username, viewer=None)
    follows.follow_delete(follower=request.user, followee=followee)


FOLLOWED_EXAMPLE = {**USER_EXAMPLE, "followers_count": 13, "is_following": True}


class FollowView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scopes = {"POST": "follows", "DELETE": "follows"}

    @extend_schema(
        operation_id="users_follow_create",
        tags=["users"],
        description="Follows the user and returns their profile with the new counts: 201 for a new follow with "
        "`Location` at the profile, 200 if the caller already followed them (nothing changes). Following "
        "yourself gets 400. The followed user gets a `follow` notification.",
        parameters=[USERNAME_PARAMETER],
        request=None,
        responses={201: UserSerializer, 200: UserSerializer, **error_responses(400, 401, 404, 429)},
        examples=[
            OpenApiExample("Followed", value=FOLLOWED_EXAMPLE, response_only=True, status_codes=["201"]),
            OpenApiExample("Already followed", value=FOLLOWED_EXAMPLE, response_only=True, status_codes=["200"]),
        ],
    )
    async def post(self, request: Request, username: str) -> Response:
        """Follow a user."""
        body, created = await run_sync(_follow, request, username)
        if not created:
            return Response(body)
        location = reverse("accounts:user-detail", kwargs={"username": body["username"]})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        operation_id="users_follow_destroy",
        tags=["users"],
        description="Stops following the user and deletes the `follow` notification. "
        "Succeeds with 204 also when the caller did not follow them.",
        parameters=[USERNAME_PARAMETER],
        request=None,
        responses={204: None, **error_responses(401, 404, 429)},
    )
    async def delete(self, request: Request, username: str) -> Response:
        """Unfollow a user."""
        await run_sync(_unfollow, request, username)
        return Response(status=status.HTTP_204_NO_CONTENT)
