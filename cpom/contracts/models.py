"""A CPOM: its regional frame (campaign), its parties, axes, action sheets, indicators, commitments, annexes,
consultations, signatures, amendments, termination and signed versions (DESIGN §4)."""

import datetime as dt

from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from cpom.core.scope import ScopeKind

from .enums import (
    SIGNED_STATUSES,
    AmendmentKind,
    AmendmentStatus,
    AxisKind,
    CommitmentCategory,
    ConsultedBody,
    ContractStatus,
    EvidenceMethod,
    Opinion,
    PartyRole,
    VersionStatus,
)


class Campaign(models.Model):
    """A region's contracting round (generation 1, 2, 3…): its priority themes and thematic groups."""

    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="campaigns", verbose_name="région"
    )
    generation = models.PositiveSmallIntegerField("génération")
    title = models.CharField("intitulé", max_length=200)
    opened_on = models.DateField("ouverte le")
    priority_themes = models.ManyToManyField(
        "indicators.Theme", blank=True, related_name="campaigns", verbose_name="thématiques prioritaires régionales"
    )
    crpst_validated_on = models.DateField("thématiques validées par le CRPST le", null=True, blank=True)

    class Meta:
        verbose_name = "campagne de contractualisation"
        ordering = ["region__name", "-generation"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "generation"],
                name="one_campaign_per_region_and_generation",
                violation_error_message="Cette région a déjà une campagne pour cette génération de CPOM.",
            ),
            models.CheckConstraint(
                condition=Q(generation__gte=1),
                name="campaign_generation_positive",
                violation_error_message="La génération commence à 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.region})"


class ThematicGroup(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="groups", verbose_name="campagne")
    title = models.CharField("intitulé", max_length=200)
    theme = models.ForeignKey(
        "indicators.Theme", on_delete=models.PROTECT, null=True, blank=True, verbose_name="thématique"
    )
    pilot = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="piloted_groups", verbose_name="pilote"
    )
    members = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="thematic_groups", verbose_name="membres"
    )

    class Meta:
        verbose_name = "groupe thématique"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ToolboxDocument(models.Model):
    class Kind(models.TextChoices):
        METHOD = "methode", "Méthode"
        INDICATORS = "indicateurs", "Indicateurs"
        CALENDAR = "calendrier", "Calendrier"
        OTHER = "autre", "Autre document"

    group = models.ForeignKey(ThematicGroup, on_delete=models.CASCADE, related_name="documents", verbose_name="groupe")
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    title = models.CharField("titre", max_length=200)
    link = models.URLField("adresse du document", blank=True)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "document de la boîte à outils"
        ordering = ["kind", "title"]


