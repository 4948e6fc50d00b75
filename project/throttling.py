"""Rate limits on the shared cache, so they hold across server processes when Redis is used.

Views opt into a named limit per HTTP method with `throttle_scopes = {"POST": "posts"}`.
Every request also counts against the general per-user or per-IP limit. With
`API_THROTTLING=off` no limit applies, for load tests. Rates are read from the
THROTTLE_RATES setting on each request.

Each limit counts requests per fixed window in one cache entry, with the cache's atomic
increment, and estimates the sliding window from the current and the previous window's
counts: `previous * (1 - elapsed fraction) + current`. DRF's own throttles instead keep a
list of timestamps that each request reads and writes back whole, so concurrent requests,
in one process or several, overwrite each other's entries and a parallel burst passes
the limit.
"""

import hashlib
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView

# Seconds per rate period; a rate is "<requests>/<period>" with the period's first letter.
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """Return (requests, seconds) for a rate such as "10/min" or "300/hour"."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


def window_hit(key: str, *, limit: int, duration: int, now: float) -> float | None:
    """Count one request against `key`; return None if it is within the limit, else the seconds to wait.

    A request over the limit is not counted, so a client that waits as told gets through.
    """
    window = int(now // duration)
    elapsed = (now - window * duration) / duration
    current_key = f"{key}:{window}"
    previous = cache.get(f"{key}:{window - 1}", 0)
    # Kept through the next window, whose estimate reads it as the previous count.
    cache.add(current_key, 0, timeout=2 * duration + 1)
    try:
        current = cache.incr(current_key)
    except ValueError:
        # The entry expired between add and incr.
        cache.add(current_key, 1, timeout=2 * duration + 1)
        current = 1
    if previous * (1 - elapsed) + current <= limit:
        return None
    cache.decr(current_key)
    return _seconds_until_free(previous=previous, current=current - 1, limit=limit, elapsed=elapsed, duration=duration)


def _seconds_until_free(*, previous: int, current: int, limit: int, elapsed: float, duration: int) -> float:
    """Return when one more request would fit, from the counts without that request."""
    if current < limit and previous:
        # Within this window, once the previous window's weight has dropped far enough.
        fraction = 1 - (limit - current - 1) / previous
        return max(1.0, (fraction - elapsed) * duration)
    # In the next window, where this window's count is the previous one.
    fraction = 1 - (limit - 1) / current if current else 0.0
    return max(1.0, (1 - elapsed + max(fraction, 0.0)) * duration)


class WindowThrottle(throttling.BaseThrottle):
    """A limit of `scope` per identity, counted with `window_hit`; subclasses choose scope and key."""

    scope: str | None = None

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if not settings.API_THROTTLING:
            return True
        key = self.get_cache_key(request, view)
        if key is None or self.scope is None:
            return True
        limit, duration = rate_parse(settings.THROTTLE_RATES[self.scope])
        self.wait_seconds = window_hit(f"throttle:{self.scope}:{key}", limit=limit, duration=duration, now=self.timer())
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds

    def timer(self) -> float:
        return time.time()


class GeneralThrottle(WindowThrottle):
    """The general limit: `user` per authenticated user, `anon` per client IP."""

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        if request.user and request.user.is_authenticated:
            self.scope = "user"
            return str(request.user.pk)
        self.scope = "anon"
        return self.get_ident(request)


class ScopedThrottle(WindowThrottle):
    """A named limit chosen by the view per HTTP method, counted per user or else per IP."""

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        self.scope = getattr(view, "throttle_scopes", {}).get(request.method)
        if self.scope is None:
            return None
        if request.user and request.user.is_authenticated:
            return f"user-{request.user.pk}"
        return f"ip-{self.get_ident(request)}"


class LoginEmailThrottle(WindowThrottle):
    """Limits login attempts per target email address, whatever IPs they come from."""

    scope = "login_email"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.method != "POST":
            return None
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email:
            return None
        # Hashed, so the cache contains no email addresses.
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()
