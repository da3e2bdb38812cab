"""Filling and reviewing an annual report, as guarded functions used by the form, the imports and the API.

Every write is all-or-nothing: values are parsed and checked (types and rules) before anything is saved; a
stale write (the report's version moved on since it was read) is refused with the other changes named; every
change of every value is kept with who, when, before, after and the channel.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cpom.accounts.enums import Role
from cpom.contracts.models import ContractParty
from cpom.core.errors import DomainError
from cpom.core.permissions import Perm
from cpom.core.scope import ScopeKind
from cpom.core.text import LONG_TEXT, check_text, text_problem
from cpom.organisations.enums import OrganisationKind

from . import notifications, rules
from .enums import Channel, EventKind, ProgressStatus, ReportStatus
from .layout import report_layout
from .models import (
    ActionProgress,
    CellComment,
    Justification,
    Report,
    ReportApproval,
    ReportEvent,
    ReportingCampaign,
    Value,
    ValueChange,
)


def reports_visible_to(user):
    if user is None or not user.is_authenticated or not user.can(Perm.REPORT_VIEW):
        return Report.objects.none()
    scope = user.scope
    match scope.kind:
        case ScopeKind.NATION:
            return Report.objects.all()
        case ScopeKind.REGION:
            return Report.objects.filter(contract__region_id=scope.region_code)
        case ScopeKind.DEPARTMENTS:
            party = ContractParty.objects.filter(
                contract_id=OuterRef("contract_id"), organisation_id=user.organisation_id
            )
            # Party to the contract, and the service headquartered in the caisse's departments (DESIGN §2).
            return Report.objects.filter(Exists(party), spsti__headquarters_department_id__in=scope.department_codes)
        case ScopeKind.SPSTI:
            return Report.objects.filter(spsti_id=scope.spsti_id)
    return Report.objects.none()


ONLY_THE_SERVICE = "Seul le service concerné saisit son rapport."


def reports_fillable_by(user):
    """The one rule of every channel (form, API, Excel, CSV import): only the service itself enters its report.
    `user=None` is the platform itself (command line, demo data). Agents review; they never write values."""
    if user is None:
        return Report.objects.all()
    if not user.is_authenticated or not user.can(Perm.REPORT_FILL) or user.scope.kind != ScopeKind.SPSTI:
        return Report.objects.none()
    return Report.objects.filter(spsti_id=user.scope.spsti_id)


class StaleReport(DomainError):
    """Someone saved the report since this version was read; nothing was written."""

    def __init__(self, message: str, changes: list[ValueChange]):
        super().__init__(message, rule="version")
        self.changes = changes


@dataclass(frozen=True)
class ValueProblem:
    key: str
    message: str


class InvalidValues(DomainError):
    def __init__(self, problems: list[ValueProblem]):
        super().__init__(f"{len(problems)} valeur(s) à corriger : " + " ".join(p.message for p in problems[:5]))
        self.problems = problems


def stored_text(value: Value) -> str:
    if value.integer is not None:
        return str(value.integer)
    if value.date is not None:
        return value.date.strftime("%d/%m/%Y")
    return value.text


def current_values(report: Report) -> dict[str, str]:
    return {f"{v.indicator_id}|{v.theme_id or ''}": stored_text(v) for v in report.values.all() if stored_text(v) != ""}


def _require_fill(by, report: Report) -> None:
    """`by=None` is the platform itself (command-line imports, demo data): no role check, same rules."""
    if by is not None and not reports_fillable_by(by).filter(pk=report.pk).exists():
        raise DomainError(ONLY_THE_SERVICE)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise DomainError(
            f"Le rapport est « {report.get_status_display()} » : il ne se modifie plus "
            "(un rapport validé est verrouillé ; un agent peut le rouvrir en motivant)."
        )


def check_values(report: Report, raw: dict[str, str], layout=None) -> tuple[dict[str, object], list[ValueProblem]]:
    """Parse and check every submitted cell of the report's layout; keys outside the layout are refused."""
    layout = layout or report_layout(report)
    cells = {cell.key: cell for cell in layout.cells()}
    typed: dict[str, object] = {}
    problems: list[ValueProblem] = []
    for key in raw:
        if key not in cells:
            problems.append(ValueProblem(key, f"« {key} » ne fait pas partie du rapport de ce contrat."))
    for key, cell in cells.items():
        if key not in raw:
            continue
        theme_label = cell.theme.label if cell.theme else None
        if problem := text_problem(raw[key], limit=LONG_TEXT):
            problems.append(ValueProblem(key, f"{cell.indicator.label} : {problem}"))
            continue
        try:
            typed[key] = rules.parse(cell.indicator, raw[key], theme_label)
        except ValueError as error:
            problems.append(ValueProblem(key, str(error)))
    existing = {k: v for k, v in _existing_typed(report).items()}
    merged = existing | typed
    for key, value in typed.items():
        cell = cells[key]
        parent_value = None
        if cell.indicator.parent_id:
            parent_value = merged.get(f"{cell.indicator.parent_id}|{cell.theme.code if cell.theme else ''}")
        message = rules.check(
            cell.indicator,
            value,
            year=report.year,
            theme_label=cell.theme.label if cell.theme else None,
            parent_value=parent_value,
        )
        if message:
            problems.append(ValueProblem(key, message))
    # A total lowered under one of its "of which" breaks the child's rule too.
    for key, value in typed.items():
        cell = cells[key]
        for child in cells.values():
            if child.indicator.parent_id == cell.indicator.code and child.theme == cell.theme:
                child_value = merged.get(child.key)
                if isinstance(child_value, int) and isinstance(value, int) and child_value > value:
                    message = rules.check(
                        child.indicator,
                        child_value,
                        year=report.year,
                        theme_label=child.theme.label if child.theme else None,
                        parent_value=value,
                    )
                    if message and not any(p.key == child.key for p in problems):
                        problems.append(ValueProblem(child.key, message))
    return typed, problems


