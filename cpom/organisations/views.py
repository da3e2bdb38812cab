from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cpom.core.decorators import require_perm
from cpom.core.errors import DomainError
from cpom.core.journal import journal
from cpom.core.models import SubjectKind
from cpom.core.permissions import Perm

from . import selectors, services
from .enums import ApprovalStatus, OrganisationKind
from .forms import ApprovalForm, RegistryFilterForm, SpstiForm
from .models import Organisation, Spsti
from .parties import cpom_parties

PAGE_SIZE = 20


def _crumbs(current: str, *links: tuple[str, str]) -> dict:
    return {"links": [{"url": url, "title": title} for url, title in links], "current": current}


@require_perm(Perm.REGISTRY_VIEW)
def spsti_list(request):
    regions = list(selectors.regions_in_scope(request.user))
    departments = list(selectors.departments_in_scope(request.user).order_by("code"))
    form = RegistryFilterForm(request.GET or None, regions=regions, departments=departments)
    filters = selectors.RegistryFilters(**form.cleaned_data) if form.is_valid() else selectors.RegistryFilters()
    services_qs = selectors.registry_list(request.user, filters)
    page = Paginator(services_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organisations/spsti_list.html",
        {
            "page_title": "Registre des services",
            "breadcrumb_data": _crumbs("Registre des services"),
            "form": form,
            "page_obj": page,
            "querystring": query.urlencode(),
            "statuses": ApprovalStatus,
            "can_edit": request.user.can(Perm.REGISTRY_EDIT),
        },
    )


def _get_spsti(request, pk: int) -> Spsti:
    try:
        return selectors.spsti_detail(request.user, pk)
    except Spsti.DoesNotExist as error:
        raise Http404("Service introuvable.") from error


@require_perm(Perm.REGISTRY_VIEW)
def spsti_detail(request, pk: int):
    spsti = _get_spsti(request, pk)
    try:
        parties, parties_error = cpom_parties(spsti), None
    except DomainError as error:
        parties, parties_error = None, error.message
    return render(
        request,
        "organisations/spsti_detail.html",
        {
            "page_title": spsti.name,
            "breadcrumb_data": _crumbs(spsti.name, (reverse("organisations:spsti_list"), "Registre des services")),
            "spsti": spsti,
            "parties": parties,
            "parties_error": parties_error,
            "statuses": ApprovalStatus,
            "can_edit": request.user.can(Perm.REGISTRY_EDIT),
            "journal": list(journal(SubjectKind.SERVICE, spsti.pk)) if request.user.can(Perm.HISTORY_VIEW) else None,
        },
    )


def _spsti_data(form: SpstiForm) -> services.SpstiData:
    data = form.cleaned_data
    return services.SpstiData(
        siret=data["siret"],
        name=data["name"],
        short_name=data["short_name"],
        category=data["category"],
        sector=data["sector"],
        headquarters_department=data["headquarters_department"],
        departments=list(data["departments"]),
        employees_followed=data["employees_followed"],
        member_companies=data["member_companies"],
        city=data["city"],
        address=data["address"],
    )


def _apply_domain_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_perm(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def spsti_create(request):
    departments = selectors.departments_in_scope(request.user).order_by("code")
    form = SpstiForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            spsti = services.spsti_register(by=request.user, data=_spsti_data(form))
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, f"Le service « {spsti.name} » est inscrit au registre.")
            return redirect("organisations:spsti_detail", pk=spsti.pk)
    return render(
        request,
        "organisations/spsti_form.html",
        {
            "page_title": "Inscrire un service",
            "breadcrumb_data": _crumbs("Inscrire un service", (reverse("organisations:spsti_list"), "Registre")),
            "form": form,
        },
    )


