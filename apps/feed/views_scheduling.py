"""Scheduled-post endpoints: the caller's scheduled posts, and publishing one of them now."""

from adrf.views import APIView
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize
from project.schema import PAGINATION_PARAMETERS, error_responses, page_example, paginated

from . import scheduling
from .pages import post_page
from .permissions import IsPostAuthor
from .selectors import post_get_visible
from .serializers import PostSerializer

SCHEDULED_ORDERING = ("publish_at", "id")

SCHEDULED_POST_EXAMPLE = {
    "id": 42,
    "author": {"id": 1, "username": "alice", "display_name": "Alice", "avatar": None},
    "text": "Launch day! #release",
    "hashtags": ["release"],
    "media": [],
    "status": "scheduled",
    "publish_at": "2026-12-05T09:00:00.000000Z",
    "created_at": "2026-12-04T19:30:00.000000Z",
    "edited_at": None,
    "likes_count": 0,
    "comments_count": 0,
    "liked_by_me": False,
}
PUBLISHED_POST_EXAMPLE = {**SCHEDULED_POST_EXAMPLE, "status": "published", "publish_at": "2026-12-04T19:45:12.000000Z"}


def _scheduled_page(request: Request) -> Response:
    queryset = scheduling.scheduled_post_list(user=request.user)
    return post_page(request, queryset, ordering=SCHEDULED_ORDERING)


class ScheduledPostListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="posts_scheduled_list",
        tags=["posts"],
        description="The caller's own scheduled posts, the soonest `publish_at` first. "
        "Cursor-paginated; a post leaves this list once it is published.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(PostSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Scheduled posts", SCHEDULED_POST_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """List the caller's scheduled posts, soonest first."""
        return await run_sync(_scheduled_page, request)


class PostPublishView(APIView):
    permission_classes = [IsAuthenticated, IsPostAuthor]

    @extend_schema(
        operation_id="posts_publish",
        tags=["posts"],
        description="Publishes one of the caller's scheduled posts at once: `publish_at` becomes now and "
        "the post appears in feeds, lists and hashtag pages. The request has no body.\n\n"
        "Idempotent: a post that is already published, by its schedule or an earlier call, is returned "
        "unchanged with `200`, so a retried request is safe.\n\n"
        "Someone else's scheduled post is `404`, the same as a post that does not exist, because the "
        "caller may not know it exists. Someone else's published post is `403`.",
        request=None,
        responses={200: PostSerializer, **error_responses(401, 403, 404, 429)},
        examples=[
            OpenApiExample("Published", value=PUBLISHED_POST_EXAMPLE, response_only=True, status_codes=["200"]),
        ],
    )
    async def post(self, request: Request, pk: int) -> Response:
        """Publish one of the caller's scheduled posts now."""
        body = await run_sync(self._publish, request, pk)
        return Response(body)

    def _publish(self, request: Request, post_id: int) -> dict:
        post = post_get_visible(post_id=post_id, viewer=request.user)
        self.check_object_permissions(request, post)
        published = scheduling.post_publish_now(post=post, user=request.user)
        return serialize(PostSerializer, published, request)
