"""Reads of the annual follow-up, through the user's scope."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .enums import ReportStatus
from .models import Report, ReportingCampaign, Value
from .services import reports_visible_to


def deadlines(year: int):
    """`deadline(region_id)`: the regional campaign's deadline, else the national one, else 30 June of Y+1."""
    campaigns = {c.region_id: c for c in ReportingCampaign.objects.filter(year=year)}

    def deadline(region_id: str | None) -> dt.date:
        campaign = campaigns.get(region_id) or campaigns.get(None)
        return campaign.deadline if campaign else ReportingCampaign.default_dates(year)[1]

    return deadline


def deadline_for(year: int, region_id: str | None) -> dt.date:
    return deadlines(year)(region_id)


@dataclass(frozen=True)
class ReportRow:
    report: Report
    state: str  # non commencé, brouillon, transmis, à corriger, validé
    late: bool
    deadline: dt.date


STATE_NOT_STARTED = "non commencé"


def report_rows(user, year: int, *, today: dt.date | None = None, region: str = "", state: str = "") -> list[ReportRow]:
    today = today or timezone.localdate()
    reports = (
        reports_visible_to(user)
        .filter(year=year)
        .select_related("spsti", "contract__region")
        .annotate(filled=Count("values", filter=~Q(values__integer=None, values__date=None, values__text="")))
        .order_by("contract__region__name", "spsti__name", "pk")
    )
    if region:
        reports = reports.filter(contract__region_id=region)
    deadline_of = deadlines(year)
    rows = []
    for report in reports:
        deadline = deadline_of(report.contract.region_id)
        label = report.get_status_display().lower()
        if report.status == ReportStatus.DRAFT and not report.filled:
            label = STATE_NOT_STARTED
        submitted_in_time = report.first_submitted_at and report.first_submitted_at.date() <= deadline
        late = today > deadline and not submitted_in_time
        if state and label != state and not (state == "en retard" and late):
            continue
        rows.append(ReportRow(report=report, state=label, late=late, deadline=deadline))
    return rows


REPORT_SORTS = {
    "region": ("Région", lambda row: (row.report.contract.region.name, row.report.spsti.name)),
    "service": ("Service", lambda row: (row.report.spsti.name.casefold(), row.report.contract.reference)),
    "etat": ("État", lambda row: (not row.late, row.state, row.report.spsti.name.casefold())),
    "echeance": ("Date limite", lambda row: (row.deadline, row.report.spsti.name.casefold())),
}


def sort_rows(rows: list[ReportRow], sort: str) -> list[ReportRow]:
    """The list ordered by a column (`REPORT_SORTS`; by region then service by default); late reports first
    when sorted by state."""
    return sorted(rows, key=REPORT_SORTS.get(sort, REPORT_SORTS["region"])[1])


def previous_values(report: Report) -> dict[str, str]:
    """Last year's values of the same service, keyed like the form's cells."""
    from .services import stored_text

    values = Value.objects.filter(report__spsti_id=report.spsti_id, report__year=report.year - 1)
    return {f"{v.indicator_id}|{v.theme_id or ''}": stored_text(v) for v in values}
