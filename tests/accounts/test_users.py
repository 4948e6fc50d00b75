"""GET /api/v1/users (search, filters, ordering, paging) and GET /api/v1/users/{username}."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import status

from apps.accounts.follows import follow_create
from apps.accounts.models import User
from tests.factories import UserFactory

URL = "/api/v1/users"
PUBLIC_FIELDS = {
    "id",
    "username",
    "display_name",
    "bio",
    "avatar",
    "location",
    "website",
    "created_at",
    "followers_count",
    "following_count",
    "posts_count",
}


def _usernames(response) -> list[str]:
    assert response.status_code == status.HTTP_200_OK, response.content
    return [row["username"] for row in response.json()["results"]]


def _walk(client, query: dict) -> list[str]:
    """Follow `next` links from the first page and return every username seen, in order."""
    seen, url = [], f"{URL}?{urlencode(query)}"
    while url:
        response = client.get(url)
        seen += _usernames(response)
        url = response.json()["next"]
    return seen


@pytest.fixture
def directory(db):
    """Users registered a day apart, oldest first, with varied names, places and follower counts."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        ("zed", "Zed Shaw", "Berlin", 3),
        ("Anna", "Anna Karenina", "Moscow", 1),
        ("bob_builder", "Bob", "berlin", 0),
        ("carol", "Carol Bobbins", "Paris", 1),
        ("dave", "Dave", "", 0),
        ("erin", "Erin", "Rome", 5),
    ]
    return [
        UserFactory(
            username=name,
            display_name=display,
            location=location,
            followers_count=followers,
            created_at=start + timedelta(days=index),
            email=f"{name.lower()}@secret-domain.example",
        )
        for index, (name, display, location, followers) in enumerate(rows)
    ]


def test_list_newest_first_by_default(api_client, directory):
    assert _usernames(api_client.get(URL)) == ["erin", "dave", "carol", "bob_builder", "Anna", "zed"]


def test_list_public_shape_without_email(api_client, directory):
    response = api_client.get(URL)
    row = response.json()["results"][0]
    assert set(row) == PUBLIC_FIELDS
    assert "secret-domain" not in response.content.decode()


def test_list_viewer_flags_for_authenticated(alice_client, directory):
    follow_create(follower=alice_client.user, followee=directory[0])
    follow_create(follower=directory[1], followee=alice_client.user)
    rows = {row["username"]: row for row in alice_client.get(URL).json()["results"]}
    assert (rows["zed"]["is_following"], rows["zed"]["follows_you"]) == (True, False)
    assert (rows["Anna"]["is_following"], rows["Anna"]["follows_you"]) == (False, True)
    assert (rows["dave"]["is_following"], rows["dave"]["follows_you"]) == (False, False)


def test_list_hides_inactive_users(api_client, directory):
    User.objects.filter(username="dave").update(is_active=False)
    assert "dave" not in _usernames(api_client.get(URL))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "bob"}, ["carol", "bob_builder"]),
        ({"search": "BOB"}, ["carol", "bob_builder"]),
        ({"search": "karenina"}, ["Anna"]),
        ({"search": "secret-domain"}, []),
        ({"search": "zed@"}, []),
        ({"username": "anna"}, ["Anna"]),
        ({"username": "ANNA"}, ["Anna"]),
        ({"username": "ann"}, []),
        ({"location": "BERLIN"}, ["bob_builder", "zed"]),
        ({"location": "ari"}, ["carol"]),
        ({"joined_after": "2026-01-04T00:00:00Z"}, ["erin", "dave", "carol"]),
        ({"joined_before": "2026-01-02T00:00:00Z"}, ["zed"]),
        (
            {"joined_after": "2026-01-02T00:00:00+00:00", "joined_before": "2026-01-04T00:00:00Z"},
            ["bob_builder", "Anna"],
        ),
        ({"joined_after": "2026-01-05"}, ["erin", "dave"]),
        ({"search": "b", "location": "berlin"}, ["bob_builder"]),
        ({"search": ""}, ["erin", "dave", "carol", "bob_builder", "Anna", "zed"]),
    ],
)
def test_list_filters(api_client, directory, query, expected):
    assert _usernames(api_client.get(URL, query)) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"joined_after": "yesterday"}, "joined_after"),
        ({"joined_before": "2026-13-01T00:00:00Z"}, "joined_before"),
        ({"ordering": "email"}, "ordering"),
        ({"ordering": "-username"}, "ordering"),
        ({"search": "nul\x00byte"}, "search"),
        ({"search": "x" * 101}, "search"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_list_invalid_parameter_400(api_client, directory, query, field):
    response = api_client.get(URL, query)
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("username", ["Anna", "bob_builder", "carol", "dave", "erin", "zed"]),
        ("-created_at", ["erin", "dave", "carol", "bob_builder", "Anna", "zed"]),
        # Ties on followers_count fall back to the newest account first.
        ("-followers_count", ["erin", "zed", "carol", "Anna", "dave", "bob_builder"]),
    ],
)
@pytest.mark.parametrize("page_size", [1, 2, 4, 100])
def test_list_ordering_pages_without_gaps(api_client, directory, ordering, expected, page_size):
    assert _walk(api_client, {"ordering": ordering, "page_size": page_size}) == expected


