"""Registry rules shared by the forms, the CSV importer and (later) the API: one wording per refusal."""

import datetime as dt

from cpom.core.dates import add_years

from .models import Approval


def approval_last_day(start: dt.date) -> dt.date:
    """An approval lasts at most 5 years: the last allowed day is the eve of the 5th anniversary."""
    return add_years(start, Approval.MAX_YEARS) - dt.timedelta(days=1)


def approval_period_error(start: dt.date, end: dt.date) -> str | None:
    if end <= start:
        return f"L'agrément ne peut pas prendre fin ({end:%d/%m/%Y}) avant ou le jour de son début ({start:%d/%m/%Y})."
    last_day = approval_last_day(start)
    if end > last_day:
        return (
            f"Un agrément dure au plus 5 ans : commencé le {start:%d/%m/%Y}, il doit prendre fin "
            f"au plus tard le {last_day:%d/%m/%Y}."
        )
    return None
