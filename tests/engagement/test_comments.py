"""Comments: creating, listing, reading, editing and deleting them, and their notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import status

from apps.engagement.models import Comment, Notification
from apps.engagement.services import comment_create
from apps.feed.models import Post
from tests.factories import PostFactory, UserFactory


def comments_url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/comments"


def comment_url(comment_id: int) -> str:
    return f"/api/v1/comments/{comment_id}"


@pytest.fixture
def bob_post(bob_client):
    return PostFactory(author=bob_client.user)


@pytest.fixture
def alice_comment(alice_client, bob_post):
    return comment_create(author=alice_client.user, post=bob_post, text="Lovely colours!")


def scheduled_post(author):
    return PostFactory(author=author, status=Post.Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=2))


# POST /posts/{id}/comments


def test_comment_create_201(alice_client, bob_post):
    response = alice_client.post(comments_url(bob_post.pk), {"text": "Lovely colours!"})

    assert response.status_code == status.HTTP_201_CREATED, response.content
    body = response.json()
    assert body["post"] == bob_post.pk
    assert body["text"] == "Lovely colours!"
    assert body["author"] == {"id": alice_client.user.pk, "username": "alice", "display_name": "Alice", "avatar": None}
    assert body["edited_at"] is None
    assert response["Location"] == f"/api/v1/comments/{body['id']}"
    bob_post.refresh_from_db()
    assert bob_post.comments_count == 1
    assert Comment.objects.get().text == "Lovely colours!"


def test_comment_notifies_post_author(alice_client, bob_post):
    response = alice_client.post(comments_url(bob_post.pk), {"text": "Nice"})

    assert response.status_code == status.HTTP_201_CREATED, response.content
    notification = Notification.objects.get()
    assert notification.type == Notification.Type.COMMENT
    assert notification.recipient == bob_post.author
    assert notification.actor == alice_client.user
    assert notification.comment_id == response.json()["id"]


def test_comment_own_post_no_notification(bob_client, bob_post):
    response = bob_client.post(comments_url(bob_post.pk), {"text": "Thanks all"})

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert not Notification.objects.exists()


def test_comment_text_nfc_normalised(alice_client, bob_post):
    decomposed = "Cafe\u0301"

    response = alice_client.post(comments_url(bob_post.pk), {"text": decomposed})

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert response.json()["text"] == "Caf\u00e9"


def test_comment_1000_characters_after_nfc_accepted(alice_client, bob_post):
    # 1,000 decomposed characters are 2,000 code points before NFC and 1,000 after.
    response = alice_client.post(comments_url(bob_post.pk), {"text": "e\u0301" * 1000})

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert len(response.json()["text"]) == 1000


def test_comment_keeps_newline_and_tab(alice_client, bob_post):
    response = alice_client.post(comments_url(bob_post.pk), {"text": "line one\n\tline two"})

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert response.json()["text"] == "line one\n\tline two"


def test_comment_crlf_becomes_lf(alice_client, bob_post):
    response = alice_client.post(comments_url(bob_post.pk), {"text": "one\r\ntwo"})

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert response.json()["text"] == "one\ntwo"


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("x" * 1001, "1000"),
        ("bell\u0007", "U+0007"),
        ("escape\u001b[31m", "U+001B"),
        ("carriage\rreturn", "U+000D"),
        ("next\u0085line", "U+0085"),
        ("null\u0000", "U+0000"),
    ],
)
def test_comment_invalid_text_400(alice_client, bob_post, text, message_part):
    response = alice_client.post(comments_url(bob_post.pk), {"text": text})

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert message_part in body["errors"]["text"][0]
    assert not Comment.objects.exists()


def test_comment_missing_text_400(alice_client, bob_post):
    response = alice_client.post(comments_url(bob_post.pk), {})

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "text" in response.json()["errors"]


def test_comment_text_not_string_400(alice_client, bob_post):
    response = alice_client.post(comments_url(bob_post.pk), {"text": {"nested": 1}}, format="json")

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "text" in response.json()["errors"]


def test_comment_anonymous_401(api_client, bob_post):
    response = api_client.post(comments_url(bob_post.pk), {"text": "hi"})

    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content
    assert not Comment.objects.exists()


def test_comment_others_scheduled_post_404(alice_client, bob_client):
    post = scheduled_post(bob_client.user)

    response = alice_client.post(comments_url(post.pk), {"text": "first!"})

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_comment_missing_post_404(alice_client):
    response = alice_client.post(comments_url(999999), {"text": "hello"})
    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content


def test_comment_idempotency_key_replays(alice_client, bob_post):
    headers = {"Idempotency-Key": "comment-1"}

    first = alice_client.post(comments_url(bob_post.pk), {"text": "Once"}, headers=headers)
    second = alice_client.post(comments_url(bob_post.pk), {"text": "Once"}, headers=headers)

    assert first.status_code == status.HTTP_201_CREATED, first.content
    assert second.status_code == status.HTTP_201_CREATED, second.content
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert second["Location"] == first["Location"]
    assert Comment.objects.count() == 1
    bob_post.refresh_from_db()
    assert bob_post.comments_count == 1


def test_comment_idempotency_key_other_body_422(alice_client, bob_post):
    headers = {"Idempotency-Key": "comment-2"}
    alice_client.post(comments_url(bob_post.pk), {"text": "Once"}, headers=headers)

    response = alice_client.post(comments_url(bob_post.pk), {"text": "Different"}, headers=headers)

    assert response.status_code == status.HTTP_422_UNPROCESSABLE_ENTITY, response.content
    assert Comment.objects.count() == 1


def test_comment_invalid_then_retry_same_key(alice_client, bob_post):
    headers = {"Idempotency-Key": "comment-3"}

    rejected = alice_client.post(comments_url(bob_post.pk), {"text": ""}, headers=headers)
    accepted = alice_client.post(comments_url(bob_post.pk), {"text": "Fixed"}, headers=headers)

    assert rejected.status_code == status.HTTP_400_BAD_REQUEST, rejected.content
    assert accepted.status_code == status.HTTP_201_CREATED, accepted.content


# GET /posts/{id}/comments


def test_comments_oldest_first(api_client, bob_post, django_assert_max_num_queries):
    first = comment_create(author=UserFactory(), post=bob_post, text="first")
    second = comment_create(author=UserFactory(), post=bob_post, text="second")
    comment_create(author=UserFactory(), post=PostFactory(), text="elsewhere")

    with django_assert_max_num_queries(3):
        response = api_client.get(comments_url(bob_post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    assert [comment["id"] for comment in response.json()["results"]] == [first.pk, second.pk]


def test_comments_pages_without_repeats(api_client, bob_post, django_assert_max_num_queries):
    comments = [comment_create(author=UserFactory(), post=bob_post, text=f"c{n}") for n in range(5)]

    seen = []
    url = f"{comments_url(bob_post.pk)}?page_size=2"
    while url:
        with django_assert_max_num_queries(3):
            response = api_client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        seen.extend(comment["id"] for comment in response.json()["results"])
        url = response.json()["next"]

    assert seen == [comment.pk for comment in comments]


@pytest.mark.parametrize("count", [1, 8])
def test_comments_query_count_constant(alice_client, bob_post, django_assert_max_num_queries, count):
    for _ in range(count):
        comment_create(author=UserFactory(), post=bob_post, text="hello")

    with django_assert_max_num_queries(3):
        response = alice_client.get(comments_url(bob_post.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    assert len(response.json()["results"]) == count


def test_comments_others_scheduled_post_404(alice_client, bob_client):
    post = scheduled_post(bob_client.user)

    response = alice_client.get(comments_url(post.pk))

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content


# GET /comments/{id}


def test_comment_retrieve_anonymous(api_client, alice_comment):
    response = api_client.get(comment_url(alice_comment.pk))

    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["text"] == "Lovely colours!"
    assert response.json()["post"] == alice_comment.post_id


def test_comment_on_scheduled_post_hidden(alice_client, bob_client):
    post = scheduled_post(bob_client.user)
    comment = comment_create(author=bob_client.user, post=post, text="note to self")

    hidden = alice_client.get(comment_url(comment.pk))
    shown = bob_client.get(comment_url(comment.pk))

    assert hidden.status_code == status.HTTP_404_NOT_FOUND, hidden.content
    assert shown.status_code == status.HTTP_200_OK, shown.content


@pytest.mark.django_db
def test_comment_retrieve_missing_404(api_client):
    response = api_client.get(comment_url(999999))

    assert response.status_code == status.HTTP_404_NOT_FOUND, response.content
    assert response.json()["code"] == "not_found"


# PATCH /comments/{id}


def test_comment_edit_by_author(alice_client, alice_comment):
    response = alice_client.patch(comment_url(alice_comment.pk), {"text": "Lovely light!"})

    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    assert body["text"] == "Lovely light!"
    assert body["edited_at"] is not None
    alice_comment.refresh_from_db()
    assert alice_comment.text == "Lovely light!"
    assert alice_comment.edited_at is not None


def test_comment_edit_by_post_author_403(bob_client, alice_comment):
    response = bob_client.patch(comment_url(alice_comment.pk), {"text": "Rewritten"})

    assert response.status_code == status.HTTP_403_FORBIDDEN, response.content
    assert response.json()["code"] == "permission_denied"
    alice_comment.refresh_from_db()
    assert alice_comment.text == "Lovely colours!"


def test_comment_edit_by_stranger_403(make_client, alice_comment):
    response = make_client().patch(comment_url(alice_comment.pk), {"text": "Rewritten"})
    assert response.status_code == status.HTTP_403_FORBIDDEN, response.content


def test_comment_edit_anonymous_401(api_client, alice_comment):
    response = api_client.patch(comment_url(alice_comment.pk), {"text": "Rewritten"})
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_comment_edit_invalid_text_400(alice_client, alice_comment):
    response = alice_client.patch(comment_url(alice_comment.pk), {"text": "x" * 1001})

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "text" in response.json()["errors"]
    alice_comment.refresh_from_db()
    assert alice_comment.edited_at is None


# DELETE /comments/{id}


def test_comment_delete_by_author(alice_client, alice_comment):
    response = alice_client.delete(comment_url(alice_comment.pk))

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()
    alice_comment.post.refresh_from_db()
    assert alice_comment.post.comments_count == 0


def test_comment_delete_by_post_author(bob_client, alice_comment):
    response = bob_client.delete(comment_url(alice_comment.pk))

    assert response.status_code == status.HTTP_204_NO_CONTENT, response.content
    assert not Comment.objects.exists()
    alice_comment.post.refresh_from_db()
    assert alice_comment.post.comments_count == 0


def test_comment_delete_by_stranger_403(make_client, alice_comment):
    response = make_client().delete(comment_url(alice_comment.pk))

    assert response.status_code == status.HTTP_403_FORBIDDEN, response.content
    assert Comment.objects.filter(pk=alice_comment.pk).exists()
    assert Notification.objects.count() == 1


def test_comment_delete_anonymous_401(api_client, alice_comment):
    response = api_client.delete(comment_url(alice_comment.pk))
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_comment_delete_twice_404(alice_client, alice_comment):
    first = alice_client.delete(comment_url(alice_comment.pk))
    second = alice_client.delete(comment_url(alice_comment.pk))

    assert first.status_code == status.HTTP_204_NO_CONTENT, first.content
    assert second.status_code == status.HTTP_404_NOT_FOUND, second.content
    alice_comment.post.refresh_from_db()
    assert alice_comment.post.comments_count == 0


def test_comments_count_exact_after_mixed(alice_client, bob_client, bob_post):
    ids = [alice_client.post(comments_url(bob_post.pk), {"text": f"c{n}"}).json()["id"] for n in range(3)]
    bob_client.post(comments_url(bob_post.pk), {"text": "reply"})
    alice_client.delete(comment_url(ids[0]))

    bob_post.refresh_from_db()
    assert bob_post.comments_count == 3
    assert bob_post.comments_count == Comment.objects.filter(post=bob_post).count()
