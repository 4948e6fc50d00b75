"""Reads of users, tokens and follows. Every query shape for these models lives here."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import Col
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone
from django_filters.utils import translate_validation
from rest_framework.exceptions import NotFound

from project.rawsql import column_list, convert, converters

from .filters import UserFilterSet
from .models import AuthToken, Follow, User, username_key

# Orderings for `project.pagination.paginate`; each ends with a unique field.
TOKENS_ORDERING = ("-created_at", "-id")
FOLLOWS_ORDERING = ("-created_at", "-id")


# The token lookup's SELECT per database vendor, with its columns.
_TOKEN_QUERIES: dict[str, tuple[str, list[Col]]] = {}


def _token_query(connection: BaseDatabaseWrapper) -> tuple[str, list[Col]]:
    """Build, once per vendor, the SELECT of an active token by hash and of its active user."""
    cached = _TOKEN_QUERIES.get(connection.vendor)
    if cached is not None:
        return cached
    quote = connection.ops.quote_name
    columns = [field.get_col("t") for field in AuthToken._meta.concrete_fields]
    columns += [field.get_col("u") for field in User._meta.concrete_fields]
    sql = (
        f"SELECT {column_list(columns, connection)}"
        f" FROM {quote(AuthToken._meta.db_table)} t INNER JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id"
        " WHERE t.key_hash = %s AND t.expires_at > %s AND u.is_active = %s"
    )
    _TOKEN_QUERIES[connection.vendor] = (sql, columns)
    return sql, columns


def token_authenticate(key: str) -> AuthToken | None:
    """Return the active token for a secret, with its user, or None.

    One query, which rejects expired and deleted tokens and inactive users, so a revocation
    takes effect on the next request. `last_used_at` is written only when older than
    TOKEN_LAST_USED_RESOLUTION.

    Every authenticated request runs this, so the query is written out and the instances are
    built with `Model.from_db`, as the ORM builds them. The ORM's `select_related` version
    took 9 times as long on SQLite and 3 times as long on PostgreSQL, mostly building and
    compiling the query (timeit in one process: 570 against 64 us, 1,150 against 360 us).
    A Redis cache of whole rows would save about 0.2 ms more, but every change of a user
    row (counts, profile, `is_active`, also by `QuerySet.update`) would have to reach it.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    sql, columns = _token_query(connection)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [AuthToken.hash_key(key), connection.ops.adapt_datetimefield_value(now), True])
        row = cursor.fetchone()
    if row is None:
        return None

    values = convert(row, converters(columns, connection), connection)
    token_width = len(AuthToken._meta.concrete_fields)
    token = AuthToken.from_db(connection.alias, None, values[:token_width])
    token.user = User.from_db(connection.alias, None, values[token_width:])

    if now - token.last_used_at > settings.TOKEN_LAST_USED_RESOLUTION:
        AuthToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_list(*, user: User) -> QuerySet[AuthToken]:
    """Build the query of a user's unexpired tokens; paginate it with TOKENS_ORDERING."""
    return AuthToken.objects.active().filter(user=user)


def user_queryset(*, viewer: User | None) -> QuerySet[User]:
    """Active users, annotated with `is_following` and `follows_you` for an authenticated viewer."""
    queryset = User.objects.filter(is_active=True)
    if viewer is not None and viewer.is_authenticated:
        queryset = queryset.annotate(
            is_following=Exists(Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("pk"))),
            follows_you=Exists(Follow.objects.filter(follower_id=OuterRef("pk"), followee_id=viewer.pk)),
        )
    return queryset


def username_taken(username: str, *, exclude_user_id: int | None = None) -> bool:
    """Return whether an account other than `exclude_user_id` has this username in any case."""
    accounts = User.objects.alias(username_lower=Lower("username")).filter(username_lower=username.lower())
    return accounts.exclude(pk=exclude_user_id).exists()


def user_get(*, username: str, viewer: User | None) -> User:
    """Return the active user with this username in any case, with the viewer's follow flags.

    Raises NotFound for an unknown or deactivated user. The lookup uses the unique index
    on LOWER(username).
    """
    key = username_key(username)
    user = None
    if key is not None:
        user = user_queryset(viewer=viewer).alias(username_lower=Lower("username")).filter(username_lower=key).first()
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    return user


def user_list(*, filters: QueryDict, viewer: User | None) -> tuple[QuerySet[User], tuple[str, ...]]:
    """Build the query of the user directory narrowed by `filters`; return it with its ordering.

    Paginate the query with that ordering. Raises a 400 naming each invalid filter.
    """
    queryset = user_queryset(viewer=viewer).annotate(username_lower=Lower("username"))
    filterset = UserFilterSet(filters, queryset=queryset)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.qs, filterset.pagination_ordering


def _follow_rows(*, viewer: User | None, other_side: str) -> QuerySet[Follow]:
    """Follow rows with the user at `other_side` (`follower` or `followee`) joined in one query.

    For an authenticated viewer each row also carries `viewer_follows` and `follows_viewer`
    about that user, computed by the database in the same query.
    """
    queryset = Follow.objects.select_related(other_side).filter(**{f"{other_side}__is_active": True})
    if viewer is not None and viewer.is_authenticated:
        other_id = OuterRef(f"{other_side}_id")
        queryset = queryset.annotate(
            viewer_follows=Exists(Follow.objects.filter(follower_id=viewer.pk, followee_id=other_id)),
            follows_viewer=Exists(Follow.objects.filter(follower_id=other_id, followee_id=viewer.pk)),
        )
    return queryset


def follower_list(*, user: User, viewer: User | None) -> QuerySet[Follow]:
    """Build the query of follows of `user`; paginate it with FOLLOWS_ORDERING, then `follow_users(rows, "follower")`."""
    return _follow_rows(viewer=viewer, other_side="follower").filter(followee=user)


def following_list(*, user: User, viewer: User | None) -> QuerySet[Follow]:
    """Build the query of follows by `user`; paginate it with FOLLOWS_ORDERING, then `follow_users(rows, "followee")`."""
    return _follow_rows(viewer=viewer, other_side="followee").filter(follower=user)


def follow_users(rows: list[Follow], other_side: str) -> list[User]:
    """Return the users at `other_side` of fetched follow rows, with the viewer's flags copied onto them."""
    users = []
    for row in rows:
        other: User = getattr(row, other_side)
        if hasattr(row, "viewer_follows"):
            other.is_following = row.viewer_follows
            other.follows_you = row.follows_viewer
        users.append(other)
    return users
