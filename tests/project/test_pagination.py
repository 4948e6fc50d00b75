"""Keyset cursor pagination in project.pagination, driven through `paginate` on real rows."""

import base64
from urllib.parse import urlsplit

import pytest
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.accounts.models import User
from project.pagination import paginate
from tests.factories import UserFactory

MOST_FOLLOWED = ("-followers_count", "-id")


def _page(url: str, ordering=MOST_FOLLOWED) -> tuple[list[int], str | None, str | None]:
    request = Request(APIRequestFactory().get(url))
    response = paginate(request, User.objects.all(), lambda rows: [row.pk for row in rows], ordering=ordering)
    return response.data["results"], response.data["next"], response.data["previous"]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _walk_forward(url: str, ordering=MOST_FOLLOWED) -> list[int]:
    seen = []
    while url:
        ids, next_url, _ = _page(url, ordering)
        seen.extend(ids)
        url = next_url and _path(next_url)
    return seen


@pytest.fixture
def users_with_ties(db):
    # Seven users share followers_count 0 and three share 2: most rows tie on the first field.
    counts = [0, 2, 0, 0, 5, 2, 0, 0, 2, 0, 0, 1]
    return [UserFactory(followers_count=count) for count in counts]


def _expected(users):
    return [user.pk for user in sorted(users, key=lambda user: (-user.followers_count, -user.pk))]


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 12, 20])
def test_forward_walk_visits_each_once(users_with_ties, page_size):
    seen = _walk_forward(f"/items?page_size={page_size}")
    assert seen == _expected(users_with_ties)


@pytest.mark.parametrize("page_size", [1, 3, 5])
def test_backward_walk_mirrors_forward(users_with_ties, page_size):
    pages, url = [], f"/items?page_size={page_size}"
    while url:
        ids, next_url, _ = _page(url)
        pages.append(ids)
        url = next_url and _path(next_url)
    # From the last page, `previous` links return the same pages in reverse.
    _, _, previous_url = _page(f"/items?page_size={page_size}&cursor=" + _last_cursor(page_size))
    backward = [pages[-1]]
    while previous_url:
        ids, _, previous_url = _page(_path(previous_url))
        backward.append(ids)
    assert backward[::-1] == pages


def _last_cursor(page_size: int) -> str:
    url, last = f"/items?page_size={page_size}", None
    while url:
        last = url
        _, next_url, _ = _page(url)
        url = next_url and _path(next_url)
    return last.partition("cursor=")[2] if "cursor=" in last else ""


def test_first_page_has_no_previous(users_with_ties):
    _, next_url, previous_url = _page("/items?page_size=5")
    assert previous_url is None
    assert next_url is not None


def test_insert_in_tie_causes_no_repeat(users_with_ties):
    # The first page ends inside the group of users with 0 followers.
    ids, next_url, _ = _page("/items?page_size=7")
    assert [User.objects.get(pk=pk).followers_count for pk in ids[-2:]] == [0, 0]
    # A new user with 0 followers and the highest id sorts ahead of the rows already read.
    newcomer = UserFactory(followers_count=0)
    rest = _walk_forward(_path(next_url))
    assert ids + rest == _expected(users_with_ties)
    assert newcomer.pk not in rest


def test_delete_of_edge_row_causes_no_skip(users_with_ties):
    ids, next_url, _ = _page("/items?page_size=4")
    User.objects.filter(pk=ids[-1]).delete()
    rest = _walk_forward(_path(next_url))
    assert ids + rest == _expected(users_with_ties)


def test_ascending_string_ordering(users_with_ties):
    seen = _walk_forward("/items?page_size=5", ordering=("username", "id"))
    assert seen == list(User.objects.order_by("username", "id").values_list("pk", flat=True))


def test_datetime_ordering_keeps_microseconds(db):
    users = [UserFactory() for _ in range(6)]
    seen = _walk_forward("/items?page_size=2", ordering=("-created_at", "-id"))
    assert seen == [user.pk for user in sorted(users, key=lambda user: (user.created_at, user.pk), reverse=True)]


def test_empty_next_page_links_to_last_page(users_with_ties):
    ids, next_url, _ = _page("/items?page_size=5")
    _, next_url, _ = _page(_path(next_url))
    User.objects.exclude(pk__in=ids).delete()
    rows, further, previous_url = _page(_path(next_url))
    assert rows == []
    assert further is None
    last_page, _, _ = _page(_path(previous_url))
    assert last_page == ids


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        "e30",  # {}
        "W10",  # []
        "eyJwIjpbMV19",  # {"p":[1]}: one value for a two-field ordering
        "eyJwIjpbIngiLDFdfQ",  # {"p":["x",1]}: a string for an integer field
        "eyJwIjpudWxsfQ",  # {"p":null} without "r"
        "eyJwIjpbMSwxXSwiciI6InllcyJ9",  # {"p":[1,1],"r":"yes"}
    ],
)
def test_invalid_cursor_rejected(users_with_ties, cursor):
    with pytest.raises(exceptions.ValidationError) as caught:
        _page(f"/items?cursor={cursor}")
    assert list(caught.value.detail) == ["cursor"]


def _encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"p":[1.5,1]}',
        b'{"p":["5",1]}',
        b'{"p":[true,1]}',
        b'{"p":[5,18446744073709551616]}',
        b'{"p":[5,1e400]}',
        b"[" * 1000 + b"]" * 1000,
    ],
    ids=["float", "numeric string", "boolean", "beyond 64 bits", "infinity", "nested 1000 deep"],
)
def test_cursor_bad_integer_or_nesting_rejected(users_with_ties, raw):
    with pytest.raises(exceptions.ValidationError) as caught:
        _page(f"/items?cursor={_encoded(raw)}")
    assert list(caught.value.detail) == ["cursor"]
