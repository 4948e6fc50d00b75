"""Reads of posts, media and hashtags. Every query shape and visibility rule for posts lives here."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import Col
from django.db.models.functions import Lower
from rest_framework.exceptions import NotFound, ValidationError

from apps.accounts.models import Follow, User, username_key
from apps.accounts.selectors import user_queryset
from project.pagination import cursor_integer, cursor_time
from project.rawsql import column_list, convert, converters

from .filters import PostFilter, user_id_subquery
from .hashtags import hashtag_name_valid, hashtag_normalize
from .models import Hashtag, Media, Post

# Newest first; the first field is the cursor position, the id breaks ties.
POST_ORDERING = ("-publish_at", "-id")
# The ordering of `hashtag_post_list`: POST_ORDERING through the copy of `publish_at` on the
# PostHashtag row, so PostgreSQL can start reading `feed_posthashtag_timeline` at a cursor.
# The values, and so the cursors, equal those of POST_ORDERING.
HASHTAG_POST_ORDERING = ("-tagged_publish_at", "-id")

# Columns that a list page reads of each post and its author. Pages read plain rows because
# building model instances and running the nested PostSerializer took longer than the query.
POST_ROW_FIELDS = (
    "id",
    "author_id",
    "text",
    "hashtags",
    "status",
    "publish_at",
    "created_at",
    "edited_at",
    "likes_count",
    "comments_count",
    "has_media",
)
POST_ROW_AUTHOR_FIELDS = {
    "author_username": F("author__username"),
    "author_display_name": F("author__display_name"),
    "author_avatar": F("author__avatar"),
}
MEDIA_ROW_FIELDS = ("id", "post_id", "file", "width", "height", "description")


def _is_authenticated(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def post_queryset(*, viewer: User | None) -> QuerySet[Post]:
    """Build the query of all posts with author and media loaded, and `liked_by_me` for an authenticated viewer.

    Visibility is not applied here: callers filter to published posts or use `post_get_visible`.
    """
    from apps.engagement.models import Like

    queryset = Post.objects.select_related("author").prefetch_related(
        Prefetch("media", queryset=Media.objects.order_by("position", "id"))
    )
    if _is_authenticated(viewer):
        queryset = queryset.annotate(liked_by_me=Exists(Like.objects.filter(user_id=viewer.pk, post_id=OuterRef("pk"))))
    return queryset


def post_rows(queryset: QuerySet[Post]) -> QuerySet:
    """Return a query built on `post_queryset` as dict rows of POST_ROW_FIELDS, the author's columns and its annotations.

    The annotations (`liked_by_me`, cursor fields such as `liked_at`) come along, so the rows
    can be paginated by them. Render the rows with `post_page_data` after `media_by_post`.
    """
    queryset = queryset.select_related(None).prefetch_related(None)
    return queryset.values(*POST_ROW_FIELDS, *queryset.query.annotations, **POST_ROW_AUTHOR_FIELDS)


def media_by_post(rows: list[dict]) -> dict[int, list[dict]]:
    """Return the media rows of the posts in `rows` that have media, by post id, in display order.

    No query when no post on the page has media.
    """
    post_ids = [row["id"] for row in rows if row["has_media"]]
    media: dict[int, list[dict]] = {}
    if post_ids:
        for row in Media.objects.filter(post_id__in=post_ids).order_by("position", "id").values(*MEDIA_ROW_FIELDS):
            media.setdefault(row["post_id"], []).append(row)
    return media


def post_visible_filter(*, viewer: User | None) -> Q:
    """Return the condition for posts `viewer` may see: published ones, and their own scheduled ones."""
    condition = Q(status=Post.Status.PUBLISHED)
    if _is_authenticated(viewer):
        condition |= Q(author_id=viewer.pk)
    return condition


def post_get_visible(*, post_id: int, viewer: User | None) -> Post:
    """Return a post `viewer` may see, or raise 404, which someone else's scheduled post also gets."""
    post = post_queryset(viewer=viewer).filter(post_visible_filter(viewer=viewer), pk=post_id).first()
    if post is None:
        raise NotFound(f"Post {post_id} not found.")
    return post