def _existing_typed(report: Report) -> dict[str, object]:
    out = {}
    for v in report.values.all():
        key = f"{v.indicator_id}|{v.theme_id or ''}"
        out[key] = v.integer if v.integer is not None else (v.date if v.date is not None else (v.text or None))
    return out


@transaction.atomic
def save_values(
    *,
    by,
    report: Report,
    values: dict[str, str],
    version: int,
    channel: str = Channel.FORM,
    progress: dict[int, tuple[str, str]] | None = None,
    comments: str | None = None,
) -> Report:
    """Write the given cells (empty string clears one). All-or-nothing; refused when `version` is stale."""
    report = Report.objects.select_for_update().select_related("contract").get(pk=report.pk)
    _require_fill(by, report)
    if report.version != version:
        changes = list(report.changes.select_related("indicator", "theme", "changed_by").order_by("-changed_at")[:20])
        raise StaleReport(
            "Le rapport a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert "
            f"(version {report.version}, la vôtre : {version}). Rien n'a été enregistré : rechargez-le pour voir "
            "ses modifications avant de saisir à nouveau.",
            changes,
        )
    layout = report_layout(report)
    typed, problems = check_values(report, values, layout)
    if progress:
        action_ids = {action.pk for action in layout.actions}
        for action_id, (status, _comment) in progress.items():
            if action_id not in action_ids:
                problems.append(
                    ValueProblem(f"action-{action_id}", "Cette action n'appartient pas au contrat de ce rapport.")
                )
            elif status and status not in ProgressStatus.values:
                problems.append(ValueProblem(f"action-{action_id}", f"Avancement inconnu : « {status} »."))
            elif problem := text_problem(_comment, limit=LONG_TEXT):
                problems.append(ValueProblem(f"action-{action_id}", f"Commentaire de l'action : {problem}"))
    if comments is not None and (problem := text_problem(comments, limit=LONG_TEXT)):
        problems.append(ValueProblem("commentaires", f"Commentaires du rapport : {problem}"))
    if problems:
        raise InvalidValues(problems)
    write_values(report, typed, layout, by=by, channel=channel)
    for action_id, (status, comment) in (progress or {}).items():
        ActionProgress.objects.update_or_create(
            report=report, action_id=action_id, defaults={"status": status, "comment": comment.strip()}
        )
    if comments is not None:
        report.comments = comments.strip()
    report.version += 1
    report.save()
    return report


