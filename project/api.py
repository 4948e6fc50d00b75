"""Small helpers the async views share: one thread hop for sync work, and input validation."""

from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from rest_framework import serializers
from rest_framework.request import Request

T = TypeVar("T")


async def run_sync(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ORM or other blocking work in Django's thread for this request, and await it."""
    return await sync_to_async(function)(*args, **kwargs)


def validate(serializer_class: type[serializers.Serializer], data: Any, request: Request | None = None, **kwargs: Any) -> dict:
    """Validate `data` with an input serializer and return its validated data, or raise a 400.

    Synchronous: serializers may query the database while validating.
    """
    serializer = serializer_class(data=data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def serialize(serializer_class: type[serializers.Serializer], instance: Any, request: Request | None, **kwargs: Any) -> Any:
    """Render `instance` (or a list with `many=True`) with an output serializer. Synchronous."""
    return serializer_class(instance, context={"request": request}, **kwargs).data
