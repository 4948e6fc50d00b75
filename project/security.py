"""Security headers, the HTTPS redirect and the host check, with no thread hop under ASGI.

Django's `SecurityMiddleware` and `CommonMiddleware` derive from `MiddlewareMixin`, which runs
`process_request` and `process_response` through `sync_to_async` when the stack is async:
four thread hops per request between them. Their methods do no I/O, so the middleware here
calls them directly in both modes.
"""

from collections.abc import Awaitable, Callable

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks.security import base as security_checks
from django.http import HttpRequest, HttpResponseBase
from django.middleware import security

MIDDLEWARE_PATH = "project.security.SecurityMiddleware"


class SecurityMiddleware(security.SecurityMiddleware):
    """Django's SecurityMiddleware, plus the parts of two others that the settings use.

    From Django's SecurityMiddleware, with its settings: the HTTPS redirect
    (SECURE_SSL_REDIRECT, SECURE_SSL_HOST, SECURE_REDIRECT_EXEMPT, SECURE_PROXY_SSL_HEADER),
    Strict-Transport-Security (SECURE_HSTS_*), X-Content-Type-Options, Referrer-Policy and
    Cross-Origin-Opener-Policy. From XFrameOptionsMiddleware: X-Frame-Options from
    X_FRAME_OPTIONS, unless the response sets its own or is `xframe_options_exempt`.
    From CommonMiddleware: the ALLOWED_HOSTS check on every request (DisallowedHost, a 400)
    and Content-Length on responses that are not streamed. CommonMiddleware's other work
    (APPEND_SLASH, PREPEND_WWW, DISALLOWED_USER_AGENTS) is off in these settings and left out.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]) -> None:
        super().__init__(get_response)
        self.frame_options = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self.__acall__(request)
        response = self.process_request(request) or self.get_response(request)
        return self.process_response(request, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.process_request(request) or await self.get_response(request)
        return self.process_response(request, response)

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        # Django validates the Host header only when code reads it, and CommonMiddleware read it
        # on every request. A host outside ALLOWED_HOSTS raises DisallowedHost, which becomes a 400.
        request.get_host()
        return super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        if (
            self.frame_options
            and "X-Frame-Options" not in response
            and not getattr(response, "xframe_options_exempt", False)
        ):
            response.headers["X-Frame-Options"] = self.frame_options
        if not response.streaming and "Content-Length" not in response:
            response.headers["Content-Length"] = str(len(response.content))
        return response


@register(Tags.security, deploy=True)
def check_security_settings(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Run Django's deploy checks of SecurityMiddleware's settings for this middleware.

    Django runs those checks only when its own class is in MIDDLEWARE, so they would be
    skipped with this one in its place. The messages are Django's, with their ids.
    """
    if MIDDLEWARE_PATH not in settings.MIDDLEWARE:
        return []
    messages: list[CheckMessage] = []
    if not settings.SECURE_HSTS_SECONDS:
        messages.append(security_checks.W004)
    else:
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is not True:
            messages.append(security_checks.W005)
        if settings.SECURE_HSTS_PRELOAD is not True:
            messages.append(security_checks.W021)
    if settings.SECURE_CONTENT_TYPE_NOSNIFF is not True:
        messages.append(security_checks.W006)
    if settings.SECURE_SSL_REDIRECT is not True:
        messages.append(security_checks.W008)

    policy = settings.SECURE_REFERRER_POLICY
    if policy is None:
        messages.append(security_checks.W022)
    else:
        values = {value.strip() for value in policy.split(",")} if isinstance(policy, str) else set(policy)
        if not values <= security_checks.REFERRER_POLICY_VALUES:
            messages.append(security_checks.E023)

    opener_policy = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    if opener_policy is not None and opener_policy not in security_checks.CROSS_ORIGIN_OPENER_POLICY_VALUES:
        messages.append(security_checks.E024)
    if settings.X_FRAME_OPTIONS != "DENY":
        messages.append(security_checks.W019)
    return messages
