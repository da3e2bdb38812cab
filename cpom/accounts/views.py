"""The second-factor pages: enrol, disable, and the code asked after the password."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from cpom.core.decorators import require_perm
from cpom.core.errors import DomainError
from cpom.core.journal import journal
from cpom.core.models import SubjectKind
from cpom.core.pages import apply_domain_error, crumbs, submit

from . import invitations, proconnect, two_factor
from . import people as people_services
from .enums import Role
from .forms import AcceptInvitationForm, InviteForm, PersonForm
from .models import Invitation
from .people import people_visible_to
from .permissions import Perm


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


# --- People of my organisation, invitations (issue 17) -------------------------------------------------------------
PAGE_SIZE = 50


def _invitation_link(request) -> Callable[[str], str]:
    return lambda secret: request.build_absolute_uri(reverse("accounts:invitation_accept", args=[secret]))


@require_perm(Perm.PEOPLE_MANAGE)
def people(request):
    user = request.user
    accounts = people_visible_to(user).select_related("organisation").order_by("organisation__name", "email")
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = Invitation.objects.visible_to(user).pending().select_related("organisation", "invited_by")
    title = "Personnes et comptes" if user.role == Role.ADMIN else "Les personnes de mon organisation"
    return render(
        request,
        "accounts/people.html",
        {
            "page_title": title,
            "breadcrumb_data": crumbs(title),
            "page_obj": page,
            "accounts": page.object_list,
            "invitations": pending.order_by("-sent_at")[:200],
            "now": timezone.now(),
        },
    )


@require_perm(Perm.PEOPLE_MANAGE)
@require_http_methods(["GET", "POST"])
def invite(request):
    user = request.user
    form = InviteForm(request.POST or None, by=user)
    done = submit(
        request,
        form,
        lambda data: invitations.invite(
            by=user,
            email=data["email"],
            organisation=data.get("organisation") if user.role == Role.ADMIN else user.organisation,
            role=data["role"],
            is_manager=data["is_manager"],
            link=_invitation_link(request),
        ),
        "L'invitation est envoyée : son lien est valable 72 heures.",
    )
    if done:
        return redirect("accounts:people")
    return render(
        request,
        "accounts/invite.html",
        {
            "page_title": "Inviter une personne",
            "breadcrumb_data": crumbs("Inviter une personne", (reverse("accounts:people"), "Personnes")),
            "form": form,
        },
    )


@require_perm(Perm.PEOPLE_MANAGE)
@require_http_methods(["GET", "POST"])
def person(request, pk: int):
    person = get_object_or_404(people_visible_to(request.user).select_related("organisation"), pk=pk)
    form = PersonForm(
        request.POST or None,
        by=request.user,
        person=person,
        initial={"role": person.role, "is_manager": person.is_manager},
    )
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "role")
        try:
            if action in ("deactivate", "reactivate"):
                people_services.set_active(by=request.user, person=person, active=action == "reactivate")
                messages.success(
                    request, "Le compte est réactivé." if action == "reactivate" else "Le compte est désactivé."
                )
                return redirect("accounts:person", pk=person.pk)
            if form.is_valid():
                people_services.change_role(
                    by=request.user,
                    person=person,
                    role=form.cleaned_data["role"],
                    is_manager=form.cleaned_data["is_manager"],
                )
                messages.success(request, "Le rôle est enregistré.")
                return redirect("accounts:person", pk=person.pk)
        except DomainError as refused:
            error = refused.message
    return render(
        request,
        "accounts/person.html",
        {
            "page_title": f"Compte de {person}",
            "breadcrumb_data": crumbs(str(person), (reverse("accounts:people"), "Personnes")),
            "person": person,
            "form": form,
            "error": error,
            "is_self": person.pk == request.user.pk,
            "journal": list(journal(SubjectKind.ACCOUNT, person.pk)[:50]),
        },
    )


def _pending_invitation(request, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)


@require_perm(Perm.PEOPLE_MANAGE)
@require_POST
def invitation_resend(request, pk: int):
    invitation = _pending_invitation(request, pk)
    try:
        invitations.resend(by=request.user, invitation=invitation, link=_invitation_link(request))
        messages.success(request, f"L'invitation de {invitation.email} est renvoyée : nouveau lien valable 72 heures.")
    except DomainError as refused:
        messages.error(request, refused.message)
    return redirect("accounts:people")


@require_perm(Perm.PEOPLE_MANAGE)
@require_POST
def invitation_cancel(request, pk: int):
    invitation = _pending_invitation(request, pk)
    try:
        invitations.cancel(by=request.user, invitation=invitation)
        messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    except DomainError as refused:
        messages.error(request, refused.message)
    return redirect("accounts:people")


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The link of an invitation e-mail: choose a password, or sign in with ProConnect."""
    invitation = invitations.find(token)
    form = AcceptInvitationForm(request.POST or None)
    if invitation is not None and request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(
                invitation,
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except DomainError as refused:
            apply_domain_error(form, refused)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Votre compte est ouvert. Bienvenue sur la plateforme.")
            return redirect("workspace:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "page_title": "Ouvrir mon compte",
            "invitation": invitation,
            "form": form,
            "proconnect": proconnect.enabled(),
        },
    )


@require_POST
def logout(request):
    return proconnect.logout(request)
