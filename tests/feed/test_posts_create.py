"""POST /api/v1/posts: text, pictures, hashtags, counts and idempotency."""

import pytest

from apps.accounts.models import User
from apps.feed.models import Hashtag, Media, Post, PostHashtag

from .posts import POSTS_URL, media_stored, media_upload, post_stored, post_url

pytestmark = pytest.mark.django_db


def test_post_create_published(alice_client):
    response = alice_client.post(POSTS_URL, {"text": "Hello world"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == post_url(body["id"])
    assert body["author"] == {"id": alice_client.user.pk, "username": "alice", "display_name": "Alice", "avatar": None}
    assert body["text"] == "Hello world"
    assert body["hashtags"] == []
    assert body["media"] == []
    assert body["status"] == "published"
    assert body["publish_at"].endswith("Z")
    assert body["created_at"].endswith("Z")
    assert body["edited_at"] is None
    assert body["likes_count"] == 0
    assert body["comments_count"] == 0
    assert body["liked_by_me"] is False
    alice_client.user.refresh_from_db()
    assert alice_client.user.posts_count == 1


def test_post_create_with_media(alice_client):
    first = media_upload(alice_client, description="first")
    second = media_upload(alice_client, description="second")

    response = alice_client.post(POSTS_URL, {"text": "Two pictures", "media_ids": [second, first]})

    assert response.status_code == 201, response.content
    media = response.json()["media"]
    assert [item["id"] for item in media] == [second, first]
    assert [item["description"] for item in media] == ["second", "first"]
    assert media[0]["url"].startswith("http://testserver/media/")
    assert media[0]["width"] == 8
    post = Post.objects.get(pk=response.json()["id"])
    assert post.has_media is True
    assert list(post.media.order_by("position").values_list("pk", flat=True)) == [second, first]


def test_post_media_only_allowed(alice_client):
    media_id = media_upload(alice_client)

    response = alice_client.post(POSTS_URL, {"text": "", "media_ids": [media_id]})

    assert response.status_code == 201, response.content
    assert response.json()["text"] == ""


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   \n "}, {}, {"text": "", "media_ids": []}])
def test_post_empty_rejected(alice_client, body):
    response = alice_client.post(POSTS_URL, body)

    assert response.status_code == 400, response.content
    assert "text" in response.json()["errors"]
    assert not Post.objects.exists()


def test_post_text_max_length(alice_client):
    accepted = alice_client.post(POSTS_URL, {"text": "x" * 2000})
    rejected = alice_client.post(POSTS_URL, {"text": "x" * 2001})

    assert accepted.status_code == 201, accepted.content
    assert rejected.status_code == 400, rejected.content
    assert "text" in rejected.json()["errors"]


def test_post_text_nfc_normalised(alice_client):
    # 2,000 decomposed letters (e + combining acute, 4,000 code points) are 2,000 characters in NFC.
    response = alice_client.post(POSTS_URL, {"text": "e\u0301" * 2000})

    assert response.status_code == 201, response.content
    assert response.json()["text"] == "\u00e9" * 2000


def test_post_control_character_rejected(alice_client):
    response = alice_client.post(POSTS_URL, {"text": "bell \u0007 here"})

    assert response.status_code == 400, response.content
    assert "text" in response.json()["errors"]


def test_post_hashtags_extracted(alice_client):
    text = "Morning in #日本 with a #Cafe\u0301, #café again, #CAFÉ, #Tokyo_2026 and a#fragment #tokyo_2026"

    response = alice_client.post(POSTS_URL, {"text": text})

    assert response.status_code == 201, response.content
    assert response.json()["hashtags"] == ["日本", "café", "tokyo_2026"]
    post = Post.objects.get(pk=response.json()["id"])
    assert sorted(PostHashtag.objects.filter(post=post).values_list("hashtag__name", flat=True)) == [
        "café",
        "tokyo_2026",
        "日本",
    ]
    counts = dict(Hashtag.objects.values_list("name", "posts_count"))
    assert counts == {"日本": 1, "café": 1, "tokyo_2026": 1}


def test_post_hashtags_keep_combining_marks(alice_client):
    text = "नमस्ते #हिन्दी, #ไทยรัฐ, #İstanbul and #زبان\u200cها"

    response = alice_client.post(POSTS_URL, {"text": text})

    assert response.status_code == 201, response.content
    assert response.json()["hashtags"] == ["हिन्दी", "ไทยรัฐ", "i\u0307stanbul", "زبان\u200cها"]


def test_post_hashtag_counts_accumulate(alice_client, bob_client):
    alice_client.post(POSTS_URL, {"text": "#python rocks"})
    bob_client.post(POSTS_URL, {"text": "#Python and #django"})

    assert dict(Hashtag.objects.values_list("name", "posts_count")) == {"python": 2, "django": 1}


def test_post_overlong_hashtag_ignored(alice_client):
    response = alice_client.post(POSTS_URL, {"text": f"#{'a' * 101} #{'b' * 100}"})

    assert response.status_code == 201, response.content
    assert response.json()["hashtags"] == ["b" * 100]


def test_post_others_media_rejected(alice_client, bob_client):
    bobs = media_stored(owner=bob_client.user)

    response = alice_client.post(POSTS_URL, {"text": "Not mine", "media_ids": [bobs.pk]})

    assert response.status_code == 400, response.content
    assert "media_ids" in response.json()["errors"]
    bobs.refresh_from_db()
    assert bobs.post is None
    assert not Post.objects.exists()


def test_post_unknown_and_others_media_same_message(alice_client, bob_client):
    bobs = media_stored(owner=bob_client.user)

    others = alice_client.post(POSTS_URL, {"text": "x", "media_ids": [bobs.pk]})
    unknown = alice_client.post(POSTS_URL, {"text": "x", "media_ids": [bobs.pk + 1000]})

    assert others.status_code == 400, others.content
    assert unknown.status_code == 400, unknown.content
    assert others.json()["errors"]["media_ids"][0] == unknown.json()["errors"]["media_ids"][0].replace(
        str(bobs.pk + 1000), str(bobs.pk)
    )


def test_post_used_media_rejected(alice_client):
    media = media_stored(owner=alice_client.user)
    first = post_stored(author=alice_client.user, text="first", media=[media])

    response = alice_client.post(POSTS_URL, {"text": "second", "media_ids": [media.pk]})

    assert response.status_code == 400, response.content
    assert "media_ids" in response.json()["errors"]
    media.refresh_from_db()
    assert media.post == first
    assert Post.objects.count() == 1


def test_post_five_media_rejected(alice_client):
    media_ids = [media_stored(owner=alice_client.user).pk for _ in range(5)]

    response = alice_client.post(POSTS_URL, {"text": "too many", "media_ids": media_ids})

    assert response.status_code == 400, response.content
    assert "media_ids" in response.json()["errors"]
    assert not Media.objects.filter(post__isnull=False).exists()


def test_post_four_media_accepted(alice_client):
    media_ids = [media_stored(owner=alice_client.user).pk for _ in range(4)]

    response = alice_client.post(POSTS_URL, {"text": "four", "media_ids": media_ids})

    assert response.status_code == 201, response.content
    assert [item["id"] for item in response.json()["media"]] == media_ids


@pytest.mark.parametrize("media_ids", [[1, 1], ["x"], [0], "1", None, [2**63]])
def test_post_media_ids_invalid(alice_client, media_ids):
    response = alice_client.post(POSTS_URL, {"text": "bad ids", "media_ids": media_ids})

    assert response.status_code == 400, response.content
    assert any(key.startswith("media_ids") for key in response.json()["errors"])


def test_post_anonymous_unauthorized(api_client):
    response = api_client.post(POSTS_URL, {"text": "hello"})

    assert response.status_code == 401, response.content
    assert response.json()["code"] == "not_authenticated"
    assert not Post.objects.exists()


def test_post_malformed_json_rejected(alice_client):
    response = alice_client.generic("POST", POSTS_URL, "{not json", content_type="application/json")

    assert response.status_code == 400, response.content


def test_post_trailing_slash_accepted(alice_client):
    response = alice_client.post(f"{POSTS_URL}/", {"text": "slash"})

    assert response.status_code == 201, response.content


def test_post_idempotency_key_replays(alice_client):
    first = alice_client.post(POSTS_URL, {"text": "once #only"}, HTTP_IDEMPOTENCY_KEY="post-1")
    again = alice_client.post(POSTS_URL, {"text": "once #only"}, HTTP_IDEMPOTENCY_KEY="post-1")

    assert first.status_code == 201, first.content
    assert again.status_code == 201, again.content
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Post.objects.count() == 1
    assert User.objects.get(pk=alice_client.user.pk).posts_count == 1
    assert Hashtag.objects.get(name="only").posts_count == 1


def test_post_idempotency_key_per_user(alice_client, bob_client):
    alice = alice_client.post(POSTS_URL, {"text": "same key"}, HTTP_IDEMPOTENCY_KEY="shared")
    bob = bob_client.post(POSTS_URL, {"text": "same key"}, HTTP_IDEMPOTENCY_KEY="shared")

    assert alice.status_code == 201, alice.content
    assert bob.status_code == 201, bob.content
    assert alice.json()["id"] != bob.json()["id"]


def test_post_idempotency_key_other_body(alice_client):
    alice_client.post(POSTS_URL, {"text": "first"}, HTTP_IDEMPOTENCY_KEY="reused")

    response = alice_client.post(POSTS_URL, {"text": "different"}, HTTP_IDEMPOTENCY_KEY="reused")

    assert response.status_code == 422, response.content
    assert Post.objects.count() == 1


def test_post_failed_create_key_reusable(alice_client):
    failed = alice_client.post(POSTS_URL, {"text": ""}, HTTP_IDEMPOTENCY_KEY="retry")
    fixed = alice_client.post(POSTS_URL, {"text": "now with text"}, HTTP_IDEMPOTENCY_KEY="retry")

    assert failed.status_code == 400, failed.content
    assert fixed.status_code == 201, fixed.content
