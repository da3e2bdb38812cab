"""Annual report pages: the list of expected reports, the form derived from the contract, review, history."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cpom.accounts.enums import Role
from cpom.core.csvfiles import CsvFormatError
from cpom.core.decorators import require_perm
from cpom.core.errors import DomainError
from cpom.core.forms import Form
from cpom.core.pages import crumbs, submit, year_param
from cpom.core.permissions import Perm
from cpom.indicators.legends import legend
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.selectors import regions_in_scope

from . import excel, flags, reminders, review, selectors, services, survey
from .campaigns import open_reporting_campaign
from .csv_values import COLUMNS, export_values, import_values, template_csv
from .enums import Channel, ProgressStatus, ReportStatus
from .layout import report_layout
from .models import Report, ReportingCampaign, ValueChange
from .services import InvalidValues, StaleReport

MAX_UPLOAD_BYTES = 20_000_000
REPORTS_PER_PAGE = 50


def _report(request, pk: int) -> Report:
    try:
        return services.reports_visible_to(request.user).select_related("spsti", "contract__region").get(pk=pk)
    except Report.DoesNotExist as error:
        raise Http404("Rapport introuvable.") from error


@require_perm(Perm.REPORT_VIEW)
def report_list(request):
    year = year_param(request)
    region = request.GET.get("region", "")
    state = request.GET.get("etat", "")
    sort = request.GET.get("tri", "region")
    if sort not in selectors.REPORT_SORTS:
        sort = "region"
    rows = selectors.sort_rows(selectors.report_rows(request.user, year, region=region, state=state), sort)
    page = Paginator(rows, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("tri", None)
    sorts = []
    for key, (label, _) in selectors.REPORT_SORTS.items():
        params["tri"] = key
        sorts.append({"key": key, "label": label, "url": "?" + params.urlencode(), "current": key == sort})
    params["tri"] = sort
    return render(
        request,
        "reports/report_list.html",
        {
            "page_title": f"Suivi annuel {year}",
            "breadcrumb_data": crumbs("Suivi annuel"),
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "regions": list(regions_in_scope(request.user)),
            "region": region,
            "state": state,
            "states": [selectors.STATE_NOT_STARTED, "brouillon", "transmis", "renvoyé pour correction", "validé"]
            + ["en retard"],
            "rows": page.object_list,
            "count": len(rows),
            "page_obj": page,
            "querystring": params.urlencode(),
            "sorts": {item["key"]: item for item in sorts},
            "is_service": request.user.can(Perm.REPORT_FILL),
            "can_review": request.user.can(Perm.REPORT_REVIEW),
        },
    )


def _cells_context(
    report: Report, layout, values: dict[str, str], previous: dict[str, str], errors: dict, notes: dict | None = None
):
    notes = notes or {}

    def cell(c):
        key = c.key
        return {
            "key": key,
            "indicator": c.indicator,
            "theme": c.theme,
            "value": values.get(key, ""),
            "previous": previous.get(key, ""),
            "error": errors.get(key, ""),
            "note": notes.get(key, ""),
            "parent_key": f"{c.indicator.parent_id}|{c.theme.code if c.theme else ''}" if c.indicator.parent_id else "",
            "legend": legend(c.indicator.code),
        }

    return {
        "themes": layout.themes,
        "volet2": [(indicator, legend(indicator.code), [cell(c) for c in cells]) for indicator, cells in layout.volet2],
        "blocks": [(title, [cell(c) for c in cells]) for title, cells in layout.blocks],
        "comments": [cell(c) for c in layout.comments],
    }


@require_perm(Perm.REPORT_VIEW)
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    report = _report(request, pk)
    layout = report_layout(report)
    editable = request.user.can(Perm.REPORT_FILL) and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    values = services.current_values(report)
    progress = {p.action_id: p for p in report.progress.all()}
    errors, conflict = {}, None
    review = selectors.return_review(report)
    # What she typed, kept when the server refuses the save (nothing typed is lost).
    kept_progress: dict[int, tuple[str, str]] | None = None
    kept_comments: str | None = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Ce rapport ne se modifie pas.")
        if "reprendre" in request.POST:
            try:
                services.carry_over_comments(
                    by=request.user, report=report, version=int(request.POST.get("version") or 0)
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"Les commentaires {report.year - 1} sont repris là où vous n'en aviez pas.")
            return redirect("reports:report_detail", pk=report.pk)
        posted = {cell.key: request.POST.get(cell.key, "") for cell in layout.cells()}
        posted_progress = {
            action.pk: (
                request.POST.get(f"avancement-{action.pk}", ""),
                request.POST.get(f"commentaire-{action.pk}", ""),
            )
            for action in layout.actions
        }
        try:
            version = int(request.POST.get("version", "0"))
        except ValueError:
            version = 0
        try:
            report = services.save_values(
                by=request.user,
                report=report,
                values=posted,
                version=version,
                progress=posted_progress,
                comments=request.POST.get("comments", ""),
            )
            if "transmettre" in request.POST:  # the confirmation step lists what is empty or flagged
                return redirect("reports:report_submit", pk=report.pk)
            else:
                messages.success(request, "Le brouillon est enregistré.")
            return redirect("reports:report_detail", pk=report.pk)
        except StaleReport as error:
            conflict = error
            values = posted
        except InvalidValues as error:
            # The structured list below says it all: no second wall of text on top.
            errors = {problem.key: problem.message for problem in error.problems}
            values = posted
        except DomainError as error:
            messages.error(request, error.message)
            values = posted
        kept_progress = posted_progress
        kept_comments = request.POST.get("comments", "")
    return render(
        request,
        "reports/report_form.html",
        {
            "page_title": str(report),
            "breadcrumb_data": crumbs(
                str(report), (reverse("reports:report_list") + f"?annee={report.year}", "Suivi annuel")
            ),
            "report": report,
            "editable": editable,
            "can_review": request.user.can(Perm.REPORT_REVIEW),
            "conflict": conflict,
            "error_list": list(errors.values()),
            "actions": [
                {
                    "action": action,
                    "status": kept_progress[action.pk][0]
                    if kept_progress is not None
                    else (progress[action.pk].status if action.pk in progress else ""),
                    "comment": kept_progress[action.pk][1]
                    if kept_progress is not None
                    else (progress[action.pk].comment if action.pk in progress else ""),
                }
                for action in layout.actions
            ],
            "free_comments": report.comments if kept_comments is None else kept_comments,
            "progress_choices": ProgressStatus.choices,
            "events": report.events.select_related("by"),
            "sent_messages": selectors.messages_about(report, request.user),
            "approval": selectors.approval_state(report),
            "deadline": selectors.deadline_for(report.year, report.contract.region_id),
            "review": review,
            "noted_cells": [(c, review.cells[c.key]) for c in layout.cells() if review and c.key in review.cells],
            **_cells_context(
                report, layout, values, selectors.previous_values(report), errors, review.cells if review else None
            ),
        },
    )


def _review(request, pk: int, action, success: str):
    report = _report(request, pk)
    try:
        action(report)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("reports:report_detail", pk=report.pk)


@require_perm(Perm.REPORT_REVIEW)
@require_POST
def report_validate(request, pk: int):
    report = _report(request, pk)
    try:
        report = services.validate(by=request.user, report=report)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if report.status == ReportStatus.VALIDATED:
            messages.success(request, "Le rapport est validé.")
        else:
            messages.success(
                request,
                "Votre acceptation est enregistrée : le rapport attend celle de l'autre partie (validation conjointe).",
            )
    return redirect("reports:report_detail", pk=report.pk)


@require_perm(Perm.REPORT_REVIEW)
@require_POST
def report_return(request, pk: int):
    comment = request.POST.get("comment", "")
    notes = {key.removeprefix("note:"): text for key, text in request.POST.items() if key.startswith("note:")}
    return _review(
        request,
        pk,
        lambda r: services.return_for_correction(by=request.user, report=r, comment=comment, cell_comments=notes),
        "Le rapport est renvoyé au service avec vos commentaires.",
    )


@require_perm(Perm.REPORT_REVIEW)
@require_POST
def report_reopen(request, pk: int):
    reason = request.POST.get("reason", "")
    return _review(
        request, pk, lambda r: services.reopen(by=request.user, report=r, reason=reason), "Le rapport est rouvert."
    )


@require_perm(Perm.REPORT_VIEW)
def value_history(request, pk: int):
    report = _report(request, pk)
    key = request.GET.get("cle", "")
    indicator, _, theme = key.partition("|")
    changes = ValueChange.objects.filter(report=report, indicator_id=indicator, theme_id=theme or None)
    changes = changes.select_related("changed_by__organisation", "indicator", "theme")
    first = changes.first()
    return render(
        request,
        "reports/value_history.html",
        {
            "page_title": f"Historique d'une valeur — {report}",
            "breadcrumb_data": crumbs(
                "Historique d'une valeur",
                (reverse("reports:report_list"), "Suivi annuel"),
                (reverse("reports:report_detail", args=[report.pk]), str(report)),
            ),
            "report": report,
            "changes": changes,
            "label": (first.indicator.label + (f" — {first.theme.label}" if first.theme else "")) if first else key,
        },
    )


@require_perm(Perm.REPORT_FILL)  # only the service itself enters its report, whatever the channel (issue 16)
@require_http_methods(["GET", "POST"])
def values_import(request):
    errors, result = [], None
    if request.method == "POST":
        upload = request.FILES.get("fichier")
        if upload is None:
            errors = ["Choisissez un fichier CSV."]
        elif upload.size > MAX_UPLOAD_BYTES:
            errors = [f"Le fichier dépasse {MAX_UPLOAD_BYTES // 1_000_000} Mo ; découpez-le."]
        else:
            head = upload.read(2048)
            upload.seek(0)
            try:
                if survey.is_survey(head):  # the DGT survey layout (CSV or XLSX): the same rules
                    result = survey.import_survey(upload.read(), by=request.user)
                else:
                    result = import_values(upload, by=request.user)  # read as a stream, not loaded whole
            except CsvFormatError as error:
                errors = [str(e) for e in error.errors[:200]]
            except DomainError as error:
                errors = [error.message]
    return render(
        request,
        "reports/values_import.html",
        {
            "page_title": "Importer des valeurs (CSV)",
            "breadcrumb_data": crumbs("Importer des valeurs", (reverse("reports:report_list"), "Suivi annuel")),
            "errors": errors,
            "result": result,
            "columns": COLUMNS,
            "year": year_param(request),
            "indicators": Indicator.objects.order_by("code").only("code", "label"),
            "themes": Theme.objects.order_by("label"),
        },
    )


@require_perm(Perm.REPORT_VIEW)
def values_export(request):
    """The values of the scope; with `?modele=1`, the template to fill for the user's reports still being written."""
    year = year_param(request)
    if request.GET.get("modele") == "1":
        content, name = template_csv(request.user, year=year), f"modele-import-{year}"
    else:
        content, name = export_values(request.user, year=year, region=request.GET.get("region", "")), f"valeurs-{year}"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_perm(Perm.REPORT_VIEW)
