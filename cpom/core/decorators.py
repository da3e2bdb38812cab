from functools import wraps

from django.core.exceptions import PermissionDenied


def require_perm(*perms):
    """403 unless the signed-in user's role grants one of `perms` (LoginRequiredMiddleware handles anonymous
    users)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.can(perm) for perm in perms):
                raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
