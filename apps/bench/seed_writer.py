"""Writing generated seed rows to the database: COPY on PostgreSQL, `executemany` on SQLite.

Rows carry their ids, so every table is written in one pass with no read-back, and the id
sequences are moved past the written ids at the end. Columns a generator does not fill get
the model field's default, prepared once per table.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from apps.accounts.models import AuthToken, Follow, IdempotencyRecord, User
from apps.engagement.models import Comment, Like, Notification
from apps.feed.models import Hashtag, Media, Post, PostHashtag

from .seed_data import SeedData

logger = logging.getLogger(__name__)

# Each SeedData attribute: the model and the fields its tuples hold, in order.
TABLES: list[tuple[str, type[models.Model], list[str]]] = [
    (
        "users",
        User,
        [
            "id", "username", "email", "display_name", "bio", "location", "created_at",
            "followers_count", "following_count", "posts_count",
        ],
    ),  # fmt: skip
    ("follows", Follow, ["id", "follower", "followee", "created_at"]),
    ("hashtags", Hashtag, ["id", "name", "posts_count", "created_at"]),
    (
        "posts",
        Post,
        ["id", "author", "text", "hashtags", "publish_at", "created_at", "likes_count", "comments_count"],
    ),
    ("post_hashtags", PostHashtag, ["id", "post", "hashtag", "publish_at"]),
    ("likes", Like, ["id", "user", "post", "created_at"]),
    ("comments", Comment, ["id", "post", "author", "text", "created_at"]),
    ("notifications", Notification, ["id", "recipient", "actor", "type", "post", "comment", "created_at", "read"]),
]

SQLITE_CACHE_KIB = 512 * 1024

# Every table the seed command empties, children first.
FLUSHED_MODELS: list[type[models.Model]] = [
    Notification, Comment, Like, PostHashtag, Media, Post, Hashtag, IdempotencyRecord, AuthToken, Follow, User,
]  # fmt: skip


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _converter(model_field: models.Field) -> Callable[[Any], Any] | None:
    """Return the function that turns a generated value into what the driver takes, or None to pass it as is."""
    if isinstance(model_field, models.DateTimeField):
        if _is_postgresql():
            return lambda seconds: datetime.fromtimestamp(seconds, UTC)
        adapt = connection.ops.adapt_datetimefield_value
        return lambda seconds: adapt(datetime.fromtimestamp(seconds, UTC))
    if isinstance(model_field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    return None


class TableWriter:
    """Writes tuples of `field_names` values into the table of `model`; `overrides` fill other columns."""

    def __init__(self, model: type[models.Model], field_names: Sequence[str], overrides: dict[str, Any]) -> None:
        self.table = model._meta.db_table
        provided = [model._meta.get_field(name) for name in field_names]
        rest = [field for field in model._meta.concrete_fields if field.name not in field_names]
        self.columns = [field.column for field in provided + rest]
        self.constants = tuple(
            field.get_db_prep_save(overrides.get(field.name, field.get_default()), connection) for field in rest
        )
        self.converters = [(index, convert) for index, field in enumerate(provided) if (convert := _converter(field))]

    def _prepared(self, rows: Iterable[tuple]) -> Iterable[tuple]:
        constants = self.constants
        converters = self.converters
        for row in rows:
            values = list(row)
            for index, convert in converters:
                value = values[index]
                if value is not None:
                    values[index] = convert(value)
            yield tuple(values) + constants

    def write(self, rows: Iterable[tuple]) -> None:
        if _is_postgresql():
            from psycopg import sql

            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(self.table), sql.SQL(", ").join(map(sql.Identifier, self.columns))
            )
            with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
                for row in self._prepared(rows):
                    copy.write_row(row)
        else:
            columns = ", ".join(f'"{column}"' for column in self.columns)
            placeholders = ", ".join("?" * len(self.columns))
            connection.ensure_connection()
            connection.connection.executemany(
                f'INSERT INTO "{self.table}" ({columns}) VALUES ({placeholders})', self._prepared(rows)
            )


def seed_database_is_empty() -> bool:
    """Return whether no user, post or follow exists yet."""
    return not (User.objects.exists() or Post.objects.exists() or Follow.objects.exists())


def seed_flush() -> None:
    """Delete every row of the API's tables (users, tokens, posts, engagement)."""
    tables = [model._meta.db_table for model in FLUSHED_MODELS]
    tables += [User.groups.through._meta.db_table, User.user_permissions.through._meta.db_table]
    with transaction.atomic(), connection.cursor() as cursor:
        if _is_postgresql():
            cursor.execute("TRUNCATE {} RESTART IDENTITY".format(", ".join(f'"{table}"' for table in tables)))
        else:
            for table in [*tables[-2:], *tables[:-2]]:
                cursor.execute(f'DELETE FROM "{table}"')


def seed_write(data: SeedData, *, password_hash: str, progress: Callable[[str, int, float], None]) -> None:
    """Write every table of `data` in one transaction, then move id sequences past the new rows.

    On PostgreSQL, when the connected role may, foreign-key triggers are off for this
    transaction only (`SET LOCAL session_replication_role = replica`): the generator assigns
    every referenced id itself, and checking millions of deferred references at commit
    would take longer than writing them.
    """
    # Posts are written with the default status, published, and their hashtag rows copy it.
    overrides = {
        User: {"password": password_hash},
        PostHashtag: {"status": Post._meta.get_field("status").get_default()},
    }
    if not _is_postgresql():
        # Session settings only: a 512 MiB page cache keeps the indexes of millions of
        # randomly ordered rows in memory, which makes the large preset minutes faster.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    with transaction.atomic():
        if _is_postgresql():
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL synchronous_commit = off")
        for attribute, model, field_names in TABLES:
            started = time.perf_counter()
            rows = getattr(data, attribute)
            TableWriter(model, field_names, overrides.get(model, {})).write(rows)
            progress(model._meta.db_table, len(rows), time.perf_counter() - started)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model for _, model, _ in TABLES]):
                cursor.execute(statement)


def seed_analyze() -> None:
    """Refresh the planner statistics of the seeded tables.

    On PostgreSQL this is VACUUM ANALYZE, which also sets the visibility map that index-only
    scans need. VACUUM cannot run inside a transaction, so there it is ANALYZE alone.
    """
    with connection.cursor() as cursor:
        if not _is_postgresql():
            cursor.execute("ANALYZE")
            return
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        for _, model, _ in TABLES:
            cursor.execute(f'{command} "{model._meta.db_table}"')
