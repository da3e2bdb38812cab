"""The annual follow-up's lines of the to-do, in the user's scope (core/todo.py)."""

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse

from cpom.core.permissions import Perm
from cpom.core.scope import ScopeKind
from cpom.core.todo import MAX_LINES, TodoLine, TodoSection

from .enums import EventKind, ReportStatus
from .layout import report_layout
from .models import ReportEvent
from .selectors import deadlines, overdue_filter
from .services import reports_visible_to

OPEN = [ReportStatus.DRAFT, ReportStatus.RETURNED]


def _list_url(year: int, state: str) -> str:
    return reverse("reports:report_list") + f"?annee={year}&etat={state.replace(' ', '+')}"


def _service_sections(user, today: dt.date, *, with_lines: bool) -> list[TodoSection]:
    """A service's own reports to fill or to correct (a service sees only its own: no other name, no figure)."""
    last_comment = ReportEvent.objects.filter(
        report_id=OuterRef("pk"), kind__in=[EventKind.RETURNED, EventKind.REOPENED]
    ).order_by("-at", "-pk")
    reports = (
        reports_visible_to(user)
        .filter(status__in=OPEN, year__gte=today.year - 2)
        .select_related("contract")
        .annotate(
            filled=Count("values", filter=~Q(values__integer=None, values__date=None, values__text="")),
            return_comment=Subquery(last_comment.values("comment")[:1]),
        )
        .order_by("year", "pk")
    )
    if not with_lines:
        counts = reports.order_by().values("status").annotate(n=Count("pk", distinct=True))
        by_status = {row["status"]: row["n"] for row in counts}
        return [
            TodoSection(
                "reports_to_fill", "reports", "Rapports annuels à saisir", by_status.get(ReportStatus.DRAFT, 0)
            ),
            TodoSection(
                "reports_returned",
                "reports",
                "Rapports renvoyés pour correction",
                by_status.get(ReportStatus.RETURNED, 0),
            ),
        ]
    reports = list(reports)
    deadline_of = {year: deadlines(year) for year in {r.year for r in reports}}
    cells_of: dict[tuple[int, int], int] = {}
    to_fill, returned = [], []
    for report in reports:
        key = (report.contract_id, report.year)  # one layout per contract and year (its version then)
        if key not in cells_of:
            cells_of[key] = len(report_layout(report).cells())
        empty = max(cells_of[key] - report.filled, 0)
        deadline = deadline_of[report.year](report.contract.region_id)
        url = reverse("reports:report_detail", args=[report.pk])
        if report.status == ReportStatus.RETURNED:
            returned.append(
                TodoLine(
                    f"Rapport {report.year} à corriger et transmettre à nouveau",
                    url,
                    deadline,
                    f"Commentaire du relecteur : {report.return_comment}" if report.return_comment else "",
                )
            )
        else:
            to_fill.append(
                TodoLine(
                    f"Rapport {report.year} à saisir et transmettre",
                    url,
                    deadline,
                    f"{empty} case(s) encore vide(s) sur {cells_of[key]}",
                )
            )
    return [
        TodoSection("reports_to_fill", "reports", "Rapports annuels à saisir", len(to_fill), to_fill),
        TodoSection("reports_returned", "reports", "Rapports renvoyés pour correction", len(returned), returned),
    ]


def _agent_sections(user, today: dt.date, *, with_lines: bool) -> list[TodoSection]:
    """Reports submitted awaiting review (reviewers), late reports to chase (agents and regional pilots)."""
    year = today.year - 1  # the campaign of the current calendar year follows the previous year
    visible = reports_visible_to(user)
    sections = []
    if user.can(Perm.REPORT_REVIEW):
        submitted = visible.filter(status=ReportStatus.SUBMITTED)
        count = submitted.count()
        lines = []
        if with_lines and count:
            for report in submitted.select_related("spsti").order_by("submitted_at", "pk")[:MAX_LINES]:
                lines.append(
                    TodoLine(
                        f"Rapport {report.year} — {report.spsti.name}",
                        reverse("reports:report_detail", args=[report.pk]),
                        detail=f"transmis le {report.submitted_at:%d/%m/%Y}" if report.submitted_at else "",
                    )
                )
        sections.append(
            TodoSection(
                "reports_to_review",
                "reports",
                "Rapports transmis à examiner",
                count,
                lines,
                reverse("reports:report_list") + f"?annee={year}&etat=transmis" if count > len(lines) else "",
            )
        )
    late = visible.filter(year=year, status__in=OPEN).filter(overdue_filter(year, today))
    count = late.count()
    lines = []
    if with_lines and count:
        deadline_of = deadlines(year)
        for report in late.select_related("spsti", "contract").order_by("spsti__name", "pk")[:MAX_LINES]:
            lines.append(
                TodoLine(
                    f"Rapport {report.year} — {report.spsti.name}",
                    reverse("reports:report_detail", args=[report.pk]),
                    deadline_of(report.contract.region_id),
                    "non transmis, date limite passée",
                )
            )
    sections.append(
        TodoSection(
            "reports_late",
            "reports",
            "Rapports en retard à relancer",
            count,
            lines,
            _list_url(year, "en retard") if count > len(lines) else "",
        )
    )
    return sections


def todo_sections(user, today: dt.date, *, with_lines: bool = True) -> list[TodoSection]:
    """`with_lines=False`: the counts only (the navigation's counters)."""
    if not user.can(Perm.REPORT_VIEW):
        return []
    if user.scope.kind == ScopeKind.SPSTI:
        return _service_sections(user, today, with_lines=with_lines) if user.can(Perm.REPORT_FILL) else []
    if user.can(Perm.REPORT_REVIEW) or user.scope.kind == ScopeKind.REGION:
        return _agent_sections(user, today, with_lines=with_lines)
    return []
