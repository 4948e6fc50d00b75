"""URL helpers: paths that match with and without a trailing slash, and a bounded id converter."""

from collections.abc import Callable

from django.urls import URLPattern, path, register_converter


class IdConverter:
    """A positive integer id of at most 18 digits, so it always fits a 64-bit column."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


def endpoint(route: str, view: Callable, name: str) -> list[URLPattern]:
    """Return patterns for `route` with and without a trailing slash; no redirect loses a body."""
    return [path(route, view, name=name), path(f"{route}/", view)]
