"""Compliance watch for agents: what needs attention in the scope, today."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from cpom.contracts.enums import ContractStatus, PartyRole
from cpom.contracts.models import Contract, ContractParty
from cpom.core.dates import add_months
from cpom.core.scope import ScopeKind
from cpom.organisations.models import Approval, Spsti
from cpom.reports.enums import ReportStatus
from cpom.reports.selectors import overdue_filter
from cpom.reports.services import reports_visible_to


@dataclass
class Watch:
    services_without_contract: list
    contracts_ending_soon: list
    approvals_ending_before_contract: list
    consultations_missing: list
    late_reports: list


def watch(user, today: dt.date) -> Watch:
    in_force = Contract.objects.filter(status=ContractStatus.IN_FORCE, start__lte=today, end__gte=today)
    approved_today = Approval.objects.filter(spsti_id=OuterRef("pk"), start__lte=today, end__gte=today)
    under_contract = ContractParty.objects.filter(
        organisation_id=OuterRef("pk"), role=PartyRole.SPSTI, contract__in=in_force
    )
    services = (
        Spsti.objects.visible_to(user)
        .active()
        .filter(Exists(approved_today))
        .exclude(Exists(under_contract))
        .select_related("region")
        .order_by("region__name", "name")
    )
    visible = Contract.objects.visible_to(user)
    if user.scope.kind == ScopeKind.DEPARTMENTS:
        # A caisse names only the services headquartered in its departments (DESIGN §2), even among the contracts
        # it is party to (Contract.visible_to keeps those for the negotiation pages).
        named = ContractParty.objects.filter(
            contract_id=OuterRef("pk"),
            role=PartyRole.SPSTI,
            organisation_id__in=Spsti.objects.visible_to(user).values("pk"),
        )
        visible = visible.filter(Exists(named))
    ending = (
        visible.filter(pk__in=in_force.values("pk"), end__lte=add_months(today, 6))
        .select_related("region")
        .order_by("end")
    )
    # An approval that ends before the contract it supports (R3): the approval was shortened or withdrawn.
    short_approval = Approval.objects.filter(spsti_id=OuterRef("organisation_id"), start__lte=today, end__gte=today)
    stranded = (
        ContractParty.objects.filter(role=PartyRole.SPSTI, contract__in=visible.filter(pk__in=in_force.values("pk")))
        .exclude(Exists(short_approval.filter(end__gte=OuterRef("contract__end"))))
        .select_related("organisation", "contract")
        .order_by("contract__end")
    )
    missing = (
        visible.filter(status=ContractStatus.CONSULTATION)
        .annotate(opinions=Count("consultations"))
        .filter(opinions__lt=2)
        .select_related("region")
        .order_by("negotiation_started_on")
    )
    # Late by the one definition (reports/lateness.py) and still to chase: not submitted, deadline passed. A
    # report submitted late needs no follow-up; the report list badges it « transmis en retard ».
    late = list(
        reports_visible_to(user)
        .filter(year=today.year - 1)
        .filter(Q(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]))
        .filter(overdue_filter(today.year - 1, today))
        .select_related("spsti", "contract")
        .order_by("spsti__name")
    )
    return Watch(
        services_without_contract=list(services),
        contracts_ending_soon=list(ending),
        approvals_ending_before_contract=list(stranded),
        consultations_missing=list(missing),
        late_reports=late,
    )
