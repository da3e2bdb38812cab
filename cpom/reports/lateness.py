"""The one definition of a late report (DESIGN §5), used by the report list's badges, the watch page, the
dashboards' timeliness, the reminders and the to-do.

A report is *late* when it was first submitted after its deadline, or is not submitted yet and its deadline has
passed. The first submission counts, not the last one: a report returned for correction and submitted again
after the deadline was on time if its first submission was. Dates are compared in the platform's time zone
(Europe/Paris), in Python and in SQL alike (`__date` lookups convert to the current time zone).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

# What the badge says: a late report not submitted yet still needs chasing; one submitted late no longer does.
OVERDUE = "en retard"
SUBMITTED_LATE = "transmis en retard"


def submitted_on(first_submitted_at: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(first_submitted_at) if first_submitted_at else None


def lateness(first_submitted_at: dt.datetime | None, deadline: dt.date, today: dt.date) -> str | None:
    """OVERDUE, SUBMITTED_LATE or None (on time, or not due yet)."""
    day = submitted_on(first_submitted_at)
    if day is None:
        return OVERDUE if today > deadline else None
    return SUBMITTED_LATE if day > deadline else None


def is_late(first_submitted_at: dt.datetime | None, deadline: dt.date, today: dt.date) -> bool:
    return lateness(first_submitted_at, deadline, today) is not None


def _by_deadline(deadline_of, region_ids) -> dict[dt.date, list[str]]:
    grouped: dict[dt.date, list[str]] = {}
    for region_id in region_ids:
        grouped.setdefault(deadline_of(region_id), []).append(region_id)
    return grouped


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the platform's time zone (Europe/Paris): comparing timestamps with it, rather
    than with a `__date` lookup, spares converting every row (a Python function per row on SQLite)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def on_time_q(deadline_of, region_ids) -> Q:
    """Reports first submitted on or before their region's deadline (`deadline_of(region_id)`): one condition per
    distinct deadline (most regions share the default one)."""
    q = Q(pk__in=[])
    for deadline, codes in _by_deadline(deadline_of, region_ids).items():
        q |= Q(contract__region_id__in=codes, first_submitted_at__lt=_end_of(deadline))
    return q


def overdue_q(deadline_of, region_ids, today: dt.date) -> Q:
    """Reports not submitted whose region's deadline has passed."""
    passed = [region_id for region_id in region_ids if today > deadline_of(region_id)]
    return Q(first_submitted_at__isnull=True, contract__region_id__in=passed)


def late_q(deadline_of, region_ids, today: dt.date) -> Q:
    """Late reports (either kind), as a queryset filter: one query whatever the number of regions."""
    submitted_late = Q(pk__in=[])
    for deadline, codes in _by_deadline(deadline_of, region_ids).items():
        submitted_late |= Q(contract__region_id__in=codes, first_submitted_at__gte=_end_of(deadline))
    return submitted_late | overdue_q(deadline_of, region_ids, today)