def write_many(entries: list[tuple[Report, dict[str, object], dict]], *, by, channel: str) -> int:
    """Store checked values of one or many reports and their history — before, after, who, channel — in a few
    bulk queries (callers hold the reports' locks). `entries`: (report, typed values by key, layout cells by key).
    Returns how many values changed."""
    if not entries:
        return 0
    stored = {
        (value.report_id, f"{value.indicator_id}|{value.theme_id or ''}"): value
        for value in Value.objects.filter(report_id__in=[report.pk for report, _, _ in entries])
    }
    created, updated, history = [], [], []
    for report, typed, cells in entries:
        for key, value in typed.items():
            row = stored.get((report.pk, key))
            before = stored_text(row) if row is not None else ""
            cell = cells[key]
            if row is None:
                row = Value(report=report, indicator=cell.indicator, theme=cell.theme)
            row.integer = value if isinstance(value, int) else None
            row.date = value if isinstance(value, dt.date) else None
            row.text = value if isinstance(value, str) else ""
            after = stored_text(row)
            if after == before:
                continue
            row.updated_by = by
            (updated if row.pk else created).append(row)
            history.append(
                ValueChange(
                    report=report,
                    indicator=cell.indicator,
                    theme=cell.theme,
                    before=before,
                    after=after,
                    changed_by=by,
                    channel=channel,
                )
            )
    Value.objects.bulk_create(created, batch_size=500)
    for row in updated:  # fewer than new ones as a rule; bulk_update would build a CASE per row and field
        row.save()
    ValueChange.objects.bulk_create(history, batch_size=500)
    return len(history)


def write_values(report: Report, typed: dict[str, object], layout, *, by, channel: str) -> int:
    """Store checked values of one report and their history (callers hold the report's lock)."""
    return write_many([(report, typed, {cell.key: cell for cell in layout.cells()})], by=by, channel=channel)


# --- workflow -------------------------------------------------------------------------------------------------
def _event(report: Report, kind: str, by, comment: str = "", at=None) -> ReportEvent:
    return ReportEvent.objects.create(report=report, kind=kind, by=by, comment=comment, at=at or timezone.now())


@transaction.atomic
def submit(*, by, report: Report, at=None, justifications: dict[str, str] | None = None) -> Report:
    """`at` back-dates the submission (demo data, imports of past campaigns); now by default. `justifications`:
    the service's explanation of flagged figures (reports/flags.py), by cell key; the reviewer sees them."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_fill(by, report)
    if not report.values.exists():
        raise DomainError("Le rapport est vide : saisissez au moins une valeur avant de le transmettre.")
    now = at or timezone.now()
    report.status, report.submitted_at = ReportStatus.SUBMITTED, now
    report.first_submitted_at = report.first_submitted_at or now
    report.version += 1
    report.save()
    for key, text in (justifications or {}).items():
        if text.strip():
            Justification.objects.update_or_create(
                report=report,
                key=key[:80],
                defaults={"text": text.strip()[:2000], "version": report.version, "at": now},
            )
    _event(report, EventKind.SUBMITTED, by, at=now)
    if at is None:  # a back-dated submission (demo data, imports of past campaigns) tells nobody
        notifications.report_submitted(report)
    return report


def _require_review(by, report: Report) -> None:
    if not by.can(Perm.REPORT_REVIEW) or not reports_visible_to(by).filter(pk=report.pk).exists():
        raise DomainError("Seuls les agents de la DREETS ou de la caisse parties au contrat examinent ce rapport.")


def joint_validation(report: Report) -> bool:
    """The report's regional campaign asks the DREETS and the caisse to both accept it."""
    return ReportingCampaign.objects.filter(
        year=report.year, region_id=report.contract.region_id, joint_validation=True
    ).exists()


def reviewing_parties(report: Report) -> list:
    """The DREETS and caisse organisations party to the report's contract."""
    return [
        party.organisation
        for party in ContractParty.objects.filter(
            contract_id=report.contract_id, organisation__kind__in=[OrganisationKind.DREETS, OrganisationKind.CAISSE]
        ).select_related("organisation")
    ]


@transaction.atomic
def validate(*, by, report: Report, at=None) -> Report:
    """Validate; under joint validation (regional campaign), record the reviewer's organisation's acceptance and
    validate once every reviewing party (the DREETS and the caisse) has accepted this submission."""
    report = Report.objects.select_for_update().select_related("contract").get(pk=report.pk)
    _require_review(by, report)
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError("Seul un rapport transmis peut être validé.")
    if by.role != Role.ADMIN and joint_validation(report):
        parties = reviewing_parties(report)
        if by.organisation_id not in {o.pk for o in parties}:
            raise DomainError("En validation conjointe, seules la DREETS et la caisse parties au contrat acceptent.")
        _, created = ReportApproval.objects.get_or_create(
            report=report,
            organisation_id=by.organisation_id,
            submitted_at=report.submitted_at,
            defaults={"by": by, "at": at or timezone.now()},
        )
        if created:
            _event(report, EventKind.ACCEPTED, by, at=at)
        accepted = set(
            report.approvals.filter(submitted_at=report.submitted_at).values_list("organisation_id", flat=True)
        )
        if not {o.pk for o in parties} <= accepted:
            return report  # awaits the other party's acceptance
    report.status, report.validated_at = ReportStatus.VALIDATED, at or timezone.now()
    report.version += 1
    report.save()
    _event(report, EventKind.VALIDATED, by, at=report.validated_at)
    if at is None:
        notifications.report_validated(report)
    return report


