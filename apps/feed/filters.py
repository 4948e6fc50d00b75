"""Query-string filters of post lists."""

import re
from datetime import datetime

from django.db.models import QuerySet, Subquery
from django.db.models.functions import Lower
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from apps.accounts.models import User

from .hashtags import hashtag_normalize
from .models import Post

# An unencoded '+' in a query string arrives as a space, so "...T10:00:00 02:00" means +02:00.
_SPACE_BEFORE_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


def user_id_subquery(username: str) -> Subquery:
    """Return the id of the active user with this username, in any case, as a scalar subquery.

    A subquery rather than a join, so PostgreSQL reads the author's posts newest first from
    the author timeline index instead of sorting all of them.
    """
    users = User.objects.filter(is_active=True).alias(username_lower=Lower("username"))
    return Subquery(users.filter(username_lower=username.lower()).values("pk")[:1])


class QueryDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time from a query string; a naive time is read as UTC."""

    def strptime(self, value: str, format: str) -> datetime:
        return super().strptime(_SPACE_BEFORE_OFFSET.sub(r"+\1", str(value).strip()), format)


class QueryDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = QueryDateTimeField


class PostFilter(filters.FilterSet):
    author = filters.CharFilter(method="filter_author", help_text="Username of the author, case-insensitive.")
    hashtag = filters.CharFilter(
        method="filter_hashtag", help_text="A hashtag, with or without the leading #, case-insensitive."
    )
    search = filters.CharFilter(
        field_name="text", lookup_expr="icontains", help_text="Text that the post contains, case-insensitive."
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
