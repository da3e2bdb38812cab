"""Which reports are owed for a year (DESIGN §7).

A contract is *in force during Y* if it took effect (signature) on or before 31/12/Y and its end (expiry, or the
effective date of a termination) is not before 01/01/Y. Each contract in force during Y owes one report for Y per
service party to it — a contract signed in October still reports for that year.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from cpom.contracts.enums import SIGNED_STATUSES, PartyRole
from cpom.contracts.models import Contract, ContractParty

from .models import Report


def in_force_during(year: int, prefix: str = "") -> Q:
    """A contract signed (in force, expired or terminated since) whose term overlaps year Y; `prefix` reaches the
    contract from another model ("contract__"). Joining on these conditions, rather than `contract__in=<subquery>`,
    lets the database use the party's own index inside correlated subqueries."""
    return Q(
        **{
            f"{prefix}status__in": SIGNED_STATUSES,
            f"{prefix}start__lte": dt.date(year, 12, 31),
            f"{prefix}end__gte": dt.date(year, 1, 1),
        }
    )


def contracts_in_force_during(year: int):
    return Contract.objects.filter(in_force_during(year))


def owed(year: int, *, region_id: str | None = None) -> list[tuple[int, int]]:
    """(contract id, service id) pairs owing a report for `year`."""
    contracts = contracts_in_force_during(year)
    if region_id:
        contracts = contracts.filter(region_id=region_id)
    return list(
        ContractParty.objects.filter(contract__in=contracts, role=PartyRole.SPSTI)
        .order_by("contract_id", "organisation_id")
        .values_list("contract_id", "organisation_id")
    )


@transaction.atomic
def ensure_reports(year: int, *, region_id: str | None = None) -> int:
    """Create the missing draft reports of `year`; idempotent. Returns how many were created."""
    pairs = owed(year, region_id=region_id)
    existing = set(Report.objects.filter(year=year).values_list("contract_id", "spsti_id"))
    new = [Report(contract_id=c, spsti_id=s, year=year) for c, s in pairs if (c, s) not in existing]
    Report.objects.bulk_create(new)
    return len(new)
