"""Schemathesis against a live server: no 500, no undocumented status, no response off its schema."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from tests.live import ROOT, daphne, manage, server_env

# Operations that end the fuzzing session's own login (logout, password change, account and
# token deletion), by operation id. Their 401 and 204 paths are tested elsewhere.
EXCLUDED_OPERATION_IDS = r"^(auth_logout|auth_logout_all|auth_password_change|me_destroy|auth_tokens_destroy)$"

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

# The fuzzing user, and rows for generated ids and usernames to hit: users alice and bob,
# published and scheduled posts with hashtags, comments, likes and follows, so that the
# operations on one object get past their 404. Printed last: the fuzzing user's token.
SEED_DATA = """
from datetime import timedelta

from django.utils import timezone

from apps.accounts.follows import follow_create
from apps.accounts.models import User
from apps.accounts.services import token_create
from apps.engagement.services import comment_create, like_create
from apps.feed.services import post_create

fuzzer = User.objects.create_user(email="fuzz@example.com", username="fuzzer", password="a long fuzz passphrase")
alice = User.objects.create_user(email="alice@example.com", username="alice", password="a long alice passphrase")
bob = User.objects.create_user(email="bob@example.com", username="bob", password="a long bob passphrase")
follow_create(follower=fuzzer, followee=alice)
follow_create(follower=alice, followee=fuzzer)
follow_create(follower=bob, followee=alice)
for author in (alice, fuzzer, bob, alice, fuzzer):
    post = post_create(author=author, text=f"Hello from {author.username} #release #日本")
    comment_create(author=bob, post=post, text="Lovely colours!")
    like_create(user=fuzzer, post=post)
post_create(author=fuzzer, text="Later #release", publish_at=timezone.now() + timedelta(days=1))
post_create(author=alice, text="Alice's secret #release", publish_at=timezone.now() + timedelta(days=1))
print(token_create(user=fuzzer, user_agent="schemathesis")[1])
"""


@pytest.fixture
def postgres_url(transactional_db: None) -> str | None:
    """Return the URL of the test database when the run uses PostgreSQL, else None.

    The server then uses that database, emptied after the test (`transactional_db`), so the
    fuzzer meets PostgreSQL's stricter types. On SQLite it gets a fresh file of its own.
    """
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.mark.slow
def test_schema_fuzz_finds_no_failures(tmp_path: Path, postgres_url: str | None) -> None:
    env = server_env(tmp_path, **({"DATABASE_URL": postgres_url} if postgres_url else {}))
    if postgres_url is None:
        manage(env, "migrate", "--noinput")
    key = manage(env, "shell", "-c", SEED_DATA).strip().splitlines()[-1]
    log_path = tmp_path / "daphne.log"

    with daphne(env, log_path=log_path) as base_url:
        command = [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{base_url}/api/schema",
            "--checks",
            CHECKS,
            "--header",
            f"Authorization: Bearer {key}",
            "--max-examples",
            "15",
            "--seed",
            "20261204",
            "--no-color",
            "--phases",
            "examples,coverage,fuzzing",
            "--request-timeout",
            "20",
            # One worker, so requests arrive in the same order on every run with this seed.
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--exclude-operation-id-regex",
            EXCLUDED_OPERATION_IDS,
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1200)

    server_log = log_path.read_text(errors="replace")[-5000:]
    assert result.returncode == 0, (
        f"{result.stdout[-20000:]}\n{result.stderr[-3000:]}\n--- server log ---\n{server_log}"
    )
