"""Query-string filters of post lists."""

from django.db.models import QuerySet, Subquery
from django.db.models.functions import Lower
from django_filters import rest_framework as filters

from apps.accounts.models import User, username_key
from project.filters import CleanTextFilter, QueryDateTimeFilter

from .hashtags import hashtag_normalize
from .models import Post


def user_id_subquery(username: str) -> Subquery:
    """Return the id of the active user with this username, in any case, as a scalar subquery.

    A subquery rather than a join, so PostgreSQL reads the author's posts newest first from
    the author timeline index instead of sorting all of them. A string that no username can
    match (see `username_key`) gives a subquery that finds no user.
    """
    users = User.objects.filter(is_active=True).alias(username_lower=Lower("username"))
    key = username_key(username)
    if key is None:
        return Subquery(users.none().values("pk")[:1])
    return Subquery(users.filter(username_lower=key).values("pk")[:1])


class PostFilter(filters.FilterSet):
    author = filters.CharFilter(method="filter_author", help_text="Username of the author, case-insensitive.")
    hashtag = filters.CharFilter(
        method="filter_hashtag", help_text="A hashtag, with or without the leading #, case-insensitive."
    )
    search = CleanTextFilter(
        field_name="text",
        lookup_expr="icontains",
        multiline=False,
        max_length=2000,
        help_text="Text that the post contains, case-insensitive.",
    )
    published_after = QueryDateTimeFilter(
        field_name="publish_at", lookup_expr="gt", help_text="Only posts published after this ISO 8601 time."
    )
    published_before = QueryDateTimeFilter(
        field_name="publish_at", lookup_expr="lt", help_text="Only posts published before this ISO 8601 time."
    )
    has_media = filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        field_name="has_media",
        help_text="`true`: only posts with pictures; `false`: only posts without.",
    )

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_author(self, queryset: QuerySet[Post], name: str, value: str) -> QuerySet[Post]:
        return queryset.filter(author_id=user_id_subquery(value.strip()))

    def filter_hashtag(self, queryset: QuerySet[Post], name: str, value: str) -> QuerySet[Post]:
        return queryset.filter(post_hashtags__hashtag__name=hashtag_normalize(value))
