from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cpom_…` — a personal token created on the « Jetons d'API » page."""

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class SignedInSession(SessionAuth):
    """The browser session of a signed-in user (CSRF checked on writes)."""

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None
