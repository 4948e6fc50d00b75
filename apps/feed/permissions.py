"""The ownership rule of posts, which every write path checks."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import Post


class IsPostAuthor(BasePermission):
    """Allow reads to everyone who can see the post, and writes to its author only."""

    message = "Only the author of this post can change it."

    def has_object_permission(self, request: Request, view: APIView, obj: Post) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return request.user.is_authenticated and obj.author_id == request.user.pk
