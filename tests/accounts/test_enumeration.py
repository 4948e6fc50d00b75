"""Login, registration and password-change errors do not tell which accounts exist."""

import statistics
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from rest_framework import status

from tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/api/v1/auth/login"
REGISTER_URL = "/api/v1/auth/register"
ARGON2 = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    return UserFactory(email="carol@example.com", username="carol")


def _login_body(client, email: str, password: str) -> tuple[int, dict]:
    response = client.post(LOGIN_URL, {"email": email, "password": password})
    return response.status_code, response.json()


def test_login_errors_identical(api_client, carol):
    unknown = _login_body(api_client, "nobody@example.com", PASSWORD)
    wrong_password = _login_body(api_client, "carol@example.com", "wrong password")
    carol.is_active = False
    carol.save(update_fields=["is_active"])
    inactive = _login_body(api_client, "carol@example.com", PASSWORD)

    assert unknown[0] == status.HTTP_400_BAD_REQUEST
    assert unknown == wrong_password
    assert unknown == inactive


@pytest.mark.parametrize("email", ["nobody@example.com", "carol@example.com"])
def test_login_runs_argon2_for_any_email(api_client, carol, settings, monkeypatch, email):
    settings.PASSWORD_HASHERS = ARGON2
    calls = []
    original = Argon2PasswordHasher.encode
    monkeypatch.setattr(Argon2PasswordHasher, "encode", lambda self, *args: calls.append(1) or original(self, *args))
    verify = Argon2PasswordHasher.verify
    monkeypatch.setattr(Argon2PasswordHasher, "verify", lambda self, *args: calls.append(2) or verify(self, *args))
    carol.set_password(PASSWORD)
    carol.save(update_fields=["password"])
    calls.clear()

    status_code, _ = _login_body(api_client, email, "wrong password")

    assert status_code == status.HTTP_400_BAD_REQUEST
    assert len(calls) == 1


def test_login_timing_similar_unknown_and_known(api_client, carol, settings):
    # A generous bound: the unknown email must not get its response in a fraction of the time, which
    # would happen if the Argon2 hash ran only for existing accounts.
    settings.PASSWORD_HASHERS = ARGON2
    carol.set_password(PASSWORD)
    carol.save(update_fields=["password"])

    def median_seconds(email: str) -> float:
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            api_client.post(LOGIN_URL, {"email": email, "password": "wrong password"})
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    _login_body(api_client, "warm-up@example.com", "wrong password")
    known = median_seconds("carol@example.com")
    unknown = median_seconds("nobody@example.com")

    assert unknown > known / 3
    assert known > unknown / 3


def test_register_taken_email_same_error_when_inactive(api_client, carol):
    payload = {"email": "CAROL@example.com", "username": "carol_two", "password": "a long passphrase"}
    active = api_client.post(REGISTER_URL, payload)
    carol.is_active = False
    carol.save(update_fields=["is_active"])
    inactive = api_client.post(REGISTER_URL, payload)

    assert active.status_code == status.HTTP_400_BAD_REQUEST, active.content
    assert active.json() == inactive.json()
    assert list(active.json()["errors"]) == ["email"]


def test_register_error_names_no_other_account(api_client, carol):
    response = api_client.post(
        REGISTER_URL, {"email": "carol@example.com", "username": "carol", "password": "a long passphrase"}
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST, response.content
    assert "carol@example.com" not in response.content.decode()
    assert str(carol.pk) not in response.json()["detail"]


def test_password_change_wrong_current_same_error(make_client, carol):
    client = make_client(carol)
    other = make_client()

    mine = client.post("/api/v1/auth/password", {"current_password": "wrong", "new_password": "a long new passphrase"})
    theirs = other.post("/api/v1/auth/password", {"current_password": "wrong", "new_password": "a long new passphrase"})

    assert mine.status_code == status.HTTP_400_BAD_REQUEST, mine.content
    assert mine.json() == theirs.json()
    assert list(mine.json()["errors"]) == ["current_password"]