@transaction.atomic
def return_for_correction(*, by, report: Report, comment: str, cell_comments: dict[str, str] | None = None) -> Report:
    """`cell_comments`: the reviewer's comment on cells of the form, by key (« INDICATEUR|THEME »)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_review(by, report)
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError("Seul un rapport transmis peut être renvoyé pour correction.")
    if not comment.strip():
        raise DomainError("Dites au service ce qu'il doit corriger.", field="comment")
    check_text(comment, label="Motif du renvoi", field="comment")
    cell_comments = {key: text.strip() for key, text in (cell_comments or {}).items() if key and text.strip()}
    if cell_comments:
        keys = {cell.key for cell in report_layout(report).cells()}
        unknown = sorted(set(cell_comments) - keys)
        if unknown:
            raise DomainError(
                f"« {unknown[0]} » ne fait pas partie du rapport de ce contrat : commentez une de ses cases.",
                field="cell_comments",
            )
    report.status = ReportStatus.RETURNED
    report.version += 1
    report.save()
    event = _event(report, EventKind.RETURNED, by, comment.strip())
    CellComment.objects.bulk_create(CellComment(event=event, key=k, comment=v) for k, v in cell_comments.items())
    notifications.report_returned(report, comment.strip())
    return report


@transaction.atomic
def reopen(*, by, report: Report, reason: str) -> Report:
    """A validated report is locked; an agent reopens it with a reason, which stays in its history."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_review(by, report)
    if by.role not in (Role.DREETS_AGENT, Role.ADMIN):
        raise DomainError("La réouverture d'un rapport validé revient à la DREETS, qui la motive.")
    if report.status != ReportStatus.VALIDATED:
        raise DomainError("Seul un rapport validé peut être rouvert.")
    if not reason.strip():
        raise DomainError("La réouverture d'un rapport validé doit être motivée.", field="reason")
    check_text(reason, label="Motif de la réouverture", field="reason")
    report.status, report.validated_at = ReportStatus.RETURNED, None
    report.version += 1
    report.save()
    _event(report, EventKind.REOPENED, by, reason.strip())
    return report


def carry_over_comments(*, by, report: Report, version: int) -> Report:
    """Copy last year's comments (per theme, and per action of the same axis and theme) into the empty ones."""
    previous = Report.objects.filter(spsti_id=report.spsti_id, year=report.year - 1).first()
    if previous is None:
        raise DomainError(f"Aucun rapport {report.year - 1} de ce service dont reprendre les commentaires.")
    layout = report_layout(report)
    now, before = current_values(report), current_values(previous)
    values = {cell.key: before[cell.key] for cell in layout.comments if not now.get(cell.key) and before.get(cell.key)}
    old_progress = {
        (p.action.axis.kind, p.action.theme_id): p.comment
        for p in previous.progress.select_related("action__axis")
        if p.comment
    }
    current_progress = {p.action_id: p for p in report.progress.all()}
    progress = {}
    for action in layout.actions:
        comment = old_progress.get((action.axis.kind, action.theme_id))
        mine = current_progress.get(action.pk)
        if comment and not (mine and mine.comment):
            progress[action.pk] = (mine.status if mine else "", comment)
    return save_values(by=by, report=report, values=values, version=version, progress=progress)


@dataclass(frozen=True)
class BulkValidation:
    validated: int
    flagged: int


def validate_unflagged(*, by, report_ids: list[int]) -> BulkValidation:
    """Validate the submitted reports among `report_ids` (in the reviewer's scope) that carry no flag; each in its
    own transaction, through `validate` (same rules, same history, same e-mails). Flagged ones are left."""
    from .flags import compare

    reports = list(
        reports_visible_to(by)
        .filter(pk__in=report_ids, status=ReportStatus.SUBMITTED)
        .select_related("spsti", "contract")
    )
    comparisons = compare(reports)
    validated = flagged = 0
    for report in reports:
        if comparisons[report.pk].flags:
            flagged += 1
            continue
        validate(by=by, report=report)
        validated += 1
    return BulkValidation(validated, flagged)
