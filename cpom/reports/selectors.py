"""Reads of the annual follow-up, through the user's scope."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from cpom.territory.models import Region

from .enums import ReportStatus
from .lateness import late_q, lateness, on_time_q, overdue_q
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


def region_ids() -> list[str]:
    return list(Region.objects.values_list("code", flat=True))


def late_filter(year: int, today: dt.date) -> Q:
    """Late reports of `year` (lateness.py), as a filter: two small queries (campaigns, regions)."""
    return late_q(deadlines(year), region_ids(), today)


def overdue_filter(year: int, today: dt.date) -> Q:
    """Reports of `year` not submitted whose deadline has passed."""
    return overdue_q(deadlines(year), region_ids(), today)


def on_time_filter(year: int) -> Q:
    return on_time_q(deadlines(year), region_ids())


@dataclass(frozen=True)
class ReportRow:
    report: Report
    state: str  # non commencé, brouillon, transmis, à corriger, validé
    lateness: str | None  # lateness.OVERDUE, lateness.SUBMITTED_LATE or None
    deadline: dt.date

    @property
    def late(self) -> bool:
        return self.lateness is not None


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
        late = lateness(report.first_submitted_at, deadline, today)
        if state and label != state and not (state == "en retard" and late):
            continue
        rows.append(ReportRow(report=report, state=label, lateness=late, deadline=deadline))
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


def messages_about(report: Report, viewer):
    """The e-mails recorded about the report (who, what, when). A service sees those sent to its own people
    only; agents see them all."""
    from cpom.core.scope import ScopeKind
    from cpom.notifications.services import history

    messages = history("report", report.pk)
    if viewer.scope.kind == ScopeKind.SPSTI:
        messages = messages.filter(user__organisation_id=viewer.organisation_id)
    return messages


@dataclass(frozen=True)
class ReturnReview:
    """What the reviewer asked when returning the report: a general comment and comments on cells."""

    comment: str
    at: dt.datetime
    cells: dict[str, str]


def return_review(report: Report) -> ReturnReview | None:
    """The last return's comments, while the report is still to correct."""
    from .enums import EventKind

    if report.status != ReportStatus.RETURNED:
        return None
    event = (
        report.events.filter(kind__in=[EventKind.RETURNED, EventKind.REOPENED])
        .prefetch_related("cell_comments")
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None
    return ReturnReview(event.comment, event.at, {c.key: c.comment for c in event.cell_comments.all()})


@dataclass(frozen=True)
class Acceptance:
    organisation: str
    at: dt.datetime | None  # None: not yet


def approval_state(report: Report) -> list[Acceptance] | None:
    """Under joint validation, each reviewing party and when it accepted the current submission; None when one
    reviewer suffices (the default)."""
    from .services import joint_validation, reviewing_parties

    if not joint_validation(report):
        return None
    accepted = (
        {a.organisation_id: a.at for a in report.approvals.filter(submitted_at=report.submitted_at)}
        if report.submitted_at
        else {}
    )
    return [Acceptance(o.name, accepted.get(o.pk)) for o in reviewing_parties(report)]
