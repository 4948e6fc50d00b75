"""Rate limits on the shared cache, so they hold across server processes when Redis is used.

Views opt into a named limit per HTTP method with `throttle_scopes = {"POST": "posts"}`.
Every request also counts against the general per-user or per-IP limit. With
`API_THROTTLING=off` no limit applies, for load tests.
"""

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework import throttling
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class _Switchable:
    def allow_request(self, request: Request, view: "APIView") -> bool:
        if not settings.API_THROTTLING:
            return True
        return super().allow_request(request, view)  # type: ignore[misc]


class GeneralThrottle(_Switchable, throttling.SimpleRateThrottle):
    """The general limit: `user` per authenticated user, `anon` per client IP."""

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        if request.user and request.user.is_authenticated:
            self.scope = "user"
            ident = str(request.user.pk)
        else:
            self.scope = "anon"
            ident = self.get_ident(request)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def __init__(self) -> None:
        # The scope is known per request, so the rate is resolved in get_cache_key.
        self.scope = "anon"
        super().__init__()


class ScopedThrottle(_Switchable, throttling.SimpleRateThrottle):
    """A named limit chosen by the view per HTTP method, counted per user or else per IP."""

    def allow_request(self, request: Request, view: "APIView") -> bool:
        scope = getattr(view, "throttle_scopes", {}).get(request.method)
        if scope is None:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def __init__(self) -> None:
        # Rates are resolved per request in allow_request, once the scope is known.
        pass

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginEmailThrottle(_Switchable, throttling.SimpleRateThrottle):
    """Limits login attempts per target email address, whatever IPs they come from."""

    scope = "login_email"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.method != "POST":
            return None
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email:
            return None
        # Hashed, so the cache holds no email addresses.
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}
