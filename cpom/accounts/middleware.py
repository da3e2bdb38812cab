"""After the password, the second factor: a user with a confirmed device reaches nothing but the code page until
the session is verified; in production an administrator without a device reaches nothing but the enrolment
page. A session opened with ProConnect relies on ProConnect's own authentication (issue 17)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .enums import Role
from .two_factor import SESSION_FLAG, confirmed_device

ALWAYS_OPEN = ("/static/", "/comptes/deconnexion/")
PROCONNECT_SESSION = "cpom_proconnect"  # accounts.proconnect.SESSION_FLAG


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(ALWAYS_OPEN) or user.is_verified():
            return self.get_response(request)
        if request.session.get(PROCONNECT_SESSION):
            return self.get_response(request)
        verify, enrol = reverse("accounts:two_factor_verify"), reverse("accounts:two_factor")
        if SESSION_FLAG not in request.session:  # a session opened before this check existed
            request.session[SESSION_FLAG] = confirmed_device(user) is not None
        if request.session[SESSION_FLAG]:
            if request.path == verify:
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Session non vérifiée : saisissez d'abord votre code."}, status=401)
            return redirect(f"{verify}?next={request.get_full_path()}")
        if settings.OTP_REQUIRED_FOR_ADMINS and user.role == Role.ADMIN and request.path != enrol:
            return redirect(enrol)
        return self.get_response(request)
