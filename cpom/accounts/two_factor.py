"""Optional second factor (TOTP, django-otp) for agents and administrators; required for administrators when
settings.OTP_REQUIRED_FOR_ADMINS (production). A code is 6 digits from an authenticator application; the secret
is shown once, at enrolment."""

from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpom.core.errors import DomainError

DEVICE_NAME = "Application d'authentification"
SESSION_FLAG = "cpom_second_factor"  # whether the signed-in user has a confirmed device: read on every request


def remember_device(request, user) -> None:
    """At sign-in (and when the device changes), the session notes whether a code is due, so that the
    middleware costs no query per request."""
    request.session[SESSION_FLAG] = confirmed_device(user) is not None


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def start_enrolment(user) -> TOTPDevice:
    """A new, unconfirmed device (any earlier unconfirmed one is replaced: its secret may have been seen)."""
    if confirmed_device(user):
        raise DomainError("La double authentification est déjà activée pour votre compte.")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _check(device: TOTPDevice | None, code: str) -> TOTPDevice:
    code = "".join((code or "").split())
    if device is None:
        raise DomainError("Commencez par activer la double authentification.", field="code")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise DomainError("Le code est fait de 6 chiffres, lus dans votre application.", field="code")
    allowed, _ = device.verify_is_allowed()
    if not allowed:  # django-otp doubles the wait after each wrong code
        raise DomainError(
            "Trop de codes erronés : attendez quelques secondes avant d'en saisir un nouveau.", field="code"
        )
    if not device.verify_token(code):
        raise DomainError(
            "Code incorrect ou expiré : saisissez le code affiché maintenant par votre application.", field="code"
        )
    return device


@transaction.atomic
def confirm_enrolment(request, code: str) -> TOTPDevice:
    device = _check(TOTPDevice.objects.filter(user=request.user, confirmed=False).first(), code)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)  # this session has just proved the second factor
    remember_device(request, request.user)
    return device


@transaction.atomic
def disable(request, code: str) -> None:
    _check(confirmed_device(request.user), code)
    TOTPDevice.objects.filter(user=request.user).delete()
    remember_device(request, request.user)


def verify(request, code: str) -> None:
    """Completes a sign-in: the session is verified once the code matches."""
    otp_login(request, _check(confirmed_device(request.user), code))