def survey_csv(request):
    """The year's DGT survey file (« enquête annuelle » layout) of the reports in scope, CSV."""
    year = year_param(request)
    response = HttpResponse(survey.export_csv(request.user, year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="enquete-annuelle-cpom-{year}.csv"'
    return response


@require_perm(Perm.REPORT_VIEW)
def survey_xlsx(request):
    """The same file in XLSX."""
    year = year_param(request)
    response = HttpResponse(
        survey.export_xlsx(request.user, year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="enquete-annuelle-cpom-{year}.xlsx"'
    return response


@require_perm(Perm.REPORT_VIEW)
def excel_template(request, pk: int):
    report = _report(request, pk)
    response = HttpResponse(
        excel.build_template(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="rapport-{report.year}-{report.spsti.siret}.xlsx"'
    return response


@require_perm(Perm.REPORT_FILL)
@require_http_methods(["GET", "POST"])
def excel_upload(request, pk: int):
    report = _report(request, pk)
    upload, errors = None, []
    if request.method == "POST" and "confirmer" in request.POST:
        layout = report_layout(report)
        values = {cell.key: request.POST.get(f"valeur:{cell.key}", "") for cell in layout.cells()}
        progress = {
            action.pk: (
                request.POST.get(f"avancement-{action.pk}", ""),
                request.POST.get(f"commentaire-{action.pk}", ""),
            )
            for action in layout.actions
            if f"avancement-{action.pk}" in request.POST
        }
        try:
            services.save_values(
                by=request.user,
                report=report,
                values=values,
                version=int(request.POST.get("version", "0") or 0),
                channel=Channel.EXCEL,
                progress=progress,
            )
        except DomainError as error:
            errors = [error.message]
        else:
            messages.success(request, "Les valeurs du fichier Excel sont enregistrées.")
            return redirect("reports:report_detail", pk=report.pk)
    elif request.method == "POST":
        content = request.FILES.get("fichier")
        if content is None:
            errors = ["Choisissez le fichier Excel de ce rapport."]
        else:
            try:
                upload = excel.read_upload(report, content.read())
            except excel.UnreadableWorkbook as error:
                errors = [str(error)]
            else:
                errors = upload.errors
    return render(
        request,
        "reports/excel_upload.html",
        {
            "page_title": f"Déposer le fichier Excel — {report}",
            "breadcrumb_data": crumbs(
                "Déposer le fichier Excel",
                (reverse("reports:report_list"), "Suivi annuel"),
                (reverse("reports:report_detail", args=[report.pk]), str(report)),
            ),
            "report": report,
            "upload": upload,
            "errors": errors,
        },
    )


class CampaignForm(Form):
    year = forms.IntegerField(label="Année suivie", min_value=2015, max_value=2100)
    region = forms.ChoiceField(label="Portée", required=False)
    opens_on = forms.DateField(label="Ouverture", required=False, help_text="Par défaut le 1er janvier suivant.")
    deadline = forms.DateField(label="Date limite", required=False, help_text="Par défaut le 30 juin suivant.")
    joint_validation = forms.BooleanField(
        label="Validation conjointe",
        required=False,
        help_text="Coché : la DREETS et la caisse acceptent toutes deux chaque rapport ; l'une ou l'autre peut le "
        "renvoyer. Sinon, validation par la DREETS ou la caisse (l'une suffit).",
    )

    def __init__(self, *args, regions, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = ([("", "Nationale")] if national else []) + [(r.code, r.name) for r in regions]


@require_perm(Perm.REPORT_VIEW)
@require_http_methods(["GET", "POST"])
def campaign_list(request):
    user = request.user
    can_open = user.can(Perm.REPORT_REVIEW)
    regions = list(regions_in_scope(user))
    form = CampaignForm(request.POST or None, regions=regions, national=user.role == Role.ADMIN)
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied("Votre rôle ne permet pas d'ouvrir une campagne.")
        by_code = {r.code: r for r in regions}
        campaign = submit(
            request,
            form,
            lambda data: open_reporting_campaign(
                by=user,
                year=data["year"],
                region=by_code.get(data["region"]) if data["region"] else None,
                opens_on=data["opens_on"],
                deadline=data["deadline"],
                joint_validation=data["joint_validation"],
            ),
            "La campagne est ouverte : les rapports attendus sont créés.",
        )
        if campaign:
            return redirect("reports:campaign_list")
    campaigns = ReportingCampaign.objects.select_related("region").order_by("-year", "region__name")
    if not user.scope.is_nation:
        campaigns = campaigns.filter(Q(region__isnull=True) | Q(region__in=regions_in_scope(user)))
    return render(
        request,
        "reports/campaign_list.html",
        {
            "page_title": "Campagnes de suivi annuel",
            "breadcrumb_data": crumbs("Campagnes de suivi", (reverse("reports:report_list"), "Suivi annuel")),
            "campaigns": campaigns,
            "form": form if can_open else None,
        },
    )


# --- review desk, confirmation, receipt (issue 13) -----------------------------------------------------------
@require_perm(Perm.REPORT_REVIEW)
def review_desk(request, pk: int):
    """One report for its reviewer: each figure beside last year's and the region's median per 10 000 employees
    followed, its flags (thresholds in reports/flags.py, explained on the page) and the service's justification;
    a comment per figure goes back to the service with the return."""
    report = _report(request, pk)
    return render(
        request,
        "reports/review_desk.html",
        {
            "page_title": f"Examen — {report}",
            "breadcrumb_data": crumbs(
                "Examen",
                (reverse("reports:report_list") + f"?annee={report.year}", "Suivi annuel"),
                (reverse("reports:report_detail", args=[report.pk]), str(report)),
            ),
            "report": report,
            "rows": review.desk(report),
            "rules": flags.RULES,
            "flags": flags,
            "approval": selectors.approval_state(report),
        },
    )


@require_perm(Perm.REPORT_FILL)
@require_http_methods(["GET", "POST"])
def report_submit(request, pk: int):
    """The submission's confirmation: what is still empty, the flagged figures and a justification for each."""
    report = _report(request, pk)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        messages.info(request, "Ce rapport est déjà transmis.")
        return redirect("reports:report_detail", pk=report.pk)
    check = review.confirmation(report)
    if request.method == "POST":
        justifications = {cell.key: request.POST.get(f"justification:{cell.key}", "") for cell, _ in check.flagged}
        try:
            services.submit(by=request.user, report=report, justifications=justifications)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "Le rapport est transmis à la DREETS et à la caisse. Gardez son accusé de réception."
            )
            return redirect("reports:report_detail", pk=report.pk)
    return render(
        request,
        "reports/report_submit.html",
        {
            "page_title": f"Transmettre — {report}",
            "breadcrumb_data": crumbs(
                "Transmettre",
                (reverse("reports:report_list") + f"?annee={report.year}", "Suivi annuel"),
                (reverse("reports:report_detail", args=[report.pk]), str(report)),
            ),
            "report": report,
            "check": check,
        },
    )


@require_perm(Perm.REPORT_VIEW)
def report_receipt(request, pk: int):
    """A printable receipt of the report as submitted: its date, version and figures."""
    report = _report(request, pk)
    if report.submitted_at is None or report.status not in (ReportStatus.SUBMITTED, ReportStatus.VALIDATED):
        raise Http404("Ce rapport n'est pas transmis : pas d'accusé de réception.")
    layout = report_layout(report)
    values = services.current_values(report)
    return render(
        request,
        "reports/report_receipt.html",
        {
            "page_title": f"Accusé de réception — {report}",
            "breadcrumb_data": crumbs(
                "Accusé de réception", (reverse("reports:report_detail", args=[report.pk]), str(report))
            ),
            "report": report,
            "rows": [(cell, values.get(cell.key, "")) for cell in layout.cells()],
        },
    )


@require_perm(Perm.REPORT_REVIEW)
@require_POST
def bulk_validate(request):
    """Validate at once the submitted reports ticked in the list that carry no flag (the others are left)."""
    ids = [int(i) for i in request.POST.getlist("rapport") if i.isdigit()]
    result = services.validate_unflagged(by=request.user, report_ids=ids)
    messages.success(
        request,
        f"{result.validated} rapport(s) validé(s) ; {result.flagged} laissé(s) à examiner (chiffres signalés).",
    )
    return redirect(reverse("reports:report_list") + f"?annee={year_param(request)}")


@require_perm(Perm.REPORT_REVIEW)
@require_POST
def report_remind(request, pk: int):
    """« Relancer »: the late-report reminder, queued now for the service (at most once a day per report)."""
    report = _report(request, pk)
    try:
        count = reminders.remind_now(by=request.user, report=report)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Relance envoyée à {count} personne(s) du service.")
    return redirect(request.POST.get("retour") or reverse("reports:report_detail", args=[report.pk]))
