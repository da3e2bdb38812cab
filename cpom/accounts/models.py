from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cpom.core.scope import Scope
from cpom.organisations.enums import OrganisationKind

from .enums import Role
from .permissions import MANAGER_PERMS, Perm, organisation_error, role_allows, scope_for


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """An account. Personal data is limited to name and e-mail (R14)."""

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=100, blank=True)
    last_name = models.CharField("nom", max_length=100, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="organisation",
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    is_active = models.BooleanField("actif", default=True)
    # The manager of an organisation invites its people, changes their roles, deactivates their accounts (issue 17).
    is_manager = models.BooleanField("gestionnaire de son organisation", default=False)
    # The stable identifier ProConnect gives this person, noted at the first ProConnect sign-in.
    proconnect_sub = models.CharField("identifiant ProConnect", max_length=255, null=True, blank=True, unique=True)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="administrateur") | Q(organisation__isnull=False),
                name="user_has_organisation_unless_admin",
                violation_error_message="Un compte doit être rattaché à une organisation (sauf administrateur).",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        if self.role:
            message = organisation_error(self.role, self.organisation if self.organisation_id else None)
            if message:
                raise ValidationError({"organisation": message})

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    # Django admin access follows the role, not a separate flag.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.is_superuser

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_superuser

    @cached_property
    def scope(self) -> Scope:
        organisation = self.organisation if self.organisation_id else None
        caisse_departments: frozenset[str] = frozenset()
        if organisation is not None and organisation.kind == OrganisationKind.CAISSE:
            caisse_departments = frozenset(organisation.departments.values_list("code", flat=True))
        return scope_for(role=self.role, organisation=organisation, caisse_departments=caisse_departments)

    def can(self, perm: Perm) -> bool:
        if not self.is_active:
            return False
        return role_allows(self.role, perm) or (self.is_manager and perm in MANAGER_PERMS)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)

    def valid(self) -> "InvitationQuerySet":
        return self.pending().filter(expires_at__gt=timezone.now())

    def visible_to(self, user) -> "InvitationQuerySet":
        """An administrator sees every invitation; a manager those into his own organisation."""
        if not user.can(Perm.PEOPLE_MANAGE):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        return self.filter(organisation_id=user.organisation_id) if user.organisation_id else self.none()


class Invitation(models.Model):
    """An invitation to open an account with a role in an organisation. Only the hash of its link's secret is
    stored; the link serves once, within 72 hours (accounts.invitations)."""

    email = models.EmailField("adresse électronique")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="organisation",
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    is_manager = models.BooleanField("gestionnaire de son organisation", default=False)
    invited_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="invité par"
    )
    token_hash = models.CharField("empreinte du lien", max_length=64, unique=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    expires_at = models.DateTimeField("valable jusqu'au")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        related_name="invitations",
        null=True,
        blank=True,
        verbose_name="compte ouvert",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="one_pending_invitation_per_email",
                violation_error_message="Une invitation est déjà en attente pour cette adresse.",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation de {self.email}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "acceptée"
        if self.cancelled_at:
            return "annulée"
        if self.expires_at <= timezone.now():
            return "expirée"
        return "en attente"


class PasswordResetRequest(models.Model):
    """One request of a password-reset e-mail, kept one day to limit them per account and per address
    (accounts/resets.py). A table, not the cache: production runs several gunicorn processes, whose local-memory
    caches are not shared, and the platform has no shared cache server. The account is kept as a keyed digest of
    the address typed, not the address itself (R14)."""

    account_digest = models.CharField("empreinte du compte", max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True, db_index=True)
    requested_at = models.DateTimeField("demandé le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "demande de réinitialisation"
        verbose_name_plural = "demandes de réinitialisation"
