"""Invitations (issue 17): an administrator or an organisation's manager invites a person by e-mail with a role
in an organisation; the e-mail holds a single-use link, valid 72 hours, to choose a password or to sign in with
ProConnect. No account exists before the invitation is accepted."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cpom.core import journal
from cpom.core.errors import DomainError
from cpom.core.models import ChangeAction, SubjectKind

from .models import Invitation, User
from .people import JOURNALED_FIELDS, check_may_manage, check_role

VALIDITY = dt.timedelta(hours=72)
INVITATION_FIELDS = ["email", "organisation", "role", "is_manager", "expires_at"]

LinkBuilder = Callable[[str], str]  # the secret of the link → the absolute URL of the invitation page


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(invitation: Invitation) -> str:
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash, invitation.sent_at, invitation.expires_at = _digest(secret), now, now + VALIDITY
    return secret


def send_invitation_email(invitation: Invitation, link: str) -> None:
    """The one place that sends an invitation (to be switched to the notifications outbox)."""
    context = {
        "invitation": invitation,
        "link": link,
        "site_title": settings.SITE_TITLE,
        "proconnect": bool(getattr(settings, "PROCONNECT_CLIENT_ID", "")),
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.SITE_TITLE} : votre invitation",
        body=render_to_string("accounts/invitation_email.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("accounts/invitation_email.html", context), "text/html")
    message.send()


@transaction.atomic
def invite(*, by, email: str, organisation, role: str, is_manager: bool = False, link: LinkBuilder) -> Invitation:
    """Invites `email` into `organisation` with `role` and sends the e-mail."""
    email = (email or "").strip().lower()
    check_may_manage(by, organisation)
    check_role(by, role, organisation)
    if not email:
        raise DomainError("L'adresse électronique est obligatoire.", field="email")
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("Un compte existe déjà pour cette adresse.", field="email")
    pending = Invitation.objects.pending().select_for_update().filter(email=email).first()
    if pending is not None:
        if pending.expires_at > timezone.now():
            raise DomainError(
                "Une invitation est déjà en attente pour cette adresse : renvoyez-la ou annulez-la.", field="email"
            )
        pending.cancelled_at = timezone.now()  # an expired one gives way to the new one
        pending.save(update_fields=["cancelled_at"])
    invitation = Invitation(
        email=email, organisation=organisation, role=role, is_manager=bool(is_manager), invited_by=by
    )
    secret = _new_secret(invitation)
    invitation.save()
    journal.record(
        by=by,
        kind=SubjectKind.INVITATION,
        subject_id=invitation.pk,
        what=f"Invitation de {email}",
        after=journal.snapshot(invitation, INVITATION_FIELDS),
    )
    send_invitation_email(invitation, link(secret))
    return invitation


def _pending_for(by, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_may_manage(by, invitation.organisation if invitation.organisation_id else None)
    if invitation.accepted_at:
        raise DomainError("Cette invitation a déjà été acceptée.")
    if invitation.cancelled_at:
        raise DomainError("Cette invitation a été annulée.")
    return invitation


@transaction.atomic
def resend(*, by, invitation: Invitation, link: LinkBuilder) -> Invitation:
    """A new link (the previous one stops working), valid 72 hours from now, sent again."""
    invitation = _pending_for(by, invitation)
    before = journal.snapshot(invitation, INVITATION_FIELDS)
    secret = _new_secret(invitation)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    journal.record(
        by=by,
        kind=SubjectKind.INVITATION,
        subject_id=invitation.pk,
        what=f"Invitation de {invitation.email} renvoyée",
        action=ChangeAction.TRANSITION,
        before=before,
        after=journal.snapshot(invitation, INVITATION_FIELDS),
    )
    send_invitation_email(invitation, link(secret))
    return invitation


@transaction.atomic
def cancel(*, by, invitation: Invitation) -> Invitation:
    invitation = _pending_for(by, invitation)
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    journal.record(
        by=by,
        kind=SubjectKind.INVITATION,
        subject_id=invitation.pk,
        what=f"Invitation de {invitation.email} annulée",
        action=ChangeAction.TRANSITION,
    )
    return invitation


def find(secret: str) -> Invitation | None:
    """The valid (pending, unexpired) invitation of a link, else None."""
    if not secret or len(secret) > 100:
        return None
    return Invitation.objects.valid().select_related("organisation").filter(token_hash=_digest(secret)).first()


@transaction.atomic
def accept(
    invitation: Invitation,
    *,
    password: str | None = None,
    proconnect_sub: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Opens the account of an invitation, once: with a password chosen on the link's page, or with the
    ProConnect identity of its first sign-in."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.cancelled_at or invitation.expires_at <= timezone.now():
        raise DomainError("Ce lien d'invitation n'est plus valable : demandez une nouvelle invitation.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise DomainError("Un compte existe déjà pour cette adresse : connectez-vous.")
    user = User(
        email=invitation.email,
        first_name=first_name[:100],
        last_name=last_name[:100],
        organisation=invitation.organisation,
        role=invitation.role,
        is_manager=invitation.is_manager,
        proconnect_sub=proconnect_sub or None,
    )
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages), field="password") from error
    user.set_password(password)  # None: no usable password (a ProConnect account)
    user.full_clean(exclude=["password"])
    user.save()
    invitation.accepted_at, invitation.user = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "user"])
    journal.record(
        by=user,
        kind=SubjectKind.ACCOUNT,
        subject_id=user.pk,
        what=f"Ouverture du compte {user.email} (invitation{' par ProConnect' if proconnect_sub else ''})",
        after=journal.snapshot(user, JOURNALED_FIELDS),
    )
    return user
