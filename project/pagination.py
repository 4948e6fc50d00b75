"""Cursor pagination for every list: keyset queries, `next`/`previous` in the body and `Link`."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, Protocol

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import DateTimeField, Field, IntegerField, Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

INVALID_CURSOR = "Invalid cursor: use the `next` or `previous` link of a previous page."


class Cursor(NamedTuple):
    # Values of every ordering field of the row at the page edge; None with `reverse` means the last page.
    position: list | None
    # True for a `previous` link: rows before `position`, fetched in the inverted ordering.
    reverse: bool


def _invert(ordering: Sequence[str]) -> tuple[str, ...]:
    return tuple(field[1:] if field.startswith("-") else f"-{field}" for field in ordering)


def _cursor_value(value: Any) -> Any:
    # Full ISO 8601, microseconds included: a truncated time would compare unequal to the row's own.
    return value.isoformat() if isinstance(value, (datetime, date)) else value


def _ordering_field(queryset: QuerySet, name: str) -> Field | None:
    """Return the model field or the annotation's output field that `name` orders by, if known."""
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        try:
            return annotation.output_field
        except FieldError:
            return None
    try:
        return queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _position_clean(queryset: QuerySet, ordering: Sequence[str], position: list) -> list:
    """Return the cursor's values checked against the ordering fields, times converted to UTC.

    A cursor comes from the client, so each value must be a number or a string without NUL,
    which PostgreSQL rejects in text. A value for a date-time field must be an ISO 8601 time
    with an offset, and it is converted to UTC here because PostgreSQL rejects offsets beyond
    15:59 hours. Raises ValueError, TypeError, OverflowError or ValidationError otherwise.
    """
    cleaned = []
    for field_name, value in zip(ordering, position, strict=True):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise TypeError(f"cursor value {value!r} is not a number or a string")
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("cursor value contains NUL")
        field = _ordering_field(queryset, field_name.lstrip("-"))
        if isinstance(field, DateTimeField):
            value = cursor_time(value)
        elif isinstance(field, IntegerField):
            value = cursor_integer(value)
        cleaned.append(value)
    return cleaned


def cursor_integer(value: object) -> int:
    """Return a cursor's integer that fits a 64-bit column, or raise TypeError or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"cursor value {value!r} is not an integer")
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"cursor value {value} is out of range")
    return value


def cursor_time(value: object) -> datetime:
    """Return a cursor's ISO 8601 time with an offset as a UTC datetime, or raise ValueError or OverflowError."""
    # Python's ISO 8601 parser stops at a NUL and would accept what precedes it.
    moment = parse_datetime(value) if isinstance(value, str) and "\x00" not in value else None
    if moment is None or timezone.is_naive(moment):
        raise ValueError(f"cursor value {value!r} is not a time with an offset")
    return moment.astimezone(UTC)


