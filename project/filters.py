"""Query parameter fields and filters shared by the apps' django-filter filter sets."""

import re
from datetime import UTC, datetime
from typing import Any

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from .text import CleanFormCharField

# An unencoded '+' in a query string arrives as a space, so "...T10:00:00 02:00" means +02:00.
_SPACE_BEFORE_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


class CleanTextFilter(filters.CharFilter):
    """A text filter whose value is NFC-normalised and free of control characters, as stored text is."""

    field_class = CleanFormCharField


class QueryDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time from a query string, returned in UTC. A naive time is read as UTC.

    The offset is applied here, not left to the database: PostgreSQL rejects offsets beyond
    15:59 hours that Python accepts. A time that leaves years 1 to 9999 once in UTC is
    invalid, and so is a NUL character, which Python's ISO 8601 parser silently ignores.
    """

    default_error_messages = {
        "out_of_range": "The time is out of range: give a time between the years 1 and 9999 in UTC.",
    }

    def strptime(self, value: str, format: str) -> datetime:
        return super().strptime(_SPACE_BEFORE_OFFSET.sub(r"+\1", str(value).strip()), format)

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class QueryDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = QueryDateTimeField
