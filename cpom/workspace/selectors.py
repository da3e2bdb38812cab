"""The to-do: the lines each app computes for the user (reports, contracts), and the national cell's view of the
regions. Sits above the domain apps (it gathers several), below the pages and the API."""

import datetime as dt

from django.urls import reverse

from cpom.contracts import todo as contract_todo
from cpom.core.permissions import Perm
from cpom.core.todo import TodoLine, TodoSection
from cpom.reports import todo as report_todo
from cpom.reports.selectors import deadlines
from cpom.steering.consolidation import NATIONAL, completeness_by_region
from cpom.territory.models import Region


def _national_sections(user, today: dt.date, *, with_lines: bool) -> list[TodoSection]:
    """The national cell: each region's completeness, and the regions whose deadline passed with reports owed."""
    if not (user.scope.is_nation and user.can(Perm.DASHBOARD_VIEW) and user.can(Perm.REPORT_VIEW)):
        return []
    year = today.year - 1
    deadline_of = deadlines(year)
    by_region = completeness_by_region(year, deadline_of)
    names = dict(Region.objects.values_list("code", "name"))
    late = sorted(
        (code, counts)
        for code, counts in by_region.items()
        if code != NATIONAL and today > deadline_of(code) and counts.submitted_or_validated < counts.owed
    )
    lines = []
    if with_lines:
        for code, counts in late:
            lines.append(
                TodoLine(
                    names.get(code, code),
                    reverse("steering:regional", args=[code]),
                    deadline_of(code),
                    f"{counts.submitted_or_validated} rapport(s) transmis sur {counts.owed}",
                )
            )
    return [TodoSection("late_regions", "steering", f"Régions en retard pour le suivi {year}", len(late), lines)]


def todo(user, today: dt.date, *, with_lines: bool = True) -> list[TodoSection]:
    """Every section of the user's to-do, empty ones included (the page says « rien à faire »)."""
    return (
        report_todo.todo_sections(user, today, with_lines=with_lines)
        + contract_todo.todo_sections(user, today, with_lines=with_lines)
        + _national_sections(user, today, with_lines=with_lines)
    )


def national_completeness(user, today: dt.date) -> list[tuple[str, str, object]]:
    """(code, region name, Completeness) of every region, for the national cell's home page."""
    if not (user.scope.is_nation and user.can(Perm.DASHBOARD_VIEW) and user.can(Perm.REPORT_VIEW)):
        return []
    year = today.year - 1
    by_region = completeness_by_region(year, deadlines(year))
    names = dict(Region.objects.values_list("code", "name"))
    return sorted(
        ((code, names.get(code, code), counts) for code, counts in by_region.items() if code != NATIONAL),
        key=lambda row: row[1],
    )


def counts_of(sections: list[TodoSection]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for section in sections:
        counts[section.nav] = counts.get(section.nav, 0) + section.count
    return counts


def nav_counts(user, today: dt.date) -> dict[str, int]:
    """The navigation's counters: how many things to do behind each entry ("reports", "contracts", "steering")."""
    return counts_of(todo(user, today, with_lines=False))
