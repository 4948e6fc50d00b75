"""Posts, media, hashtags and the feed: the endpoints of the feed app.

Each handler runs its database work in one `run_sync` hop: the sync function builds the
query through a selector or calls a service, then serializes in the same thread.
"""

from adrf.views import APIView
from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from project.api import run_sync, serialize, validate
from project.idempotency import Outcome, idempotent
from project.images import image_clean
from project.pagination import paginate
from project.schema import error_responses, page_example, paginated

from . import selectors, services
from .examples import HASHTAG_EXAMPLE, MEDIA_EXAMPLE, POST_EXAMPLE, SCHEDULED_POST_EXAMPLE
from .models import Post
from .pages import post_page
from .permissions import IsPostAuthor
from .schema import (
    CREATE_DESCRIPTION,
    IDEMPOTENCY_PARAMETER,
    PAGINATION_PARAMETERS,
    POST_FILTER_PARAMETERS,
)
from .serializers import (
    HashtagListQuerySerializer,
    HashtagSerializer,
    MediaCreateSerializer,
    MediaSerializer,
    PostCreateSerializer,
    PostSerializer,
    PostUpdateSerializer,
)


class MediaCreateView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    throttle_scopes = {"POST": "media"}

    @extend_schema(
        operation_id="media_create",
        tags=["media"],
        description="Uploads a picture to attach to a post with `media_ids`. The file is decoded to check it "
        "is a real JPEG, PNG, GIF or WebP image (at most 10 MB and 40 megapixels), and its metadata, EXIF GPS "
        "included, is stripped. `Location` is the picture's URL. Uploads that no post uses are deleted "
        "after a day. Honours `Idempotency-Key`.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request={"multipart/form-data": MediaCreateSerializer},
        responses={201: MediaSerializer, **error_responses(400, 401, 413, 415, 422, 429)},
        examples=[
            OpenApiExample(
                "Upload",
                value={"file": "(binary JPEG data)", "description": "Sunrise over Mount Fuji"},
                request_only=True,
                media_type="multipart/form-data",
            ),
            OpenApiExample("Uploaded", value=MEDIA_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    async def post(self, request: Request) -> Response:
        """Upload a picture for a post."""
        return await run_sync(self._create, request)

    def _create(self, request: Request) -> Response:
        data = validate(MediaCreateSerializer, request.data, request)
        # Decoded before the idempotency transaction, so no lock is held while Pillow works.
        image = image_clean(data["file"], field="file", max_bytes=settings.MEDIA_MAX_BYTES)

        def perform() -> Outcome:
            media = services.media_create(owner=request.user, image=image, description=data["description"])
            body = serialize(MediaSerializer, media, request)
            return Outcome(body, headers={"Location": body["url"]})

        return idempotent(request, perform)


class PostListCreateView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scopes = {"POST": "posts"}

    @extend_schema(
        operation_id="posts_list",
        tags=["posts"],
        description="Published posts, newest first (by `publish_at`, then `id`), cursor-paginated. "
        "Scheduled posts never appear here.",
        parameters=[*POST_FILTER_PARAMETERS, *PAGINATION_PARAMETERS],
        responses={200: paginated(PostSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Posts", POST_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """List published posts, with filters."""
        queryset = selectors.post_list(viewer=request.user, filters=request.query_params)
        return await run_sync(post_page, request, queryset)

    @extend_schema(
        operation_id="posts_create",
        tags=["posts"],
        description=CREATE_DESCRIPTION,
        parameters=[IDEMPOTENCY_PARAMETER],
        request=PostCreateSerializer,
        responses={201: PostSerializer, **error_responses(400, 401, 413, 415, 422, 429)},
        examples=[
            OpenApiExample(
                "Post with a picture",
                value={"text": "First light in #日本 and a #café au lait", "media_ids": [7]},
                request_only=True,
            ),
            OpenApiExample(
                "Scheduled post",
                value={"text": "Launch day! #release", "publish_at": "2026-12-05T10:00:00+01:00"},
                request_only=True,
            ),
            OpenApiExample("Published", value=POST_EXAMPLE, response_only=True, status_codes=["201"]),
            OpenApiExample("Scheduled", value=SCHEDULED_POST_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    async def post(self, request: Request) -> Response:
        """Create a post, now or scheduled."""
        return await run_sync(idempotent, request, lambda: self._create(request))

    def _create(self, request: Request) -> Outcome:
        data = validate(PostCreateSerializer, request.data, request)

        post = services.post_create(
            author=request.user,
            text=data.get("text", ""),
            media_ids=data.get("media_ids", []),
            publish_at=data.get("publish_at"),
        )

        post = selectors.post_get_visible(post_id=post.pk, viewer=request.user)
        body = serialize(PostSerializer, post, request)
        return Outcome(body, headers={"Location": reverse("feed:post-detail", kwargs={"pk": post.pk})})


class PostDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly, IsPostAuthor]
    # An edit rewrites the text and hashtags as a new post does.
    throttle_scopes = {"PATCH": "posts"}

    def _post_for_write(self, request: Request, post_id: int) -> Post:
        """Return the post if the caller may change it: 404 if they cannot see it, 403 if not the author."""
        post = selectors.post_get_visible(post_id=post_id, viewer=request.user)
        self.check_object_permissions(request, post)
        return post

    @extend_schema(
        operation_id="posts_retrieve",
        tags=["posts"],
        description="One post. A scheduled post is visible to its author only; everyone else gets `404`.",
        responses={200: PostSerializer, **error_responses(401, 404, 429)},
        examples=[OpenApiExample("Post", value=POST_EXAMPLE, response_only=True)],
    )
    async def get(self, request: Request, pk: int) -> Response:
        """Return one post."""
        body = await run_sync(self._retrieve, request, pk)
        return Response(body)

    def _retrieve(self, request: Request, post_id: int) -> dict:
        post = selectors.post_get_visible(post_id=post_id, viewer=request.user)
        return serialize(PostSerializer, post, request)

    @extend_schema(
        operation_id="posts_partial_update",
        tags=["posts"],
        description="Edits the caller's own post; fields left out stay as they are. `media_ids` replaces the "
        "attached pictures (those left out are deleted). `publish_at` can move only while the post is "
        "scheduled. Changing the text or pictures of a published post sets `edited_at`. Someone else's "
        "post is `403`, or `404` while it is scheduled.",
        request=PostUpdateSerializer,
        responses={200: PostSerializer, **error_responses(400, 401, 403, 404, 413, 415, 429)},
        examples=[
            OpenApiExample("Edit the text", value={"text": "First light in #日本 (edited)"}, request_only=True),
            OpenApiExample(
                "Edited",
                value={
                    **POST_EXAMPLE,
                    "text": "First light in #日本 (edited)",
                    "hashtags": ["日本"],
                    "edited_at": "2026-12-04T19:42:10.000000Z",
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    async def patch(self, request: Request, pk: int) -> Response:
        """Edit one of the caller's posts."""
        body = await run_sync(self._update, request, pk)
        return Response(body)

    def _update(self, request: Request, post_id: int) -> dict:
        self._post_for_write(request, post_id)
        data = validate(PostUpdateSerializer, request.data, request)

        services.post_update(post_id=post_id, **data)

        post = selectors.post_get_visible(post_id=post_id, viewer=request.user)
        return serialize(PostSerializer, post, request)

    @extend_schema(
        operation_id="posts_destroy",
        tags=["posts"],
        description="Deletes the caller's own post with its pictures, likes, comments and their "
        "notifications. Someone else's post is `403`, or `404` while it is scheduled.",
        responses={204: None, **error_responses(401, 403, 404, 429)},
    )
    async def delete(self, request: Request, pk: int) -> Response:
        """Delete one of the caller's posts."""
        await run_sync(self._delete, request, pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _delete(self, request: Request, post_id: int) -> None:
        self._post_for_write(request, post_id)
        services.post_delete(post_id=post_id)


class FeedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="feed_list",
        tags=["feed"],
        description="The caller's own published posts and those of the users they follow, newest first "
        "(by `publish_at`, then `id`). The cursor stays exact while new posts arrive: paging on never "
        "repeats or skips a post.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(PostSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Feed", POST_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """List the caller's home feed."""
        return await run_sync(post_page, request, selectors.FeedRows(request.user))


class UserPostListView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="users_posts_list",
        tags=["users"],
        description="A user's published posts, newest first. The username matches case-insensitively.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(PostSerializer), **error_responses(400, 401, 404, 429)},
        examples=[page_example("Posts of a user", POST_EXAMPLE)],
    )
    async def get(self, request: Request, username: str) -> Response:
        """List a user's published posts."""
        return await run_sync(self._list, request, username)

    def _list(self, request: Request, username: str) -> Response:
        response = post_page(request, selectors.user_post_list(username=username, viewer=request.user))
        # Checked only for an empty page, so a page with posts costs no extra query.
        if not response.data["results"] and not selectors.user_exists(username=username):
            raise NotFound(f"User {username} not found.")
        return response


class HashtagListView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="hashtags_list",
        tags=["hashtags"],
        description="Hashtags that at least one published post carries, by name or most used first. "
        "`posts_count` counts published posts only.",
        parameters=[HashtagListQuerySerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(HashtagSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Hashtags", HASHTAG_EXAMPLE)],
    )
    async def get(self, request: Request) -> Response:
        """List hashtags in use."""
        query = validate(HashtagListQuerySerializer, request.query_params, request)
        ordering = ("-posts_count", "name") if query["ordering"] == "-posts_count" else ("name",)
        return await run_sync(
            paginate,
            request,
            selectors.hashtag_list(search=query.get("search")),
            lambda rows: serialize(HashtagSerializer, rows, request, many=True),
            ordering=ordering,
        )


class HashtagPostListView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="hashtags_posts_list",
        tags=["hashtags"],
        description="Published posts carrying the hashtag, newest first. The name matches case-insensitively, "
        "with or without a leading `#` (URL-encoded as `%23`). An unknown hashtag gives an empty list.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(PostSerializer), **error_responses(400, 401, 429)},
        examples=[page_example("Posts with a hashtag", POST_EXAMPLE)],
    )
    async def get(self, request: Request, name: str) -> Response:
        """List published posts with a hashtag."""
        queryset = selectors.hashtag_post_list(name=name, viewer=request.user)
        return await run_sync(post_page, request, queryset, ordering=selectors.HASHTAG_POST_ORDERING)
