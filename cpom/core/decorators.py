from functools import wraps

from django.core.exceptions import PermissionDenied


def require_perm(perm):
    """403 unless the signed-in user's role grants `perm` (LoginRequiredMiddleware handles anonymous users)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.can(perm):
                raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
