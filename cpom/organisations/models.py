import datetime as dt

from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from cpom.core.dates import add_months
from cpom.core.scope import Scope, ScopeKind

from .enums import ApprovalStatus, CaisseType, CertificationLevel, CpomMaturity, OrganisationKind, SpstiCategory
from .validators import validate_siret

EXPIRING_WINDOW_MONTHS = 6


def _scope_of(user) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope.nothing()
    return user.scope


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        """Public bodies are visible to every signed-in user; a service only within the user's scope."""
        scope = _scope_of(user)
        if scope.kind == ScopeKind.NOTHING:
            return self.none()
        institutions = ~Q(kind=OrganisationKind.SPSTI)
        visible_spsti = Spsti.objects.visible_to(user).values("pk")
        return self.filter(institutions | Q(pk__in=visible_spsti))

    def active(self) -> "OrganisationQuerySet":
        return self.filter(archived_at__isnull=True)


class Organisation(models.Model):
    kind = models.CharField("type", max_length=10, choices=OrganisationKind.choices)
    code = models.CharField("code", max_length=30, unique=True, null=True, blank=True)
    name = models.CharField("nom", max_length=200)
    short_name = models.CharField("nom court", max_length=60, blank=True)
    region = models.ForeignKey(
        "territory.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="région",
    )
    departments = models.ManyToManyField(
        "territory.Department", blank=True, related_name="organisations", verbose_name="départements couverts"
    )
    caisse_type = models.CharField("type de caisse", max_length=10, choices=CaisseType.choices, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["cnpst", "dgt", "cnam", "caisse"]) | Q(region__isnull=False),
                name="regional_organisation_has_region",
                violation_error_message="Un service, une DREETS, une ARS ou un CRPST est rattaché à une région.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="caisse") | ~Q(caisse_type=""),
                name="caisse_has_type",
                violation_error_message="Une caisse régionale doit préciser son type (CARSAT, CRAMIF, CGSS, CSS).",
            ),
            models.UniqueConstraint(
                fields=["kind", "region"],
                condition=Q(kind__in=["dreets", "ars", "crpst"]),
                name="one_state_body_per_region",
                violation_error_message="Cette région a déjà une organisation de ce type.",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        return self.name


class SpstiQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SpstiQuerySet":
        scope = _scope_of(user)
        match scope.kind:
            case ScopeKind.NATION:
                return self.all()
            case ScopeKind.REGION:
                return self.filter(region_id=scope.region_code)
            case ScopeKind.DEPARTMENTS:
                # A caisse sees the services headquartered in its departments (DESIGN §2, issue 16): one rule for
                # the registry, restitutions, reports and every named table of the dashboards.
                return self.filter(headquarters_department_id__in=scope.department_codes)
            case ScopeKind.SPSTI:
                return self.filter(pk=scope.spsti_id)
        return self.none()

    def active(self) -> "SpstiQuerySet":
        return self.filter(dissolved_on__isnull=True, archived_at__isnull=True)

    def with_current_approval(self, *, on: dt.date | None = None) -> "SpstiQuerySet":
        """Annotate the approval in force on `on` (or, failing that, the last one started before it) and its
        status: valid, expiring within 6 months, expired, or none."""
        on = on or timezone.localdate()
        current = Approval.objects.filter(spsti_id=OuterRef("pk"), start__lte=on).order_by("-start", "-pk")
        return self.annotate(
            approval_start=Subquery(current.values("start")[:1]),
            approval_end=Subquery(current.values("end")[:1]),
            approval_conditional=Subquery(current.values("conditional")[:1]),
        ).annotate(
            approval_status=Case(
                When(approval_end__isnull=True, then=Value(ApprovalStatus.NONE.value)),
                When(approval_end__lt=on, then=Value(ApprovalStatus.EXPIRED.value)),
                When(
                    approval_end__lte=add_months(on, EXPIRING_WINDOW_MONTHS),
                    then=Value(ApprovalStatus.EXPIRING.value),
                ),
                default=Value(ApprovalStatus.VALID.value),
                output_field=models.CharField(),
            )
        )

    def with_approval_status(self, status: str, *, on: dt.date | None = None) -> "SpstiQuerySet":
        """Filter on the status annotated by `with_current_approval` (call that first)."""
        if status == ApprovalStatus.CONDITIONAL:
            return self.filter(
                approval_conditional=True,
                approval_status__in=[ApprovalStatus.VALID, ApprovalStatus.EXPIRING],
            )
        if status == ApprovalStatus.VALID:
            # "valid" lists every service approved today, those expiring soon included.
            return self.filter(approval_status__in=[ApprovalStatus.VALID, ApprovalStatus.EXPIRING])
        return self.filter(approval_status=status)

    def search(self, text: str) -> "SpstiQuerySet":
        text = text.strip()
        if not text:
            return self
        compact = "".join(text.split())
        if compact.isdigit():
            return self.filter(siret__startswith=compact)
        return self.filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(city__icontains=text))


