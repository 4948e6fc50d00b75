"""Cursor pagination for every list: keyset queries, `next`/`previous` in the body and `Link`."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response


class CursorPagination(pagination.CursorPagination):
    """DRF's cursor pagination with `page_size` (max 100), a 400 for a bad cursor and `Link`.

    The cursor holds the first ordering field of the last row seen, so a page is a keyset
    query whose cost does not grow with depth, and rows inserted meanwhile are neither
    skipped nor repeated. The remaining ordering fields only break ties.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering: Sequence[str] = ("-created_at", "-id")

    def __init__(self, ordering: Sequence[str] | None = None) -> None:
        if ordering is not None:
            self.ordering = tuple(ordering)

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> tuple[str, ...]:
        return tuple(self.ordering)

    def decode_cursor(self, request: Request):  # type: ignore[no-untyped-def]
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": ["Invalid cursor: use the `next` or `previous` link of a previous page."]}) from None

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [f"Must be an integer from 1 to {self.max_page_size}."]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [f"Must be an integer from 1 to {self.max_page_size}."]})
        return size

    def link_header(self) -> str:
        links = []
        if (next_url := self.get_next_link()) is not None:
            links.append(f'<{next_url}>; rel="next"')
        if (previous_url := self.get_previous_link()) is not None:
            links.append(f'<{previous_url}>; rel="prev"')
        return ", ".join(links)

    def get_paginated_response(self, data: list) -> Response:
        response = Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})
        if header := self.link_header():
            response["Link"] = header
        return response


def paginate(
    request: Request,
    queryset: QuerySet,
    serialize: Callable[[list], list],
    *,
    ordering: Sequence[str] = ("-created_at", "-id"),
) -> Response:
    """Fetch one page of `queryset` and return the paginated response of `serialize(rows)`.

    Synchronous: call it in the same `sync_to_async` hop as the query that built `queryset`.
    """
    paginator = CursorPagination(ordering)
    rows = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(serialize(rows))
