from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cpom.core.scope import Scope
from cpom.organisations.enums import OrganisationKind

from .enums import Role
from .permissions import Perm, organisation_error, role_allows, scope_for


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
        return self.is_active and role_allows(self.role, perm)


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
