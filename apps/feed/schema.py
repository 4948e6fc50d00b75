"""OpenAPI parameters and descriptions shared by the feed endpoints."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from project.schema import IDEMPOTENCY_PARAMETER, PAGINATION_PARAMETERS  # noqa: F401 - shared by the feed views

POST_FILTER_PARAMETERS = [
    OpenApiParameter("author", OpenApiTypes.STR, description="Username of the author, case-insensitive."),
    OpenApiParameter(
        "hashtag", OpenApiTypes.STR, description="A hashtag, with or without the leading `#`, case-insensitive."
    ),
    OpenApiParameter("search", OpenApiTypes.STR, description="Text that the post contains, case-insensitive."),
    OpenApiParameter(
        "published_after",
        OpenApiTypes.DATETIME,
        description="Only posts published strictly after this ISO 8601 time; without an offset it is UTC.",
    ),
    OpenApiParameter(
        "published_before",
        OpenApiTypes.DATETIME,
        description="Only posts published strictly before this ISO 8601 time; without an offset it is UTC.",
    ),
    OpenApiParameter(
        "has_media",
        OpenApiTypes.STR,
        enum=["true", "false"],
        description="Only posts with (`true`) or without (`false`) pictures.",
    ),
]

CREATE_DESCRIPTION = (
    "Creates a post. `text` is NFC-normalised and has 1 to 2,000 characters; it may be empty only "
    "with pictures. `media_ids` attaches up to 4 of the caller's own uploads from `POST /media` that no "
    "other post uses. Hashtags (`#` then letters, digits and `_` in any script, such as `#日本` or `#café`) "
    "are extracted case-insensitively and stored lower-case.\n\n"
    "With `publish_at` in the future (it must carry `Z` or a UTC offset) the post is `scheduled`: only its "
    "author sees it until it is published, and a user may hold at most 300 scheduled posts (the MAX_SCHEDULED_POSTS setting). A time in the "
    "past is `400`.\n\n"
    "Honours `Idempotency-Key`: a retried request returns the first response and creates nothing."
)
