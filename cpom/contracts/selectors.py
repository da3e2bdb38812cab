"""Reads of contracts and campaigns, always through the user's scope."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone

from cpom.core.dates import add_months

from .enums import AmendmentStatus, ContractStatus, PartyRole, VersionStatus
from .models import (
    Action,
    Amendment,
    Axis,
    BilateralConvention,
    Commitment,
    Consultation,
    Contract,
    ContractIndicator,
    ContractParty,
    ContractVersion,
)

EXPIRING_MONTHS = 6


@dataclass(frozen=True)
class ContractFilters:
    region: str = ""
    generation: int | None = None
    status: str = ""
    theme: str = ""
    expiring: bool = False
    q: str = ""


def with_current_status(queryset, today: dt.date):
    """Annotate `current_status`: an in-force contract past its end reads as expired."""
    return queryset.annotate(
        current_status=Case(
            When(status=ContractStatus.IN_FORCE, end__lt=today, then=Value(ContractStatus.EXPIRED.value)),
            default="status",
            output_field=CharField(),
        )
    )


def contract_list(user, filters: ContractFilters, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    contracts = with_current_status(Contract.objects.visible_to(user), today).select_related("region")
    contracts = contracts.prefetch_related(
        Prefetch(
            "parties",
            queryset=ContractParty.objects.filter(role=PartyRole.SPSTI).select_related("organisation"),
            to_attr="service_parties",
        )
    )
    if filters.region:
        contracts = contracts.filter(region_id=filters.region)
    if filters.generation:
        contracts = contracts.filter(generation=filters.generation)
    if filters.status:
        contracts = contracts.filter(current_status=filters.status)
    if filters.theme:
        contracts = contracts.filter(
            Exists(Action.objects.filter(axis__version_id=OuterRef("current_version_id"), theme_id=filters.theme))
        )
    if filters.expiring:
        contracts = contracts.filter(
            current_status=ContractStatus.IN_FORCE, end__gte=today, end__lte=add_months(today, EXPIRING_MONTHS)
        )
    if filters.q:
        text = filters.q.strip()
        parties = ContractParty.objects.filter(contract_id=OuterRef("pk")).filter(
            Q(organisation__name__icontains=text) | Q(organisation__spsti__siret__startswith=text)
        )
        contracts = contracts.filter(Q(reference__icontains=text) | Q(title__icontains=text) | Exists(parties))
    return contracts.order_by("region__name", "-generation", "title", "pk")


def _parties_in_order(queryset):
    """Services first, then the State office, then the caisses — the order of the contract's first page."""
    rank = Case(When(role=PartyRole.SPSTI, then=0), When(role=PartyRole.STATE, then=1), default=2)
    return queryset.annotate(rank=rank).order_by("rank", "organisation__name")


def content_prefetches(prefix: str = "") -> list:
    """Everything the pages show of a version's text, in a constant number of queries."""
    return [
        Prefetch(
            f"{prefix}axes",
            queryset=Axis.objects.order_by("number").prefetch_related(
                Prefetch(
                    "actions",
                    queryset=Action.objects.select_related("theme")
                    .prefetch_related("prst_actions", "pps_priorities", "cog_programmes")
                    .order_by("number"),
                )
            ),
        ),
        Prefetch(
            f"{prefix}indicators",
            queryset=ContractIndicator.objects.select_related("indicator", "theme", "action").prefetch_related(
                "targets"
            ),
        ),
        Prefetch(f"{prefix}commitments", queryset=Commitment.objects.order_by("party_role", "position", "pk")),
        Prefetch(f"{prefix}conventions", queryset=BilateralConvention.objects.select_related("caisse")),
    ]


def contract_detail(user, pk: int, *, today: dt.date | None = None) -> Contract:
    """The contract with all its tabs, or Contract.DoesNotExist when outside the user's scope. Its text is the
    version it shows (the draft in negotiation, else the version in force); an open amendment's working copy is
    read by `amendment_text`."""
    today = today or timezone.localdate()
    return (
        with_current_status(Contract.objects.visible_to(user), today)
        .select_related("region", "campaign", "termination__party__organisation", "current_version")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=_parties_in_order(
                    ContractParty.objects.select_related("organisation__spsti", "signature__recorded_by")
                ),
            ),
            *content_prefetches("current_version__"),
            Prefetch("consultations", queryset=Consultation.objects.select_related("recorded_by").order_by("body")),
            Prefetch(
                "amendments",
                queryset=Amendment.objects.select_related("version")
                .prefetch_related("signatures__party__organisation", "signatures__recorded_by")
                .order_by("number"),
            ),
            Prefetch(
                "versions",
                queryset=ContractVersion.objects.exclude(status=VersionStatus.DRAFT)
                .defer("snapshot")
                .order_by("number"),
                to_attr="signed_versions",
            ),
            "comments__author",
        )
        .get(pk=pk)
    )


def amendment_text(contract: Contract) -> ContractVersion | None:
    """The working copy of the contract's open amendment, with its text prefetched, or None."""
    amendment = next((a for a in contract.amendments.all() if a.status == AmendmentStatus.OPEN), None)
    if amendment is None or amendment.version_id is None:
        return None
    return (
        ContractVersion.objects.select_related("contract", "amendment")
        .prefetch_related(*content_prefetches())
        .get(pk=amendment.version_id)
    )
