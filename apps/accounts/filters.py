"""Query parameters of the user directory, GET /api/v1/users."""

import django_filters
from django.db.models import Q, QuerySet

from project.filters import CleanTextFilter, QueryDateTimeFilter

from .models import User, username_key

# Values of `ordering`, each mapped to the keyset ordering the list is paginated by. The
# `username_lower` annotation is unique by itself and served by the index on LOWER(username).
USER_ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "username": ("username_lower",),
    "-followers_count": ("-followers_count", "-id"),
}
USER_DEFAULT_ORDERING = "-created_at"


class UserFilterSet(django_filters.FilterSet):
    """Filters of the user directory. The queryset must carry the `username_lower` annotation."""

    search = CleanTextFilter(
        method="filter_search",
        max_length=100,
        multiline=False,
        help_text="Users whose username or display name contains this text, in any case.",
    )
    username = django_filters.CharFilter(
        method="filter_username", max_length=30, help_text="The user with exactly this username, in any case."
    )
    location = CleanTextFilter(
        field_name="location",
        lookup_expr="icontains",
        max_length=100,
        multiline=False,
        help_text="Users whose location contains this text, in any case.",
    )
    joined_after = QueryDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Users who registered at or after this ISO 8601 time (UTC when it has no offset).",
    )
    joined_before = QueryDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text="Users who registered before this ISO 8601 time (UTC when it has no offset).",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(value, value) for value in USER_ORDERINGS],
        method="filter_ordering",
        empty_label=None,
        help_text="Sort order: `-created_at` (newest first, the default), `username` or `-followers_count`.",
    )

    class Meta:
        model = User
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value))

    def filter_username(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        key = username_key(value)
        return queryset.filter(username_lower=key) if key is not None else queryset.none()

    def filter_ordering(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        # The paginator applies the ordering, because its cursor is built from the same fields.
        return queryset

    @property
    def pagination_ordering(self) -> tuple[str, ...]:
        """Return the keyset ordering chosen by the validated `ordering` parameter."""
        return USER_ORDERINGS[self.form.cleaned_data.get("ordering") or USER_DEFAULT_ORDERING]
