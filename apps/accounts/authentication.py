"""Token authentication for HTTP requests.

Our own class rather than DRF's authtoken or django-rest-knox: DRF's stores the secret in
plain text as the primary key, and neither keeps `last_used_at` and the user agent per
device or fits the `Bearer` keyword and the revocation that closes WebSockets. The class
is synchronous because adrf runs authentication in a worker thread either way.
"""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from .models import AuthToken, User
from .selectors import token_authenticate

KEYWORDS = (b"bearer", b"token")


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate `Authorization: Bearer <token>` or `Authorization: Token <token>`."""

    def authenticate(self, request: Request) -> tuple[User, AuthToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: send `Authorization: Bearer <token>`.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token: tokens contain only ASCII characters.") from None

        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token: log in again for a new one.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