def post_list(*, viewer: User | None, filters: dict | None = None) -> QuerySet[Post]:
    """Return the query of published posts narrowed by the `PostFilter` query parameters.

    Raises a 400 naming the parameter when one is invalid.
    """
    queryset = post_queryset(viewer=viewer).filter(status=Post.Status.PUBLISHED)
    filterset = PostFilter(filters or {}, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def feed_list(*, user: User) -> QuerySet[Post]:
    """Return the query of published posts by `user` and by the users they follow.

    The feed endpoint reads the same rows through FeedRows, and the tests compare the two.
    """
    followees = Follow.objects.filter(follower_id=user.pk).values("followee_id")
    return post_queryset(viewer=user).filter(
        Q(author_id=user.pk) | Q(author_id__in=followees), status=Post.Status.PUBLISHED
    )


# The feed's SELECT per (vendor, after a cursor, reversed), with its columns.
_FEED_QUERIES: dict[tuple[str, bool, bool], tuple[str, list[Col]]] = {}
_FEED_ROW_NAMES = (*POST_ROW_FIELDS, *POST_ROW_AUTHOR_FIELDS, "liked_by_me")


def _feed_query(connection: BaseDatabaseWrapper, *, after: bool, reverse: bool) -> tuple[str, list[Col]]:
    """Build, once per shape, the SELECT of a feed page. FeedRows.fetch passes its parameters."""
    key = (connection.vendor, after, reverse)
    if key in _FEED_QUERIES:
        return _FEED_QUERIES[key]
    from apps.engagement.models import Like

    quote = connection.ops.quote_name
    columns = [Post._meta.get_field(name.removesuffix("_id")).get_col("p") for name in POST_ROW_FIELDS]
    author_fields = [expression.name.removeprefix("author__") for expression in POST_ROW_AUTHOR_FIELDS.values()]
    columns += [User._meta.get_field(name).get_col("u") for name in author_fields]
    newer, older, direction = (">=", ">", "ASC") if reverse else ("<=", "<", "DESC")
    # The literal status lets SQLite use the partial timeline index. Its planner would rather
    # collect every post of every followee and sort them (7 ms instead of 0.1 ms for 500
    # followees on the small preset), so `+` hides the author index from it there.
    author = "+p.author_id" if connection.vendor == "sqlite" else "p.author_id"
    where_after = (
        f" AND p.publish_at {newer} %s AND (p.publish_at {older} %s OR (p.publish_at = %s AND p.id {older} %s))"
        if after
        else ""
    )
    sql = (
        f"SELECT {column_list(columns, connection)},"
        f" EXISTS (SELECT 1 FROM {quote(Like._meta.db_table)} l WHERE l.post_id = p.id AND l.user_id = %s)"
        f" FROM {quote(Post._meta.db_table)} p INNER JOIN {quote(User._meta.db_table)} u ON u.id = p.author_id"
        f" WHERE p.status = '{Post.Status.PUBLISHED.value}' AND ({author} = %s OR {author} IN"
        f" (SELECT f.followee_id FROM {quote(Follow._meta.db_table)} f WHERE f.follower_id = %s))"
        f"{where_after} ORDER BY p.publish_at {direction}, p.id {direction} LIMIT %s"
    )
    _FEED_QUERIES[key] = (sql, columns)
    return sql, columns


class FeedRows:
    """The feed as a KeysetSource for `project.pagination.paginate`: `feed_list`'s rows as `post_rows` gives them.

    The SQL is written out because building and compiling the ORM query took about as long
    as the rest of the request. The tests compare both on first, later and previous pages.

    PostgreSQL and SQLite read the `feed_post_timeline` index newest first and skip other
    authors' posts. NOTE: that costs one index row per post skipped, so a user whose
    followees post rarely pays for everyone else's posts: 10 ms for a user with no followees
    among 300,000 posts (PostgreSQL 15, one development VM). Per-user timelines written at
    post time would remove the scan.
    """

    def __init__(self, user: User) -> None:
        self.user = user

    def position_clean(self, position: list) -> list:
        publish_at, post_id = position
        return [cursor_time(publish_at), cursor_integer(post_id)]

    def fetch(self, position: list | None, *, reverse: bool, limit: int) -> list[dict]:
        connection = connections[DEFAULT_DB_ALIAS]
        sql, columns = _feed_query(connection, after=position is not None, reverse=reverse)
        params: list = [self.user.pk, self.user.pk, self.user.pk]
        if position is not None:
            moment = connection.ops.adapt_datetimefield_value(position[0])
            params += [moment, moment, moment, position[1]]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            rows = cursor.fetchall()
        found = converters(columns, connection)
        return [
            dict(zip(_FEED_ROW_NAMES, [*convert(row[:-1], found, connection), bool(row[-1])], strict=True))
            for row in rows
        ]


def user_post_list(*, username: str, viewer: User | None) -> QuerySet[Post]:
    """Return the query of a user's published posts; the username matches case-insensitively."""
    return post_queryset(viewer=viewer).filter(author_id=user_id_subquery(username), status=Post.Status.PUBLISHED)


def user_exists(*, username: str) -> bool:
    """Return whether an active user has this username, in any case."""
    key = username_key(username)
    if key is None:
        return False
    return user_queryset(viewer=None).alias(username_lower=Lower("username")).filter(username_lower=key).exists()


def hashtag_post_list(*, name: str, viewer: User | None) -> QuerySet[Post]:
    """Return the query of published posts carrying a hashtag, given with or without '#', any case.

    Page it by HASHTAG_POST_ORDERING, which orders by `tagged_publish_at`: the copy of the
    post's `publish_at` on its PostHashtag row. PostgreSQL then walks
    `feed_posthashtag_timeline` from the cursor and stops after one page. EXPLAIN ANALYZE
    on the `small` seed (50,000 posts, `#python` on 6,247 of them) took 0.08 ms for page 1
    and for page 50, against 12.6 ms and 11.2 ms for the join and sort of every tagged post
    that this replaced (PostgreSQL 15, one 2-core development VM).

    NOTE: the order is only as right as the copies. The services, the scheduler and the seed
    writer keep them equal to the post's values. Any other code that writes a post's
    `publish_at` or `status` must update its PostHashtag rows too.
    """
    name = hashtag_normalize(name)
    # A scalar subquery rather than a join, so the hashtag id is a constant of the index scan
    # and PostgreSQL can read the index in order.
    hashtag_id = Subquery(Hashtag.objects.filter(name=name).values("pk")[:1])
    queryset = (
        post_queryset(viewer=viewer)
        .filter(
            post_hashtags__hashtag_id=hashtag_id,
            post_hashtags__status=Post.Status.PUBLISHED,
            # The post's own status as well, so a stale copy cannot show a scheduled post.
            status=Post.Status.PUBLISHED,
        )
        .annotate(tagged_publish_at=F("post_hashtags__publish_at"))
    )
    if not hashtag_name_valid(name):
        # No post carries it, and PostgreSQL rejects some such strings (NUL) outright. The empty
        # query sends nothing to the database and keeps `tagged_publish_at` for the paginator.
        return queryset.none()
    return queryset


def hashtag_list(*, search: str | None = None) -> QuerySet[Hashtag]:
    """Return the query of hashtags that at least one published post carries, optionally by name prefix."""
    queryset = Hashtag.objects.filter(posts_count__gt=0)
    if search:
        queryset = queryset.filter(name__startswith=hashtag_normalize(search))
    return queryset
