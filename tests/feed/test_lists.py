"""GET /api/v1/posts with filters, /users/{username}/posts, /hashtags and /hashtags/{name}/posts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.feed.models import Post
from tests.factories import UserFactory

from .posts import HASHTAGS_URL, POSTS_URL, list_get, media_stored, post_stored

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    return [post["text"] for post in response.json()["results"]]


def test_posts_list_newest_first(api_client, alice_client, django_assert_max_num_queries):
    for number in range(3):
        post_stored(author=alice_client.user, text=f"post {number}")

    with django_assert_max_num_queries(3):
        response = list_get(api_client, POSTS_URL)

    assert response.status_code == 200, response.content
    assert texts(response) == ["post 2", "post 1", "post 0"]
    assert response.json()["next"] is None
    assert response.json()["previous"] is None


def test_posts_list_publish_at_order(api_client, alice_client):
    older = post_stored(author=alice_client.user, text="older")
    newer = post_stored(author=alice_client.user, text="newer")
    Post.objects.filter(pk=newer.pk).update(publish_at=older.publish_at - timedelta(hours=1))

    response = list_get(api_client, POSTS_URL)

    assert texts(response) == ["older", "newer"]


def test_posts_list_queries_constant(alice_client, bob_client, django_assert_max_num_queries):
    authors = [UserFactory() for _ in range(10)]
    for index in range(60):
        author = authors[index % len(authors)]
        post_stored(author=author, text=f"post {index} #tag{index % 3}", media=[media_stored(owner=author)])

    with django_assert_max_num_queries(3):
        small = list_get(alice_client, POSTS_URL, {"page_size": 2})
    with django_assert_max_num_queries(3):
        large = list_get(alice_client, POSTS_URL, {"page_size": 50})
    with django_assert_max_num_queries(3):
        following_page = list_get(alice_client, large.json()["next"])

    assert small.status_code == 200, small.content
    assert len(small.json()["results"]) == 2
    assert len(large.json()["results"]) == 50
    assert all(len(post["media"]) == 1 for post in large.json()["results"])
    assert len(following_page.json()["results"]) == 10


def test_posts_list_link_header(api_client, alice_client):
    for number in range(3):
        post_stored(author=alice_client.user, text=f"post {number}")

    response = list_get(api_client, POSTS_URL, {"page_size": 2})

    assert response.status_code == 200, response.content
    assert response["Link"] == f'<{response.json()["next"]}>; rel="next"'


def test_posts_filter_author(api_client, alice_client, bob_client, django_assert_max_num_queries):
    post_stored(author=alice_client.user, text="by alice")
    post_stored(author=bob_client.user, text="by bob")

    with django_assert_max_num_queries(3):
        response = list_get(api_client, POSTS_URL, {"author": "ALICE"})

    assert response.status_code == 200, response.content
    assert texts(response) == ["by alice"]


def test_posts_filter_unknown_author(api_client, alice_client):
    post_stored(author=alice_client.user, text="by alice")

    response = list_get(api_client, POSTS_URL, {"author": "nobody"})

    assert response.status_code == 200, response.content
    assert texts(response) == []


@pytest.mark.parametrize("hashtag", ["café", "#café", "CAFÉ", "Cafe\u0301", "%23café"])
def test_posts_filter_hashtag(api_client, alice_client, hashtag, django_assert_max_num_queries):
    post_stored(author=alice_client.user, text="Coffee at the #Café")
    post_stored(author=alice_client.user, text="Coffee at the #cafeteria")
    query = f"{POSTS_URL}?hashtag={hashtag}" if hashtag.startswith("%") else None

    with django_assert_max_num_queries(3):
        response = list_get(api_client, query) if query else list_get(api_client, POSTS_URL, {"hashtag": hashtag})

    assert response.status_code == 200, response.content
    assert texts(response) == ["Coffee at the #Café"]


def test_posts_filter_search(api_client, alice_client):
    post_stored(author=alice_client.user, text="I like Django")
    post_stored(author=alice_client.user, text="I like Flask")

    response = list_get(api_client, POSTS_URL, {"search": "DJANGO"})

    assert response.status_code == 200, response.content
    assert texts(response) == ["I like Django"]


def test_posts_filter_published_window(api_client, alice_client):
    now = timezone.now()
    for days, text in ((3, "three days ago"), (2, "two days ago"), (1, "yesterday")):
        post = post_stored(author=alice_client.user, text=text)
        Post.objects.filter(pk=post.pk).update(publish_at=now - timedelta(days=days))

    response = list_get(
        api_client,
        POSTS_URL,
        {
            "published_after": (now - timedelta(days=2, hours=1)).isoformat(),
            "published_before": (now - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )

    assert response.status_code == 200, response.content
    assert texts(response) == ["yesterday", "two days ago"]


def test_posts_filter_offset_unencoded_plus(api_client, alice_client):
    post = post_stored(author=alice_client.user, text="old")
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(days=1))
    post_stored(author=alice_client.user, text="new")
    # Twelve hours ago written at UTC+02:00, with the '+' left unencoded so it arrives as a space.
    local = (timezone.now() - timedelta(hours=12)).astimezone(timezone.get_fixed_timezone(120))

    response = list_get(api_client, f"{POSTS_URL}?published_after={local.strftime('%Y-%m-%dT%H:%M:%S+02:00')}")

    assert response.status_code == 200, response.content
    assert texts(response) == ["new"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("published_after", "yesterday"),
        ("published_before", "2026-13-40T00:00:00Z"),
        ("has_media", "maybe"),
        ("cursor", "not-a-cursor"),
        ("page_size", "0"),
        ("page_size", "101"),
    ],
)
def test_posts_filter_invalid(api_client, parameter, value):
    response = list_get(api_client, POSTS_URL, {parameter: value})

    assert response.status_code == 400, response.content
    assert parameter in response.json()["errors"]


def test_posts_filter_has_media(api_client, alice_client):
    post_stored(author=alice_client.user, text="with", media=[media_stored(owner=alice_client.user)])
    post_stored(author=alice_client.user, text="without")

    with_media = list_get(api_client, POSTS_URL, {"has_media": "true"})
    without_media = list_get(api_client, POSTS_URL, {"has_media": "false"})

    assert texts(with_media) == ["with"]
    assert texts(without_media) == ["without"]


def test_posts_filters_combined(api_client, alice_client, bob_client):
    post_stored(author=alice_client.user, text="alice #news", media=[media_stored(owner=alice_client.user)])
    post_stored(author=alice_client.user, text="alice #news plain")
    post_stored(author=bob_client.user, text="bob #news", media=[media_stored(owner=bob_client.user)])

    response = list_get(api_client, POSTS_URL, {"author": "alice", "hashtag": "news", "has_media": "true"})

    assert texts(response) == ["alice #news"]


# A user's posts.


def test_user_posts_listed(api_client, alice_client, bob_client, django_assert_max_num_queries):
    post_stored(author=alice_client.user, text="alice 1")
    post_stored(author=alice_client.user, text="alice 2")
    post_stored(author=bob_client.user, text="bob 1")

    with django_assert_max_num_queries(3):
        response = list_get(bob_client, "/api/v1/users/Alice/posts")

    assert response.status_code == 200, response.content
    assert texts(response) == ["alice 2", "alice 1"]


def test_user_posts_unknown_user(api_client, alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = list_get(alice_client, "/api/v1/users/nobody/posts")

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


def test_user_posts_empty_user(api_client, alice_client):
    response = list_get(api_client, "/api/v1/users/alice/posts")

    assert response.status_code == 200, response.content
    assert texts(response) == []


def test_user_posts_queries_constant(bob_client, django_assert_max_num_queries):
    alice = UserFactory(username="alice")
    for number in range(30):
        post_stored(author=alice, text=f"post {number}", media=[media_stored(owner=alice)])

    with django_assert_max_num_queries(3):
        response = list_get(bob_client, "/api/v1/users/alice/posts", {"page_size": 30})

    assert len(response.json()["results"]) == 30


# Hashtags.


def test_hashtags_by_name(api_client, alice_client, django_assert_max_num_queries):
    post_stored(author=alice_client.user, text="#zebra #apple")
    post_stored(author=alice_client.user, text="#apple #日本")

    with django_assert_max_num_queries(3):
        response = list_get(alice_client, HASHTAGS_URL)

    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {"name": "apple", "posts_count": 2},
        {"name": "zebra", "posts_count": 1},
        {"name": "日本", "posts_count": 1},
    ]


def test_hashtags_most_used(api_client, alice_client):
    post_stored(author=alice_client.user, text="#rare #common")
    post_stored(author=alice_client.user, text="#common #medium")
    post_stored(author=alice_client.user, text="#common #medium")

    response = list_get(api_client, HASHTAGS_URL, {"ordering": "-posts_count"})

    assert response.status_code == 200, response.content
    assert [tag["name"] for tag in response.json()["results"]] == ["common", "medium", "rare"]


def test_hashtags_most_used_paged(api_client, alice_client):
    for name, posts in (("a", 1), ("b", 3), ("c", 1), ("d", 2), ("e", 1)):
        for _ in range(posts):
            post_stored(author=alice_client.user, text=f"#{name}")

    first = list_get(api_client, HASHTAGS_URL, {"ordering": "-posts_count", "page_size": 2})
    second = list_get(api_client, first.json()["next"])
    third = list_get(api_client, second.json()["next"])

    names = [tag["name"] for page in (first, second, third) for tag in page.json()["results"]]
    assert names == ["b", "d", "a", "c", "e"]
    assert third.json()["next"] is None


def test_hashtags_search_prefix(api_client, alice_client):
    post_stored(author=alice_client.user, text="#python #pytest #django #Py")

    response = list_get(api_client, HASHTAGS_URL, {"search": "#PY"})

    assert [tag["name"] for tag in response.json()["results"]] == ["py", "pytest", "python"]


def test_hashtags_unused_hidden(api_client, alice_client):
    post = post_stored(author=alice_client.user, text="#gone")
    alice_client.delete(f"{POSTS_URL}/{post.pk}")

    response = list_get(api_client, HASHTAGS_URL)

    assert response.json()["results"] == []


def test_hashtags_invalid_ordering(api_client):
    response = list_get(api_client, HASHTAGS_URL, {"ordering": "posts_count"})

    assert response.status_code == 400, response.content
    assert "ordering" in response.json()["errors"]


@pytest.mark.parametrize("name", ["日本", "%E6%97%A5%E6%9C%AC", "%23日本"])
def test_hashtag_posts_listed(api_client, alice_client, name, django_assert_max_num_queries):
    post_stored(author=alice_client.user, text="Tokyo #日本")
    post_stored(author=alice_client.user, text="Osaka #日本 #food")
    post_stored(author=alice_client.user, text="Paris #france")

    with django_assert_max_num_queries(3):
        response = list_get(alice_client, f"{HASHTAGS_URL}/{name}/posts")

    assert response.status_code == 200, response.content
    assert texts(response) == ["Osaka #日本 #food", "Tokyo #日本"]


def test_hashtag_posts_case_insensitive(api_client, alice_client):
    post_stored(author=alice_client.user, text="#Django")

    response = list_get(api_client, f"{HASHTAGS_URL}/DJANGO/posts")

    assert texts(response) == ["#Django"]


@pytest.mark.parametrize("name", ["İstanbul", "%C4%B0stanbul", "i%CC%87stanbul", "%23%C4%B0STANBUL"])
def test_hashtag_posts_dotted_capital_i(api_client, alice_client, name):
    post_stored(author=alice_client.user, text="Ferry across the Bosphorus #İstanbul")

    response = list_get(api_client, f"{HASHTAGS_URL}/{name}/posts")

    assert response.status_code == 200, response.content
    assert texts(response) == ["Ferry across the Bosphorus #İstanbul"]


def test_hashtag_posts_unknown_empty(api_client):
    response = list_get(api_client, f"{HASHTAGS_URL}/nothing/posts")

    assert response.status_code == 200, response.content
    assert texts(response) == []


def test_hashtag_posts_queries_constant(alice_client, django_assert_max_num_queries):
    authors = [UserFactory() for _ in range(5)]
    for number in range(40):
        author = authors[number % 5]
        post_stored(author=author, text=f"#busy number {number}", media=[media_stored(owner=author)])

    with django_assert_max_num_queries(3):
        response = list_get(alice_client, f"{HASHTAGS_URL}/busy/posts", {"page_size": 40})

    assert len(response.json()["results"]) == 40