class KeysetSource(Protocol):
    """A list read by hand-written SQL, for lists too hot for the ORM's query building.

    The source reads rows in the paginator's `ordering`, or in the inverted order when `reverse` is set.
    """

    def position_clean(self, position: list) -> list:
        """Return the cursor's values converted for the query, or raise ValueError, TypeError or OverflowError."""

    def fetch(self, position: list | None, *, reverse: bool, limit: int) -> list[dict]:
        """Return up to `limit` rows after `position` (from the start when None) as dicts."""


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination over the whole ordering, with `page_size` (max 100), a 400 for a bad cursor and `Link`.

    The cursor contains the value of every ordering field of the row at the edge of the page,
    and the next page is the rows after that tuple in the ordering, for example
    `followers_count < 5 OR (followers_count = 5 AND id < 812)` for `("-followers_count", "-id")`.
    A page therefore costs the same at any depth, and rows inserted or deleted meanwhile make
    no other row skip or repeat. The ordering must end with a unique field (usually the id),
    and its fields must not be null.
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

    def paginate_queryset(self, queryset: QuerySet | KeysetSource, request: Request, view: Any = None) -> list:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)

        reverse = self.cursor is not None and self.cursor.reverse
        position = self.cursor.position if self.cursor is not None else None
        if isinstance(queryset, QuerySet):
            rows = self._fetch(queryset, position, reverse)
        else:
            if position is not None:
                try:
                    position = queryset.position_clean(position)
                except (ValueError, TypeError, OverflowError):
                    raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
            rows = queryset.fetch(position, reverse=reverse, limit=self.page_size + 1)

        has_more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_next = self.cursor.position is not None
            self.has_previous = has_more
        else:
            self.has_next = has_more
            self.has_previous = self.cursor is not None
        return self.page

    def _fetch(self, queryset: QuerySet, position: list | None, reverse: bool) -> list:
        ordering = _invert(self.ordering) if reverse else tuple(self.ordering)
        queryset = queryset.order_by(*ordering)
        if position is not None:
            try:
                position = _position_clean(queryset, ordering, position)
                queryset = queryset.filter(self._after(ordering, position))
            except (ValueError, TypeError, OverflowError, DjangoValidationError):
                # A value of the wrong type for its field: the cursor was edited or made for another list.
                raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        return list(queryset[: self.page_size + 1])

    def _after(self, ordering: Sequence[str], position: list) -> Q:
        """Build the condition "the row comes after `position` in `ordering`"."""
        condition = Q()
        equal_so_far = Q()
        for field, value in zip(ordering, position, strict=True):
            name = field.lstrip("-")
            lookup = "lt" if field.startswith("-") else "gt"
            condition |= equal_so_far & Q(**{f"{name}__{lookup}": value})
            equal_so_far &= Q(**{name: value})
        # The redundant bound on the first field lets PostgreSQL start the index scan at the
        # cursor; it cannot do that from the OR alone and would filter every row before it.
        first = ordering[0]
        bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": position[0]})
        return bound & condition

    def _position(self, row: Model | dict) -> list:
        names = [field.lstrip("-") for field in self.ordering]
        if isinstance(row, dict):
            return [_cursor_value(row[name]) for name in names]
        return [_cursor_value(getattr(row, name)) for name in names]

    def decode_cursor(self, request: Request) -> Cursor | None:  # type: ignore[override]
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            padded = encoded + "=" * (-len(encoded) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            position, reverse = data.get("p"), data.get("r", False)
        except (UnicodeError, binascii.Error, ValueError, AttributeError, RecursionError):
            # RecursionError: JSON nested about a thousand levels deep.
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        valid_position = isinstance(position, list) and len(position) == len(self.ordering)
        if not isinstance(reverse, bool) or not (valid_position or (position is None and reverse)):
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        return Cursor(position=position, reverse=reverse)

    def encode_cursor(self, cursor: Cursor) -> str:  # type: ignore[override]
        data: dict[str, Any] = {"p": cursor.position}
        if cursor.reverse:
            data["r"] = True
        raw = json.dumps(data, separators=(",", ":")).encode()
        encoded = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        if not self.page:
            # A `previous` page came back empty: nothing precedes it, so the list starts over.
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor(Cursor(position=self._position(self.page[-1]), reverse=False))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.page:
            # A `next` page came back empty: the previous page is the last page of the list.
            return self.encode_cursor(Cursor(position=None, reverse=True))
        return self.encode_cursor(Cursor(position=self._position(self.page[0]), reverse=True))

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
    queryset: QuerySet | KeysetSource,
    serialize: Callable[[list], list],
    *,
    ordering: Sequence[str] = ("-created_at", "-id"),
) -> Response:
    """Fetch one page of `queryset` (or of a KeysetSource) and return the paginated response of `serialize(rows)`.

    `ordering` must end with a unique field, such as `("-created_at", "-id")`. Synchronous:
    call it in the same `sync_to_async` hop as the query that built `queryset`.
    """
    paginator = CursorPagination(ordering)
    rows = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(serialize(rows))