def test_list_previous_links_mirror_next(api_client, directory):
    pages, url = [], f"{URL}?ordering=-followers_count&page_size=2"
    while url:
        response = api_client.get(url)
        pages.append(_usernames(response))
        last, url = response, response.json()["next"]
    backward, url = [], last.json()["previous"]
    while url:
        response = api_client.get(url)
        backward.insert(0, _usernames(response))
        url = response.json()["previous"]
    assert backward == pages[:-1]


def test_list_link_header(api_client, directory):
    response = api_client.get(URL, {"page_size": 2})
    assert response["Link"] == f'<{response.json()["next"]}>; rel="next"'
    second = api_client.get(response.json()["next"])
    assert 'rel="next"' in second["Link"]
    assert 'rel="prev"' in second["Link"]


def test_list_new_signups_cause_no_repeats(api_client, directory):
    first = api_client.get(URL, {"ordering": "-followers_count", "page_size": 3})
    # New accounts with 0 followers sort among the ties that are still ahead.
    UserFactory(username="newcomer", followers_count=0)
    rest, url = [], first.json()["next"]
    while url:
        response = api_client.get(url)
        rest += _usernames(response)
        url = response.json()["next"]
    seen = _usernames(first) + rest
    assert len(seen) == len(set(seen))
    assert set(seen) >= {user.username for user in directory}


@pytest.mark.parametrize("authenticated", [False, True])
def test_list_query_count_constant(api_client, alice_client, directory, authenticated, django_assert_max_num_queries):
    client = alice_client if authenticated else api_client
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"page_size": 2})
    for _ in range(25):
        follow_create(follower=UserFactory(), followee=alice_client.user)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"page_size": 100, "search": "", "ordering": "-followers_count"})
    assert len(response.json()["results"]) > 25
    assert len(many) == len(few)


def test_detail_returns_profile(api_client, directory):
    response = api_client.get(f"{URL}/carol")
    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    assert set(body) == PUBLIC_FIELDS
    assert body["display_name"] == "Carol Bobbins"


def test_detail_username_case_insensitive(api_client, directory):
    response = api_client.get(f"{URL}/anna/")
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["username"] == "Anna"


def test_detail_viewer_flags(alice_client, directory):
    follow_create(follower=directory[2], followee=alice_client.user)
    response = alice_client.get(f"{URL}/bob_builder")
    assert response.status_code == status.HTTP_200_OK, response.content
    assert (response.json()["is_following"], response.json()["follows_you"]) == (False, True)


@pytest.mark.parametrize("username", ["nobody", "a", "dave"])
def test_detail_unknown_404(api_client, directory, username):
    User.objects.filter(username="dave").update(is_active=False)
    response = api_client.get(f"{URL}/{username}")
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


def test_detail_query_count(alice_client, directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = alice_client.get(f"{URL}/carol")
    assert response.status_code == status.HTTP_200_OK, response.content


def test_kelvin_sign_matches_no_username(api_client, db):
    # "\u212a" (KELVIN SIGN) lower-cases to the ASCII "k" in Python.
    UserFactory(username="kate")
    assert api_client.get(f"{URL}/\u212aate").status_code == status.HTTP_404_NOT_FOUND
    assert _usernames(api_client.get(URL, {"username": "\u212aate"})) == []