@require_perm(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def spsti_update(request, pk: int):
    spsti = _get_spsti(request, pk)
    departments = selectors.departments_in_scope(request.user).order_by("code")
    initial = {
        "name": spsti.name,
        "short_name": spsti.short_name,
        "siret": spsti.siret,
        "category": spsti.category,
        "sector": spsti.sector,
        "headquarters_department": spsti.headquarters_department_id,
        "departments": [department.code for department in spsti.departments.all()],
        "city": spsti.city,
        "address": spsti.address,
        "employees_followed": spsti.employees_followed,
        "member_companies": spsti.member_companies,
    }
    form = SpstiForm(request.POST or None, initial=initial, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            services.spsti_update(by=request.user, spsti=spsti, data=_spsti_data(form))
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, "Les modifications sont enregistrées.")
            return redirect("organisations:spsti_detail", pk=spsti.pk)
    detail_url = reverse("organisations:spsti_detail", args=[spsti.pk])
    return render(
        request,
        "organisations/spsti_form.html",
        {
            "page_title": f"Modifier {spsti.name}",
            "breadcrumb_data": _crumbs(
                "Modifier", (reverse("organisations:spsti_list"), "Registre"), (detail_url, spsti.name)
            ),
            "form": form,
            "spsti": spsti,
        },
    )


@require_perm(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def approval_create(request, pk: int):
    spsti = _get_spsti(request, pk)
    departments = selectors.departments_in_scope(request.user).order_by("code")
    form = ApprovalForm(
        request.POST or None,
        initial={"zones": [department.code for department in spsti.departments.all()]},
        departments=departments,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_record(by=request.user, spsti=spsti, **form.cleaned_data)
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, "L'agrément est enregistré.")
            return redirect("organisations:spsti_detail", pk=spsti.pk)
    detail_url = reverse("organisations:spsti_detail", args=[spsti.pk])
    return render(
        request,
        "organisations/approval_form.html",
        {
            "page_title": f"Enregistrer un agrément — {spsti.name}",
            "breadcrumb_data": _crumbs(
                "Nouvel agrément", (reverse("organisations:spsti_list"), "Registre"), (detail_url, spsti.name)
            ),
            "form": form,
            "spsti": spsti,
        },
    )


@require_perm(Perm.ORGANISATIONS_VIEW)
def organisation_list(request):
    institutions = (
        Organisation.objects.visible_to(request.user)
        .exclude(kind=OrganisationKind.SPSTI)
        .select_related("region")
        .prefetch_related("departments")
        .order_by("kind", "region__name", "name")
    )
    groups: dict[str, list] = {}
    for organisation in institutions:
        groups.setdefault(organisation.get_kind_display(), []).append(organisation)
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "page_title": "Institutions",
            "breadcrumb_data": _crumbs("Institutions"),
            "groups": groups,
        },
    )


@require_perm(Perm.ORGANISATIONS_VIEW)
def organisation_detail(request, pk: int):
    try:
        organisation = (
            Organisation.objects.visible_to(request.user)
            .select_related("region")
            .prefetch_related("departments")
            .get(pk=pk)
        )
    except Organisation.DoesNotExist as error:
        raise Http404("Organisation introuvable.") from error
    if organisation.kind == OrganisationKind.SPSTI:
        return redirect("organisations:spsti_detail", pk=organisation.pk)
    related = Spsti.objects.visible_to(request.user).active()
    if organisation.kind == OrganisationKind.CAISSE:
        covered = Spsti.departments.through.objects.filter(
            organisation_id=OuterRef("pk"), department_id__in=organisation.departments.values("code")
        )
        related = related.filter(Exists(covered))
    elif organisation.region_id:
        related = related.filter(region_id=organisation.region_id)
    can_list = request.user.can(Perm.REGISTRY_VIEW)
    related = related.select_related("headquarters_department").order_by("name")
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "page_title": organisation.name,
            "breadcrumb_data": _crumbs(organisation.name, (reverse("organisations:organisation_list"), "Institutions")),
            "organisation": organisation,
            "related_services": list(related) if can_list else None,
            "related_count": related.count(),
            "kinds": OrganisationKind,
        },
    )
