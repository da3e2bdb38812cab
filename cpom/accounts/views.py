"""The second-factor pages: enrol, disable, and the code asked after the password."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from cpom.core.errors import DomainError
from cpom.core.pages import crumbs

from . import two_factor
from .enums import Role


@require_http_methods(["GET", "POST"])
def two_factor_settings(request):
    user, error, device = request.user, None, two_factor.confirmed_device(request.user)
    pending = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                pending = two_factor.start_enrolment(user)
            elif action == "confirm":
                two_factor.confirm_enrolment(request, request.POST.get("code", ""))
                messages.success(request, "La double authentification est activée.")
                return redirect("accounts:two_factor")
            elif action == "disable":
                if settings.OTP_REQUIRED_FOR_ADMINS and user.role == Role.ADMIN:
                    raise DomainError("La double authentification est obligatoire pour les administrateurs.")
                two_factor.disable(request, request.POST.get("code", ""))
                messages.success(request, "La double authentification est désactivée.")
                return redirect("accounts:two_factor")
        except DomainError as refused:
            error = refused.message
            if action == "confirm":
                pending = two_factor.TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return render(
        request,
        "accounts/two_factor.html",
        {
            "page_title": "Double authentification",
            "breadcrumb_data": crumbs("Double authentification"),
            "device": device,
            "pending": pending,
            "secret": _base32(pending) if pending else "",
            "error": error,
            "required": settings.OTP_REQUIRED_FOR_ADMINS and user.role == Role.ADMIN,
        },
    )


def _base32(device) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if two_factor.confirmed_device(request.user) is None or request.user.is_verified():
        return redirect(target)
    error = None
    if request.method == "POST":
        try:
            two_factor.verify(request, request.POST.get("code", ""))
            return redirect(target)
        except DomainError as refused:
            error = refused.message
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"page_title": "Code de vérification", "next": target, "error": error, "logout": reverse("accounts:logout")},
    )
