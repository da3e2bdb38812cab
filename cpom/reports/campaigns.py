"""Opening a year's collection: national by default, a region may set its own dates (a later deadline, say)."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cpom.accounts.enums import Role
from cpom.core.errors import DomainError
from cpom.core.permissions import Perm

from .expected import ensure_reports
from .models import Report, ReportingCampaign


@transaction.atomic
def open_reporting_campaign(
    *,
    by,
    year: int,
    region=None,
    opens_on: dt.date | None = None,
    deadline: dt.date | None = None,
    joint_validation: bool = False,
) -> ReportingCampaign:
    """`joint_validation` (regional campaigns): the DREETS and the caisse must both accept each report."""
    if region is None and by.role != Role.ADMIN:
        raise DomainError("Seul un administrateur ouvre la campagne nationale.")
    if region is not None:
        if not by.can(Perm.REPORT_REVIEW) or (not by.scope.is_nation and by.scope.region_code != region.code):
            raise DomainError("Seuls les agents de la région fixent son calendrier de suivi.")
    default_open, default_deadline = ReportingCampaign.default_dates(year)
    opens_on, deadline = opens_on or default_open, deadline or default_deadline
    if opens_on <= dt.date(year, 12, 31) - dt.timedelta(days=60):
        raise DomainError(f"La campagne {year} ne peut ouvrir avant la fin de l'année suivie.", field="opens_on")
    if deadline <= opens_on:
        raise DomainError("La date limite doit suivre l'ouverture de la campagne.", field="deadline")
    if ReportingCampaign.objects.filter(year=year, region=region).exists():
        raise DomainError("Cette campagne existe déjà.", field="year")
    if joint_validation and region is None:
        raise DomainError("La validation conjointe se choisit par région.", field="joint_validation")
    campaign = ReportingCampaign.objects.create(
        year=year, region=region, opens_on=opens_on, deadline=deadline, joint_validation=joint_validation
    )
    ensure_reports(year, region_id=region.code if region else None)
    return campaign


FIRST_COLLECTION_YEAR = 2000


@dataclass(frozen=True)
class CollectionOpened:
    year: int
    campaign_created: bool  # the national campaign of the year did not exist yet
    reports_created: int  # owed reports created now (0 when the collection was already open and complete)
    reports_owed: int  # reports of the year after the call


@transaction.atomic
def open_collection(*, by, year: int) -> CollectionOpened:
    """Open the national collection of `year`: its campaign (default dates) if missing, and every owed report not
    yet created (`ensure_reports`, as the collection page does). Idempotent: a second call creates nothing and
    says so. `by` None is the command line; otherwise the national cell (or an administrator)."""
    if by is not None and by.role not in (Role.ADMIN, Role.NATIONAL):
        raise DomainError("Seule la cellule nationale ouvre la collecte d'une année.")
    last = timezone.localdate().year
    if not FIRST_COLLECTION_YEAR <= year <= last:
        raise DomainError(
            f"On ouvre la collecte d'une année écoulée ou en cours, de {FIRST_COLLECTION_YEAR} à {last} "
            f"({year} demandée).",
            field="year",
        )
    created = False
    if not ReportingCampaign.objects.filter(year=year, region=None).exists():
        opens_on, deadline = ReportingCampaign.default_dates(year)
        ReportingCampaign.objects.create(year=year, region=None, opens_on=opens_on, deadline=deadline)
        created = True
    new = ensure_reports(year)
    return CollectionOpened(year, created, new, Report.objects.filter(year=year).count())
