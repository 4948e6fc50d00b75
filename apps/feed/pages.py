"""Pages of posts in the post shape, shared by every endpoint that lists posts."""

from collections.abc import Sequence

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from project.pagination import KeysetSource, paginate

from . import selectors
from .models import Post
from .serializers import post_page_data


def post_page(
    request: Request,
    queryset: QuerySet[Post] | KeysetSource,
    *,
    ordering: Sequence[str] = selectors.POST_ORDERING,
) -> Response:
    """Fetch and render one page of a query built on `selectors.post_queryset`, or of FeedRows.

    It makes at most two queries. Synchronous, so call it in the hop that runs the request's database work.
    """
    return paginate(
        request,
        selectors.post_rows(queryset) if isinstance(queryset, QuerySet) else queryset,
        lambda rows: post_page_data(rows, selectors.media_by_post(rows), request),
        ordering=ordering,
    )