class Evidence(models.Model):
    """Who recorded a signature or an opinion, in which capacity, and the document that proves it when the act was
    recorded on another party's behalf (DESIGN §5): the file itself, its SHA-256, and for a PDF signed
    electronically the result of the verification of its signatures."""

    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="saisi par"
    )
    recorded_at = models.DateTimeField("saisi le", null=True, blank=True)
    on_behalf = models.BooleanField("saisi pour le compte de la partie", default=False)
    method = models.CharField("preuve", max_length=20, choices=EvidenceMethod.choices, default=EvidenceMethod.PLATFORM)
    document_name = models.CharField("pièce jointe", max_length=200, blank=True)
    document = models.BinaryField("contenu de la pièce jointe", null=True, blank=True, editable=False)
    document_sha256 = models.CharField("empreinte de la pièce jointe (SHA-256)", max_length=64, blank=True)
    content_sha256 = models.CharField("empreinte du texte signé (SHA-256)", max_length=64, blank=True)
    verification = models.JSONField("vérification des signatures électroniques", default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def capacity(self) -> str:
        """In which capacity the act was recorded, in plain French."""
        who = self.recorded_by.get_full_name() if self.recorded_by_id else "la plateforme"
        if self.on_behalf:
            return f"saisi pour le compte de la partie par {who} — {self.get_method_display().lower()}"
        return f"par {who}, pour sa propre organisation"


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContractQuerySet":
        from cpom.accounts.enums import Role

        if user is None or not user.is_authenticated:
            return self.none()
        scope = user.scope
        queryset = self
        if user.role == Role.SOCIAL_PARTNER:
            # Social partners read signed contracts (DESIGN §2); the members of a regional committee (CRPST) also
            # read the contracts sent to it for its opinion (R4).
            readable = set(SIGNED_STATUSES)
            if scope.kind == ScopeKind.REGION:
                readable |= {ContractStatus.CONSULTATION, ContractStatus.READY}
            queryset = queryset.filter(status__in=readable)
        elif user.role == Role.ARS_READER:
            # The ARS reads the contracts sent for its opinion, not drafts still in negotiation (DESIGN §2).
            queryset = queryset.exclude(status=ContractStatus.DRAFT)
        match scope.kind:
            case ScopeKind.NATION:
                return queryset
            case ScopeKind.REGION:
                return queryset.filter(region_id=scope.region_code)
            case ScopeKind.DEPARTMENTS:
                caisse_party = ContractParty.objects.filter(
                    contract_id=OuterRef("pk"), organisation_id=user.organisation_id
                )
                return queryset.filter(Exists(caisse_party))
            case ScopeKind.SPSTI:
                own = ContractParty.objects.filter(contract_id=OuterRef("pk"), organisation_id=scope.spsti_id)
                return queryset.filter(Exists(own))
        return self.none()


class Contract(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts", verbose_name="campagne"
    )
    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="contracts", verbose_name="région"
    )
    generation = models.PositiveSmallIntegerField("génération")
    reference = models.CharField("référence", max_length=40, unique=True)
    title = models.CharField("intitulé", max_length=250)
    status = models.CharField("état", max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    current_version = models.ForeignKey(
        "ContractVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="version affichée",
        help_text="Le projet d'un contrat en négociation ; la dernière version signée d'un contrat signé.",
    )
    negotiation_started_on = models.DateField("négociation ouverte le")
    start = models.DateField("entrée en vigueur", null=True, blank=True)
    end = models.DateField("fin", null=True, blank=True)
    planned_end = models.DateField(
        "fin prévue", null=True, blank=True, help_text="Par défaut, la fin de l'agrément du service (règle R3)."
    )
    signature_place = models.CharField("fait à", max_length=100, blank=True)
    version = models.PositiveIntegerField("version de travail", default=1)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = "CPOM"
        verbose_name_plural = "CPOM"
        ordering = ["region__name", "-generation", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gt=F("start")),
                name="contract_ends_after_start",
                violation_error_message="La fin du contrat doit être postérieure à son entrée en vigueur.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(s.value for s in SIGNED_STATUSES))
                | (Q(start__isnull=False) & Q(end__isnull=False)),
                name="signed_contract_has_dates",
                violation_error_message="Un contrat signé a une date d'entrée en vigueur et une date de fin.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        return self.status in SIGNED_STATUSES

    # The content shown as the contract's (its draft, or its version in force) — see ContractVersion.
    @property
    def axes(self):
        return self.current_version.axes

    @property
    def indicators(self):
        return self.current_version.indicators

    @property
    def commitments(self):
        return self.current_version.commitments

    @property
    def conventions(self):
        return self.current_version.conventions

    @property
    def context(self) -> str:
        return self.current_version.context

    @property
    def general_objectives(self) -> str:
        return self.current_version.general_objectives

    @property
    def pdp_cell_composition(self) -> str:
        return self.current_version.pdp_cell_composition

    def status_on(self, day: dt.date) -> str:
        """The stored status, with an in-force contract past its end shown as expired."""
        if self.status == ContractStatus.IN_FORCE and self.end and self.end < day:
            return ContractStatus.EXPIRED
        return self.status


class ContractParty(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parties", verbose_name="contrat")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="contract_parties", verbose_name="partie"
    )
    role = models.CharField("qualité", max_length=10, choices=PartyRole.choices)
    signatory_title = models.CharField("qualité du signataire", max_length=200, blank=True)
    signed_on = models.DateField("signé le", null=True, blank=True)

    class Meta:
        verbose_name = "partie au contrat"
        verbose_name_plural = "parties au contrat"
        ordering = ["contract", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "organisation"],
                name="party_once_per_contract",
                violation_error_message="Cette organisation est déjà partie au contrat.",
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | ~Q(signatory_title=""),
                name="signature_names_signatory_title",
                violation_error_message="Une signature précise la qualité du signataire.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def evidence(self) -> "Signature | None":
        """The record of its signature of the contract (None before it signs, or for a signature made before
        signatures were recorded with their evidence)."""
        try:
            return self.signature
        except Signature.DoesNotExist:
            return None


class Signature(Evidence):
    """The evidence of a party's signature of the contract itself (its first signed version)."""

    party = models.OneToOneField(
        ContractParty, on_delete=models.CASCADE, related_name="signature", verbose_name="partie"
    )

    class Meta:
        verbose_name = "preuve de signature"


class Consultation(Evidence):
    """The opinion of the CRPST or the ARS (R4), an opinion and not a veto: the ARS gives its own; the CRPST's is
    recorded by its secretariat with the minutes attached."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="consultations", verbose_name="contrat"
    )
    body = models.CharField("instance consultée", max_length=10, choices=ConsultedBody.choices)
    given_on = models.DateField("avis rendu le")
    opinion = models.CharField("avis", max_length=20, choices=Opinion.choices)
    comment = models.TextField("observations", blank=True)

    class Meta:
        verbose_name = "consultation"
        ordering = ["contract", "body"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "body"],
                name="one_opinion_per_body",
                violation_error_message="L'avis de cette instance est déjà enregistré pour ce contrat.",
            ),
        ]


class Axis(models.Model):
    version = models.ForeignKey(
        "ContractVersion", on_delete=models.CASCADE, related_name="axes", verbose_name="version du contrat"
    )
    number = models.PositiveSmallIntegerField("numéro")
    kind = models.CharField("nature", max_length=20, choices=AxisKind.choices)
    title = models.CharField("intitulé", max_length=250)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "axe"
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "number"],
                name="axis_number_unique",
                violation_error_message="Ce numéro d'axe existe déjà dans le contrat.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def contract(self) -> Contract:
        return self.version.contract


class Action(models.Model):
    """A fiche action."""

    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="actions", verbose_name="axe")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=250)
    theme = models.ForeignKey(
        "indicators.Theme", on_delete=models.PROTECT, null=True, blank=True, verbose_name="thématique"
    )
    objective = models.TextField("objectif", blank=True)
    method = models.TextField("modalités de mise en œuvre", blank=True)
    calendar = models.TextField("calendrier", blank=True)
    means_spsti = models.TextField("moyens du service", blank=True)
    means_state = models.TextField("moyens de la DREETS", blank=True)
    means_caisse = models.TextField("moyens de la caisse", blank=True)
    prst_actions = models.ManyToManyField("plans.PrstAction", blank=True, verbose_name="actions du PRST")
    pps_priorities = models.ManyToManyField(
        "organisations.ServiceProjectPriority", blank=True, verbose_name="priorités du projet de service"
    )
    cog_programmes = models.ManyToManyField("plans.CogProgramme", blank=True, verbose_name="programmes de la COG")
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="même action dans la version précédente",
    )

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches action"
        ordering = ["axis", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["axis", "number"],
                name="action_number_unique",
                violation_error_message="Ce numéro d'action existe déjà dans cet axe.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.axis.number}.{self.number} {self.title}"


class ContractIndicator(models.Model):
    """An indicator followed by the contract (national, regional or specific), possibly for one theme."""

    version = models.ForeignKey(
        "ContractVersion", on_delete=models.CASCADE, related_name="indicators", verbose_name="version du contrat"
    )
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, verbose_name="indicateur")
    theme = models.ForeignKey(
        "indicators.Theme", on_delete=models.PROTECT, null=True, blank=True, verbose_name="thématique"
    )
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators", verbose_name="action"
    )

    class Meta:
        verbose_name = "indicateur du contrat"
        verbose_name_plural = "indicateurs du contrat"
        ordering = ["version", "indicator__scope", "indicator_id", "theme_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "indicator", "theme"],
                condition=Q(theme__isnull=False),
                name="contract_indicator_once_per_theme",
                violation_error_message="Cet indicateur est déjà suivi pour cette thématique.",
            ),
            models.UniqueConstraint(
                fields=["version", "indicator"],
                condition=Q(theme__isnull=True),
                name="contract_indicator_once_without_theme",
                violation_error_message="Cet indicateur est déjà suivi par le contrat.",
            ),
        ]


class Target(models.Model):
    """Optional yearly target of an indicator (R13)."""

    contract_indicator = models.ForeignKey(
        ContractIndicator, on_delete=models.CASCADE, related_name="targets", verbose_name="indicateur"
    )
    year = models.PositiveSmallIntegerField("année")
    value = models.CharField("cible", max_length=100)

    class Meta:
        verbose_name = "cible"
        ordering = ["contract_indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_indicator", "year"],
                name="one_target_per_year",
                violation_error_message="Une cible existe déjà pour cette année.",
            ),
        ]


class CommitmentTemplate(models.Model):
    """Catalogue of commitments a party may take (from the regional frame and the contract 004)."""

    party_role = models.CharField("partie", max_length=10, choices=PartyRole.choices)
    category = models.CharField("nature", max_length=20, choices=CommitmentCategory.choices)
    text = models.TextField("engagement")

    class Meta:
        verbose_name = "engagement type"
        ordering = ["party_role", "category", "pk"]


class Commitment(models.Model):
    version = models.ForeignKey(
        "ContractVersion", on_delete=models.CASCADE, related_name="commitments", verbose_name="version du contrat"
    )
    party_role = models.CharField("partie", max_length=10, choices=PartyRole.choices)
    category = models.CharField("nature", max_length=20, choices=CommitmentCategory.choices)
    text = models.TextField("engagement")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "engagement"
        ordering = ["version", "party_role", "position", "pk"]


class BilateralConvention(models.Model):
    """Annex of the CARSAT–SPSTI bilateral conventions (R10)."""

    version = models.ForeignKey(
        "ContractVersion", on_delete=models.CASCADE, related_name="conventions", verbose_name="version du contrat"
    )
    caisse = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, verbose_name="caisse")
    title = models.CharField("objet", max_length=250)
    reference = models.CharField("référence", max_length=100, blank=True)
    signed_on = models.DateField("signée le", null=True, blank=True)

    class Meta:
        verbose_name = "convention bilatérale"
        ordering = ["version", "signed_on"]


class Amendment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments", verbose_name="contrat")
    number = models.PositiveSmallIntegerField("numéro")
    kind = models.CharField("nature", max_length=20, choices=AmendmentKind.choices)
    summary = models.TextField("objet de l'avenant")
    new_end = models.DateField("nouvelle date de fin", null=True, blank=True)
    status = models.CharField("état", max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.OPEN)
    opened_on = models.DateField("ouvert le")
    applied_on = models.DateField("appliqué le", null=True, blank=True)
    version = models.OneToOneField(
        "ContractVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendment",
        verbose_name="texte proposé",
        help_text="La copie de travail que l'avenant modifie ; elle devient la version en vigueur à la dernière "
        "signature (règle R7).",
    )

    class Meta:
        verbose_name = "avenant"
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="amendment_number_unique",
                violation_error_message="Ce numéro d'avenant existe déjà.",
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status="ouvert"),
                name="one_open_amendment_per_contract",
                violation_error_message="Un avenant est déjà en cours pour ce contrat.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="prolongation") | Q(new_end__isnull=False),
                name="extension_states_new_end",
                violation_error_message="Une prolongation précise la nouvelle date de fin.",
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number}"


class AmendmentSignature(Evidence):
    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="signatures", verbose_name="avenant"
    )
    party = models.ForeignKey(ContractParty, on_delete=models.CASCADE, verbose_name="partie")
    signed_on = models.DateField("signé le")
    signatory_title = models.CharField("qualité du signataire", max_length=200)

    class Meta:
        verbose_name = "signature d'avenant"
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "party"],
                name="amendment_signed_once_per_party",
                violation_error_message="Cette partie a déjà signé l'avenant.",
            ),
        ]


class Termination(models.Model):
    """Dénonciation (R8)."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="termination", verbose_name="contrat"
    )
    party = models.ForeignKey(ContractParty, on_delete=models.PROTECT, verbose_name="partie qui dénonce")
    notified_on = models.DateField("notifiée le")
    effective_on = models.DateField("prend effet le")
    reason = models.TextField("motif")
    registered_letter_reference = models.CharField("référence du courrier recommandé avec AR", max_length=100)

    class Meta:
        verbose_name = "dénonciation"
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("notified_on")),
                name="termination_effective_after_notice",
                violation_error_message="La dénonciation ne peut prendre effet avant sa notification.",
            ),
        ]


class ContractVersionQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(status=VersionStatus.SIGNED)

    def in_force_on(self, day: dt.date):
        """Signed versions in force on `day` (one per contract): effective on or before it, not yet superseded."""
        return (
            self.signed().filter(effective_on__lte=day).filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=day))
        )

    def for_year(self, year: int):
        """The version that a contract's report and figures of `year` follow (DESIGN §7): the one in force on
        31/12/Y, or the last one in force during Y when the contract ended earlier (a termination creates no
        version, so that is the same rule)."""
        return self.in_force_on(dt.date(year, 12, 31))


class ContractVersion(models.Model):
    """The content of a contract at one state: the draft being negotiated, an amendment's working copy, or a
    signed version. Axes, actions, indicators, targets, commitments and conventions belong to a version; a signed
    version never changes again. Its snapshot (plain data) and the SHA-256 of that snapshot identify the exact text
    the parties signed."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions", verbose_name="contrat")
    number = models.PositiveSmallIntegerField("version")
    label = models.CharField("événement", max_length=200)
    status = models.CharField("état", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    created_on = models.DateField("date")
    effective_on = models.DateField("en vigueur à compter du", null=True, blank=True)
    superseded_on = models.DateField("remplacée le", null=True, blank=True)
    context = models.TextField("contexte", blank=True)
    general_objectives = models.TextField("objectifs généraux", blank=True)
    pdp_cell_composition = models.TextField(
        "composition minimale de la cellule PDP",
        blank=True,
        help_text="Règle R6 : le contrat précise la composition minimale de la cellule PDP du service.",
    )
    snapshot = models.JSONField("contenu", default=dict, blank=True)
    content_sha256 = models.CharField("empreinte du texte (SHA-256)", max_length=64, blank=True)

    objects = ContractVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "version du contrat"
        verbose_name_plural = "versions du contrat"
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="contract_version_number_unique",
                violation_error_message="Cette version existe déjà.",
            ),
            models.CheckConstraint(
                condition=~Q(status="signee") | Q(effective_on__isnull=False),
                name="signed_version_has_effective_date",
                violation_error_message="Une version signée a une date d'entrée en vigueur.",
            ),
            models.CheckConstraint(
                condition=Q(superseded_on__isnull=True) | Q(superseded_on__gte=F("effective_on")),
                name="version_superseded_after_effect",
                violation_error_message="Une version ne peut être remplacée avant d'être entrée en vigueur.",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} — {self.label}"

    @property
    def is_signed(self) -> bool:
        return self.status == VersionStatus.SIGNED


class ContractComment(models.Model):
    """A remark on a draft, by a party (a service comments its own drafts)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="comments", verbose_name="contrat")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, verbose_name="auteur")
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    text = models.TextField("commentaire")

    class Meta:
        verbose_name = "commentaire"
        ordering = ["contract", "created_at"]
