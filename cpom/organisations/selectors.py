"""Reads of the registry, always through the user's scope."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from cpom.core.scope import ScopeKind
from cpom.territory.models import Department, Region

from .enums import ApprovalStatus
from .models import Approval, ServiceProject, Spsti


@dataclass(frozen=True)
class RegistryFilters:
    region: str = ""
    department: str = ""
    status: str = ""
    q: str = ""


def registry_list(user, filters: RegistryFilters, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    services = (
        Spsti.objects.visible_to(user)
        .active()
        .select_related("headquarters_department", "region")
        .prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("code")))
        .with_current_approval(on=today)
    )
    if filters.region:
        services = services.filter(region_id=filters.region)
    if filters.department:
        services = services.filter(departments__code=filters.department).distinct()
    if filters.status:
        services = services.with_approval_status(filters.status, on=today)
    if filters.q:
        services = services.search(filters.q)
    return services.order_by("name", "pk")


def regions_in_scope(user):
    """Regions whose dashboards the user opens. A caisse opens those of the regions its departments touch: their
    aggregates are allowed; their named, per-service rows are limited to `named_services_of` (DESIGN §2)."""
    scope = user.scope
    if scope.kind == ScopeKind.NATION:
        return Region.objects.all()
    if scope.kind == ScopeKind.DEPARTMENTS:
        return Region.objects.filter(departments__code__in=scope.department_codes).distinct()
    if scope.region_code:
        return Region.objects.filter(code=scope.region_code)
    return Region.objects.none()


def departments_in_scope(user):
    scope = user.scope
    if scope.kind == ScopeKind.NATION:
        return Department.objects.all()
    if scope.kind == ScopeKind.DEPARTMENTS:
        return Department.objects.filter(code__in=scope.department_codes)
    if scope.region_code:
        return Department.objects.filter(region_id=scope.region_code)
    return Department.objects.none()


def spsti_detail(user, pk: int) -> Spsti:
    """The service file, or Spsti.DoesNotExist when it is outside the user's scope."""
    return (
        Spsti.objects.visible_to(user)
        .select_related("headquarters_department", "region", "merged_into")
        .prefetch_related(
            Prefetch("departments", queryset=Department.objects.order_by("code")),
            Prefetch("approvals", queryset=Approval.objects.prefetch_related("zones").order_by("-start")),
            Prefetch(
                "service_projects",
                queryset=ServiceProject.objects.prefetch_related("priorities").order_by("-start"),
            ),
            "predecessors",
            "certifications",
        )
        .with_current_approval()
        .get(pk=pk)
    )


def spsti_by_siret(user, siret: str) -> Spsti:
    """The service of that SIRET within the user's scope (its business key in the API), else Spsti.DoesNotExist."""
    pk = Spsti.objects.visible_to(user).filter(siret="".join(siret.split())).values_list("pk", flat=True).first()
    if pk is None:
        raise Spsti.DoesNotExist
    return spsti_detail(user, pk)


@dataclass(frozen=True)
class RegistrySummary:
    services: int
    employees: int
    approved: int
    expiring: int
    expired: int
    conditional: int
    without_approval: int


def registry_summary(user, *, today: dt.date | None = None) -> RegistrySummary:
    """Aggregated figures of the user's scope, computed in one query (social partners see only these)."""
    today = today or timezone.localdate()
    approved_statuses = [ApprovalStatus.VALID, ApprovalStatus.EXPIRING]
    figures = (
        Spsti.objects.visible_to(user)
        .active()
        .with_current_approval(on=today)
        .aggregate(
            services=Count("pk"),
            employees=Sum("employees_followed"),
            approved=Count("pk", filter=Q(approval_status__in=approved_statuses)),
            expiring=Count("pk", filter=Q(approval_status=ApprovalStatus.EXPIRING)),
            expired=Count("pk", filter=Q(approval_status=ApprovalStatus.EXPIRED)),
            conditional=Count("pk", filter=Q(approval_status__in=approved_statuses, approval_conditional=True)),
            without_approval=Count("pk", filter=Q(approval_status=ApprovalStatus.NONE)),
        )
    )
    return RegistrySummary(**{key: value or 0 for key, value in figures.items()})


def named_services_of(user, *, may_see_named: bool):
    """The services whose named, per-service figures `user` may read in a dashboard, a table or an export: none
    for a role that reads aggregates only (`may_see_named` False: social partners), else the services of its scope
    — for a caisse, those headquartered in its departments, even on the dashboard of a whole region."""
    if not may_see_named:
        return Spsti.objects.none()
    return Spsti.objects.visible_to(user)
