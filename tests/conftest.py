"""Shared fixtures: users, authenticated API clients and the channel layer."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services import token_create
from tests.factories import UserFactory


class TokenClient(APIClient):
    """An API client that sends a real bearer token, with the user and the secret at hand."""

    user: User
    token_key: str


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def make_client(db: None) -> Callable[..., TokenClient]:
    """Return a factory of clients authenticated as a given (or new) user with a real token."""

    def make(user: User | None = None, **user_fields: object) -> TokenClient:
        user = user or UserFactory(**user_fields)
        _, key = token_create(user=user, user_agent="pytest")
        client = TokenClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        client.user = user
        client.token_key = key
        return client

    return make


@pytest.fixture
def alice_client(make_client: Callable[..., TokenClient]) -> TokenClient:
    return make_client(username="alice", email="alice@example.com", display_name="Alice")


@pytest.fixture
def bob_client(make_client: Callable[..., TokenClient]) -> TokenClient:
    return make_client(username="bob", email="bob@example.com", display_name="Bob")
