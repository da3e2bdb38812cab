"""Opening a year's collection: national by default, a region may set its own dates (a later deadline, say)."""

import datetime as dt

from django.db import transaction

from cpom.accounts.enums import Role
from cpom.accounts.permissions import Perm
from cpom.core.errors import DomainError

from .expected import ensure_reports
from .models import ReportingCampaign


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
