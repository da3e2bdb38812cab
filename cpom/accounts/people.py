"""Each organisation manages its own people (issue 17): who may manage whose account, and the changes a manager
makes — role, manager flag, deactivation — each written to the change journal in the same transaction.

An administrator manages every account; the manager of an organisation (`User.is_manager`: a DREETS head of unit,
a service director) manages the accounts of his own organisation only, and grants only the roles that
organisation may host (a service hosts no agent role) — never the administrator role."""

from django.db import transaction
from django.db.models import QuerySet

from cpom.core import journal
from cpom.core.errors import DomainError
from cpom.core.models import SubjectKind

from .enums import Role
from .models import User
from .permissions import ROLE_RULES, Perm, organisation_error

JOURNALED_FIELDS = ["email", "organisation", "role", "is_manager", "is_active"]


def people_visible_to(user) -> QuerySet[User]:
    """The accounts `user` manages: every account for an administrator, those of his organisation for a manager."""
    if not user.can(Perm.PEOPLE_MANAGE):
        return User.objects.none()
    if user.role == Role.ADMIN:
        return User.objects.all()
    if not user.organisation_id:
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id)


def grantable_roles(by, organisation) -> list[Role]:
    """The roles `by` may give an account of `organisation` (None: no organisation, administrators only)."""
    roles = [role for role in Role if organisation_error(role, organisation) is None]
    if by.role != Role.ADMIN:
        roles = [role for role in roles if role != Role.ADMIN]
    return roles


def check_may_manage(by, organisation) -> None:
    """Refuses unless `by` manages the people of `organisation`."""
    if not by.can(Perm.PEOPLE_MANAGE):
        raise DomainError("Votre compte ne gère pas les personnes d'une organisation.")
    if by.role == Role.ADMIN:
        return
    if organisation is None or organisation.pk != by.organisation_id:
        raise DomainError(
            "Vous ne gérez que les personnes de votre propre organisation.", field="organisation", rule="gestion"
        )


def check_role(by, role: str, organisation) -> None:
    if role not in Role.values:
        raise DomainError("Rôle inconnu.", field="role")
    if role == Role.ADMIN and by.role != Role.ADMIN:
        raise DomainError("Seul un administrateur peut donner le rôle d'administrateur.", field="role")
    message = organisation_error(role, organisation)
    if message:
        raise DomainError(message, field="role")
    if organisation is None and ROLE_RULES[Role(role)].organisation_required:
        raise DomainError("Ce rôle exige une organisation de rattachement.", field="organisation")


def _check_person(by, person: User) -> None:
    check_may_manage(by, person.organisation if person.organisation_id else None)
    if person.pk == by.pk:
        raise DomainError("Vous ne pouvez pas modifier votre propre compte : demandez-le à un autre gestionnaire.")
    if person.role == Role.ADMIN and by.role != Role.ADMIN:
        raise DomainError("Seul un administrateur peut modifier le compte d'un administrateur.")


@transaction.atomic
def change_role(*, by, person: User, role: str, is_manager: bool) -> User:
    """Gives `person` another role (among those of his organisation) and sets or clears his manager flag."""
    person = User.objects.select_for_update().get(pk=person.pk)
    _check_person(by, person)
    organisation = person.organisation if person.organisation_id else None
    check_role(by, role, organisation)
    before = journal.snapshot(person, JOURNALED_FIELDS)
    person.role, person.is_manager = role, bool(is_manager)
    person.save(update_fields=["role", "is_manager"])
    journal.record(
        by=by,
        kind=SubjectKind.ACCOUNT,
        subject_id=person.pk,
        what=f"Rôle du compte {person.email}",
        before=before,
        after=journal.snapshot(person, JOURNALED_FIELDS),
    )
    return person


@transaction.atomic
def set_active(*, by, person: User, active: bool) -> User:
    """Deactivates (or reactivates) an account. A deactivated account's sessions and API tokens stop working at
    once: the session backend and the token check both read `is_active` on every request."""
    person = User.objects.select_for_update().get(pk=person.pk)
    _check_person(by, person)
    if person.is_active == active:
        raise DomainError("Ce compte est déjà actif." if active else "Ce compte est déjà désactivé.")
    before = journal.snapshot(person, JOURNALED_FIELDS)
    person.is_active = active
    person.save(update_fields=["is_active"])
    journal.record(
        by=by,
        kind=SubjectKind.ACCOUNT,
        subject_id=person.pk,
        what=f"{'Réactivation' if active else 'Désactivation'} du compte {person.email}",
        before=before,
        after=journal.snapshot(person, JOURNALED_FIELDS),
    )
    return person