class Spsti(Organisation):
    """A service (multi-table child of Organisation: its users belong to the organisation row)."""

    organisation_ptr = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, parent_link=True, primary_key=True, related_name="spsti"
    )
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret])
    category = models.CharField(
        "nature", max_length=20, choices=SpstiCategory.choices, default=SpstiCategory.INTERPROFESSIONAL
    )
    sector = models.CharField("secteur (service sectoriel)", max_length=100, blank=True)
    headquarters_department = models.ForeignKey(
        "territory.Department",
        on_delete=models.PROTECT,
        related_name="headquartered_spsti",
        verbose_name="département du siège",
    )
    employees_followed = models.PositiveIntegerField("salariés suivis")
    member_companies = models.PositiveIntegerField("entreprises adhérentes")
    medical_staff_fte = models.DecimalField(
        "médecins du travail (ETP)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    prevention_staff_fte = models.DecimalField(
        "intervenants en prévention et infirmiers (ETP)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    cpom_maturity = models.CharField(
        "maturité des équipes pour un CPOM", max_length=20, choices=CpomMaturity.choices, blank=True
    )
    dissolved_on = models.DateField("dissous le", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name="absorbé par (fusion)",
    )

    objects = SpstiQuerySet.as_manager()

    class Meta:
        verbose_name = "SPSTI"
        verbose_name_plural = "SPSTI"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                name="spsti_siret_unique",
                violation_error_message="Un service portant ce SIRET est déjà inscrit au registre.",
            ),
            models.CheckConstraint(
                condition=~Q(category="sectoriel") | ~Q(sector=""),
                name="sector_spsti_names_its_sector",
                violation_error_message="Un service sectoriel doit préciser son secteur.",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(dissolved_on__isnull=False),
                name="merged_spsti_is_dissolved",
                violation_error_message="Un service absorbé par une fusion doit avoir une date de dissolution.",
            ),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.kind:
            self.kind = OrganisationKind.SPSTI

    def save(self, *args, **kwargs):
        # A service belongs to the region of its headquarters department (DESIGN §7).
        self.kind = OrganisationKind.SPSTI
        self.region_id = self.headquarters_department.region_id
        super().save(*args, **kwargs)


class Approval(models.Model):
    """Agrément: issued by the DREETS for at most 5 years, possibly under conditions; a shortened approval lasts
    at most 2 years (décret 2022-1435). A later approval of the same service is its renewal."""

    MAX_YEARS = 5
    SHORTENED_YEARS = 2

    spsti = models.ForeignKey(Spsti, on_delete=models.PROTECT, related_name="approvals", verbose_name="service")
    start = models.DateField("début")
    end = models.DateField("fin")
    conditional = models.BooleanField("agrément conditionnel", default=False)
    conditions = models.TextField("conditions", blank=True)
    shortened = models.BooleanField("agrément de deux ans (décret 2022-1435)", default=False)
    decision_reference = models.CharField("référence de la décision", max_length=100, blank=True)
    zones = models.ManyToManyField(
        "territory.Department", related_name="approvals", verbose_name="zones (départements)"
    )

    class Meta:
        verbose_name = "agrément"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="approval_ends_after_start",
                violation_error_message="La fin de l'agrément doit être postérieure à son début.",
            ),
        ]

    def __str__(self) -> str:
        return f"Agrément du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Certification(models.Model):
    """Certification of a service by an accredited body (décret 2022-1031, arrêté of 27 July 2023)."""

    spsti = models.ForeignKey(Spsti, on_delete=models.PROTECT, related_name="certifications", verbose_name="service")
    level = models.CharField("niveau", max_length=10, choices=CertificationLevel.choices)
    certifier = models.CharField("organisme certificateur", max_length=200)
    certified_on = models.DateField("certifié le")
    expires_on = models.DateField("échéance")

    class Meta:
        verbose_name = "certification"
        ordering = ["-certified_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("certified_on")),
                name="certification_expires_after_it_is_granted",
                violation_error_message="L'échéance de la certification doit suivre sa date d'obtention.",
            ),
            models.UniqueConstraint(
                fields=["spsti", "certified_on"],
                name="one_certification_per_service_and_day",
                violation_error_message="Ce service a déjà une certification obtenue ce jour-là.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} du {self.certified_on:%d/%m/%Y}"


class ServiceProject(models.Model):
    """Projet pluriannuel de service (PPS), validated by the service's board."""

    spsti = models.ForeignKey(Spsti, on_delete=models.PROTECT, related_name="service_projects", verbose_name="service")
    title = models.CharField("intitulé", max_length=200)
    start = models.DateField("début")
    end = models.DateField("fin")
    board_validated_on = models.DateField("validé par le conseil d'administration le", null=True, blank=True)

    class Meta:
        verbose_name = "projet de service (PPS)"
        verbose_name_plural = "projets de service (PPS)"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="service_project_ends_after_start",
                violation_error_message="La fin du projet de service doit être postérieure à son début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y}–{self.end:%Y})"


class ServiceProjectPriority(models.Model):
    project = models.ForeignKey(
        ServiceProject, on_delete=models.CASCADE, related_name="priorities", verbose_name="projet de service"
    )
    code = models.CharField("code", max_length=20)
    title = models.CharField("intitulé", max_length=300)

    class Meta:
        verbose_name = "priorité du projet de service"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"],
                name="service_project_priority_code_unique",
                violation_error_message="Ce code de priorité existe déjà dans ce projet de service.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"
