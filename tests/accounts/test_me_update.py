"""PATCH /api/v1/me with JSON: profile fields, text cleaning and username rules."""

import pytest
from django.db import IntegrityError
from rest_framework import status

from apps.accounts import selectors, services
from apps.accounts.models import User
from tests.factories import UserFactory

URL = "/api/v1/me"


def test_update_changes_sent_fields(alice_client):
    response = alice_client.patch(
        URL,
        {
            "display_name": "Alice L.",
            "bio": "Line one\nline two",
            "location": "Oxford",
            "website": "https://alice.example",
        },
    )
    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    assert body["display_name"] == "Alice L."
    assert body["bio"] == "Line one\nline two"
    assert body["email"] == "alice@example.com"
    user = User.objects.get(pk=alice_client.user.pk)
    assert (user.display_name, user.location, user.website) == ("Alice L.", "Oxford", "https://alice.example")


def test_update_leaves_other_fields(alice_client):
    alice_client.patch(URL, {"bio": "Hello"})
    response = alice_client.patch(URL, {"location": "Paris"})
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["bio"] == "Hello"
    assert response.json()["display_name"] == "Alice"


def test_update_keeps_counts_changed_meanwhile(alice_client):
    # The request's user row was read before another request changed the counts.
    User.objects.filter(pk=alice_client.user.pk).update(followers_count=7)
    alice_client.patch(URL, {"bio": "Hello"})
    assert User.objects.get(pk=alice_client.user.pk).followers_count == 7


def test_update_blank_clears_field(alice_client):
    alice_client.patch(URL, {"website": "https://alice.example", "location": "Oxford"})
    response = alice_client.patch(URL, {"website": "", "location": ""})
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["website"] == ""
    assert response.json()["location"] == ""


def test_update_normalizes_to_nfc(alice_client):
    response = alice_client.patch(URL, {"display_name": "Zoe\u0308", "bio": "Cafe\u0301\r\nbar"})
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["display_name"] == "Zo\u00eb"
    assert response.json()["bio"] == "Caf\u00e9\nbar"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"display_name": "bad\x00name"}, "display_name"),
        ({"display_name": "two\nlines"}, "display_name"),
        ({"bio": "bell\x07"}, "bio"),
        ({"bio": "escape\x1b[31m"}, "bio"),
        ({"location": "tab\there"}, "location"),
        ({"display_name": "x" * 51}, "display_name"),
        ({"bio": "x" * 501}, "bio"),
        ({"location": "x" * 101}, "location"),
        ({"website": "ftp://example.com/file"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "not a url"}, "website"),
        ({"website": "https://example.com/" + "x" * 200}, "website"),
        ({"username": "no"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"username": ""}, "username"),
        ({"avatar": "not-a-file"}, "avatar"),
    ],
)
def test_update_invalid_field(alice_client, payload, field):
    response = alice_client.patch(URL, payload)
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    assert User.objects.get(pk=alice_client.user.pk).display_name == "Alice"


def test_update_bio_keeps_tab_and_newline(alice_client):
    response = alice_client.patch(URL, {"bio": "a\tb\nc"})
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["bio"] == "a\tb\nc"


def test_update_username(alice_client):
    response = alice_client.patch(URL, {"username": "Alice_2"})
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["username"] == "Alice_2"
    assert User.objects.get(pk=alice_client.user.pk).username == "Alice_2"


def test_update_username_own_case_change(alice_client):
    response = alice_client.patch(URL, {"username": "ALICE"})
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["username"] == "ALICE"


def test_update_username_taken_any_case(alice_client, bob_client):
    response = alice_client.patch(URL, {"username": "BoB"})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert response.json()["errors"] == {"username": ["This username is taken: choose another."]}
    assert User.objects.get(pk=alice_client.user.pk).username == "alice"


def test_update_username_race_is_400(alice_client, monkeypatch):
    # Another account takes the name between the check and the write: the constraint decides.
    monkeypatch.setattr(services, "username_taken", lambda *args, **kwargs: False)
    UserFactory(username="Racer")
    response = alice_client.patch(URL, {"username": "racer"})
    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["username"]
    assert User.objects.get(pk=alice_client.user.pk).username == "alice"


def test_update_email_not_changeable(alice_client):
    response = alice_client.patch(URL, {"email": "new@example.com", "followers_count": 1000})
    assert response.status_code == status.HTTP_200_OK, response.content
    user = User.objects.get(pk=alice_client.user.pk)
    assert (user.email, user.followers_count) == ("alice@example.com", 0)


def test_update_anonymous_401(api_client, db):
    response = api_client.patch(URL, {"bio": "Hello"})
    assert response.status_code == status.HTTP_401_UNAUTHORIZED, response.content


def test_update_multipart_text_fields(alice_client):
    response = alice_client.patch(URL, {"display_name": "Multi Part", "bio": "a\r\nb"}, format="multipart")
    assert response.status_code == status.HTTP_200_OK, response.content
    assert response.json()["display_name"] == "Multi Part"
    assert response.json()["bio"] == "a\nb"
    assert response.json()["location"] == ""


def test_username_constraint_exists(db):
    # The race test relies on the database refusing a second username that differs only in case.
    UserFactory(username="Twin")
    with pytest.raises(IntegrityError):
        UserFactory(username="tWIN")


def test_username_taken_selector(db):
    user = UserFactory(username="Taken")
    assert selectors.username_taken("taken")
    assert not selectors.username_taken("TAKEN", exclude_user_id=user.pk)
