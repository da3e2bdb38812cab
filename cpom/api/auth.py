from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
READ_ONLY_REFUSAL = "Ce jeton est en lecture seule : il ne permet aucune écriture."


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cpom_…` — a personal token created on the « Jetons d'API » page. A read-only token
    is refused (403) on every write."""

    def authenticate(self, request: HttpRequest, token: str):
        found = ApiToken.find(token)
        if found is None:
            return None
        if found.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied(READ_ONLY_REFUSAL)
        request.user = found.user
        return found.user


class SignedInSession(SessionAuth):
    """The browser session of a signed-in user (CSRF checked on writes)."""

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None
