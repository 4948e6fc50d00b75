"""Concurrent registrations with one email or one username create one account; the rest get a 400.

Each thread sends its request through its own client and its own database connection,
and all of them start together at a barrier.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connections
from rest_framework.test import APIClient

from apps.accounts.models import User

URL = "/api/v1/auth/register"
THREADS = 8


def _in_parallel(payload: Callable[[int], dict]) -> list[tuple[int, dict]]:
    """POST `payload(index)` from THREADS threads at once; return each status code with its body."""
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = APIClient().post(URL, payload(index), format="json")
            results.append((response.status_code, response.json()))
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_same_email_one_user():
    results = _in_parallel(
        lambda index: {"email": "Race@Example.com", "username": f"racer_{index}", "password": "a long passphrase"}
    )

    codes = sorted(code for code, _ in results)
    assert codes == [201] + [400] * (THREADS - 1), results
    rejected = [body for code, body in results if code == 400]
    assert all(list(body["errors"]) == ["email"] for body in rejected), rejected
    assert {body["detail"] for body in rejected} == {
        "email: An account with this email already exists: log in instead."
    }
    assert User.objects.filter(email="race@example.com").count() == 1
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_same_username_one_user():
    results = _in_parallel(
        lambda index: {
            "email": f"racer{index}@example.com",
            "username": "Racer" if index % 2 else "racer",
            "password": "a long passphrase",
        }
    )

    codes = sorted(code for code, _ in results)
    assert codes == [201] + [400] * (THREADS - 1), results
    rejected = [body for code, body in results if code == 400]
    assert all(list(body["errors"]) == ["username"] for body in rejected), rejected
    assert User.objects.count() == 1
