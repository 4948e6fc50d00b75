"""Engagement endpoints: likes, comments and the notification inbox."""

from adrf.views import APIView
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.serializers import UserSerializer
from apps.feed.pages import post_page
from apps.feed.serializers import PostSerializer
from project.api import run_sync, serialize, validate
from project.idempotency import Outcome, idempotent
from project.pagination import paginate
from project.schema import IDEMPOTENCY_PARAMETER, PAGINATION_PARAMETERS, error_responses, page_example, paginated

from . import selectors, services
from .permissions import comment_check_delete, comment_check_edit
from .schema import (
    COMMENT_EXAMPLE,
    LIKE_EXAMPLE,
    NOTIFICATION_EXAMPLE,
    POST_EXAMPLE,
    USER_EXAMPLE,
)
from .serializers import (
    CommentInputSerializer,
    CommentSerializer,
    LikeSerializer,
    NotificationFilterSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
)


def _like_body(post_id: int, likes_count: int, like: object) -> dict:
    data = {"post_id": post_id, "liked": True, "likes_count": likes_count, "created_at": like.created_at}  # type: ignore[attr-defined]
    return serialize(LikeSerializer, data, None)


class PostLikeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scopes = {"POST": "likes", "DELETE": "likes"}

    @extend_schema(
        operation_id="posts_like",
        tags=["likes"],
        description="Idempotent: liking a post again changes nothing and returns `200`. "
        "The post's author gets a `like` notification, unless they liked their own post.",
        request=None,
        responses={
            201: OpenApiResponse(LikeSerializer, description="Liked now."),
            200: OpenApiResponse(LikeSerializer, description="Already liked; nothing changed."),
            **error_responses(401, 404, 409, 429),
        },
        examples=[
            OpenApiExample("Liked", value=LIKE_EXAMPLE, response_only=True, status_codes=["201", "200"]),
        ],
    )
    async def post(self, request: Request, pk: int) -> Response:
        """Like a post."""
        post = await run_sync(selectors.post_get_visible_row, post_id=pk, viewer=request.user)

        like, created = await run_sync(services.like_create, user=request.user, post=post)

        body = _like_body(post.pk, post.likes_count, like)
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        location = reverse("engagement:post-like", kwargs={"pk": post.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        operation_id="posts_unlike",
        tags=["likes"],
        description="Idempotent: `204` also when the caller did not like the post. "
        "The `like` notification of the post's author is deleted.",
        request=None,
        responses={204: OpenApiResponse(description="Not liked (any more)."), **error_responses(401, 404, 429)},
    )
    async def delete(self, request: Request, pk: int) -> Response:
        """Remove the caller's like of a post."""
        post = await run_sync(selectors.post_get_visible_row, post_id=pk, viewer=request.user)

        await run_sync(services.like_delete, user=request.user, post=post)

        return Response(status=status.HTTP_204_NO_CONTENT)


def _likers_page(request: Request, pk: int) -> Response:
    selectors.post_get_visible_row(post_id=pk, viewer=request.user)
    queryset = selectors.post_likers(post_id=pk, viewer=request.user)
    return paginate(
        request,
        queryset,
        lambda rows: serialize(UserSerializer, rows, request, many=True),
        ordering=selectors.LIKERS_ORDERING,
    )


class PostLikesView(APIView):
    @extend_schema(
        operation_id="posts_likes_list",
        tags=["likes"],
        description="Users who liked the post, the most recent like first. `is_following` and `follows_you` "
        "appear for an authenticated caller. Cursor-paginated.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(UserSerializer), **error_responses(400, 401, 404, 429)},
        examples=[page_example("Users who liked", USER_EXAMPLE)],
    )
    async def get(self, request: Request, pk: int) -> Response:
        """List the users who liked a post, newest like first."""
        return await run_sync(_likers_page, request, pk)


class MyLikesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_likes_list",
        tags=["likes"],
        description="Posts the caller liked, the most recently liked first. Private: only the caller can "
        "list their likes. Cursor-paginated.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(PostSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Liked posts", POST_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """List the posts the caller liked, most recently liked first."""
        queryset = selectors.liked_posts(user=request.user)
        return await run_sync(post_page, request, queryset, ordering=selectors.LIKED_POSTS_ORDERING)


def _comments_page(request: Request, pk: int) -> Response:
    selectors.post_get_visible_row(post_id=pk, viewer=request.user)
    queryset = selectors.post_comments(post_id=pk)
    return paginate(
        request,
        queryset,
        lambda rows: serialize(CommentSerializer, rows, request, many=True),
        ordering=selectors.COMMENTS_ORDERING,
    )


def _comment_create(request: Request, pk: int) -> Response:
    def perform() -> Outcome:
        post = selectors.post_get_visible_row(post_id=pk, viewer=request.user)
        data = validate(CommentInputSerializer, request.data, request)
        comment = services.comment_create(author=request.user, post=post, text=data["text"])
        body = serialize(CommentSerializer, comment, request)
        location = reverse("engagement:comment-detail", kwargs={"pk": comment.pk})
        return Outcome(body, status.HTTP_201_CREATED, {"Location": location})

    return idempotent(request, perform)


class PostCommentsView(APIView):
    throttle_scopes = {"POST": "comments"}

    @extend_schema(
        operation_id="posts_comments_list",
        tags=["comments"],
        description="The post's comments, oldest first. Cursor-paginated.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(CommentSerializer), **error_responses(400, 401, 404, 429)},
        examples=[page_example("Comments", COMMENT_EXAMPLE)],
    )
    async def get(self, request: Request, pk: int) -> Response:
        """List a post's comments, oldest first."""
        return await run_sync(_comments_page, request, pk)

    @extend_schema(
        operation_id="posts_comments_create",
        tags=["comments"],
        description="Text is 1 to 1,000 characters after Unicode NFC normalisation; control characters "
        "other than newline and tab are rejected. The post's author gets a `comment` notification, "
        "unless they wrote the comment. Honours `Idempotency-Key`.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=CommentInputSerializer,
        responses={201: CommentSerializer, **error_responses(400, 401, 404, 413, 415, 422, 429)},
        examples=[
            OpenApiExample("Comment", value={"text": "Lovely colours!"}, request_only=True),
            OpenApiExample("Created", value=COMMENT_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    async def post(self, request: Request, pk: int) -> Response:
        """Comment on a post."""
        return await run_sync(_comment_create, request, pk)


def _comment_update(request: Request, pk: int) -> dict:
    comment = selectors.comment_get_visible(comment_id=pk, viewer=request.user)
    comment_check_edit(actor=request.user, comment=comment)
    data = validate(CommentInputSerializer, request.data, request)
    comment = services.comment_update(comment=comment, text=data["text"])
    return serialize(CommentSerializer, comment, request)


def _comment_delete(request: Request, pk: int) -> None:
    comment = selectors.comment_get_visible(comment_id=pk, viewer=request.user)
    comment_check_delete(actor=request.user, comment=comment)
    services.comment_delete(comment=comment)


class CommentView(APIView):
    throttle_scopes = {"PATCH": "comments", "DELETE": "comments"}

    @extend_schema(
        operation_id="comments_retrieve",
        tags=["comments"],
        description="A comment on someone else's scheduled post is not found (`404`).",
        responses={200: CommentSerializer, **error_responses(401, 404, 429)},
        examples=[OpenApiExample("Comment", value=COMMENT_EXAMPLE, response_only=True)],
    )
    async def get(self, request: Request, pk: int) -> Response:
        """Return one comment."""
        comment = await run_sync(selectors.comment_get_visible, comment_id=pk, viewer=request.user)
        body = await run_sync(serialize, CommentSerializer, comment, request)
        return Response(body)

    @extend_schema(
        operation_id="comments_update",
        tags=["comments"],
        description="Only the comment's author may edit it (`403` for anyone else). Sets `edited_at`. "
        "The text follows the same rules as on creation.",
        request=CommentInputSerializer,
        responses={200: CommentSerializer, **error_responses(400, 401, 403, 404, 413, 415, 429)},
        examples=[
            OpenApiExample("Edit", value={"text": "Lovely colours, and that light!"}, request_only=True),
            OpenApiExample(
                "Edited",
                value={
                    **COMMENT_EXAMPLE,
                    "text": "Lovely colours, and that light!",
                    "edited_at": "2026-12-04T19:35:00.000000Z",
                },
                response_only=True,
            ),
        ],
    )
    async def patch(self, request: Request, pk: int) -> Response:
        """Edit the text of one's own comment."""
        body = await run_sync(_comment_update, request, pk)
        return Response(body)

    @extend_schema(
        operation_id="comments_destroy",
        tags=["comments"],
        description="The comment's author or the post's author may delete it (`403` for anyone else). "
        "Its notification is deleted too.",
        request=None,
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(401, 403, 404, 429)},
    )
    async def delete(self, request: Request, pk: int) -> Response:
        """Delete a comment."""
        await run_sync(_comment_delete, request, pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_list",
        tags=["notifications"],
        description="The caller's notifications, newest first (by id). `unread=true` lists unread ones, "
        "`unread=false` read ones; `type` is one of follow, like, comment, post_published. Cursor-paginated.",
        parameters=[NotificationFilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(NotificationSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Notifications", NOTIFICATION_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """List the caller's notifications, newest first."""
        filters = await run_sync(validate, NotificationFilterSerializer, request.query_params.dict(), request)
        queryset = selectors.notification_list(
            recipient=request.user, unread=filters["unread"], type=filters.get("type")
        )
        return await run_sync(
            paginate,
            request,
            queryset,
            lambda rows: serialize(NotificationSerializer, rows, request, many=True),
            ordering=selectors.NOTIFICATIONS_ORDERING,
        )


class NotificationsReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_read",
        tags=["notifications"],
        description="Marks notifications read: the listed `ids`, or every one with `all: true`. Send exactly "
        "one of the two. Ids that are not the caller's are ignored.",
        request=NotificationReadSerializer,
        responses={204: OpenApiResponse(description="Marked read."), **error_responses(400, 401, 413, 415, 429)},
        examples=[
            OpenApiExample("Some", value={"ids": [501, 502]}, request_only=True),
            OpenApiExample("All", value={"all": True}, request_only=True),
        ],
    )
    async def post(self, request: Request) -> Response:
        """Mark notifications read."""
        data = await run_sync(validate, NotificationReadSerializer, request.data, request)

        await run_sync(services.notifications_mark_read, recipient=request.user, ids=data.get("ids"))

        return Response(status=status.HTTP_204_NO_CONTENT)
