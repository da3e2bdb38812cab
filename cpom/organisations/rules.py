"""Registry rules shared by the forms, the CSV importer and (later) the API: one wording per refusal."""

import datetime as dt

from cpom.core.dates import add_years

from .enums import CERTIFICATION_YEARS, RENEWABLE_LEVELS, CertificationLevel
from .models import Approval, Certification


def approval_last_day(start: dt.date) -> dt.date:
    """An approval lasts at most 5 years: the last allowed day is the eve of the 5th anniversary."""
    return add_years(start, Approval.MAX_YEARS) - dt.timedelta(days=1)


def approval_period_error(start: dt.date, end: dt.date, *, shortened: bool = False) -> str | None:
    if end <= start:
        return f"L'agrément ne peut pas prendre fin ({end:%d/%m/%Y}) avant ou le jour de son début ({start:%d/%m/%Y})."
    last_day = approval_last_day(start)
    if end > last_day:
        return (
            f"Un agrément dure au plus 5 ans : commencé le {start:%d/%m/%Y}, il doit prendre fin "
            f"au plus tard le {last_day:%d/%m/%Y}."
        )
    if shortened:
        last_day = add_years(start, Approval.SHORTENED_YEARS) - dt.timedelta(days=1)
        if end > last_day:
            return (
                f"Un agrément de deux ans (décret 2022-1435) commencé le {start:%d/%m/%Y} doit prendre fin "
                f"au plus tard le {last_day:%d/%m/%Y}."
            )
    return None


def certification_expiry(level: str, certified_on: dt.date) -> dt.date:
    """A certification is valid 2, 3 or 5 years according to its level: it expires on the eve of that anniversary."""
    return add_years(certified_on, CERTIFICATION_YEARS[CertificationLevel(level)]) - dt.timedelta(days=1)


def certification_renewal_error(level: str, previous: Certification | None) -> str | None:
    """Only the 5-year level is renewed at the same level; a service certified at level 1 or 2 must move up."""
    if previous is None or previous.level != level or level in RENEWABLE_LEVELS:
        return None
    return (
        f"Une certification « {CertificationLevel(level).label} » n'est pas renouvelable : le service, certifié à "
        f"ce niveau le {previous.certified_on:%d/%m/%Y}, doit obtenir un niveau supérieur."
    )
