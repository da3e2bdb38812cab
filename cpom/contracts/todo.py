"""The contracts' lines of the to-do, in the user's scope (core/todo.py): drafts to comment, signatures owed,
opinions missing, contracts ready to sign, approvals and contracts ending within six months."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from cpom.accounts.enums import Role
from cpom.core.dates import add_months
from cpom.core.permissions import Perm
from cpom.core.todo import MAX_LINES, TodoLine, TodoSection
from cpom.organisations.models import Approval, Spsti

from .enums import AmendmentStatus, ConsultedBody, ContractStatus
from .models import Amendment, AmendmentSignature, Consultation, Contract, ContractParty
from .selectors import EXPIRING_MONTHS


def _contract_url(contract_id: int, tab: str = "") -> str:
    return reverse("contracts:contract_detail", args=[contract_id]) + (f"?onglet={tab}" if tab else "")


def _section(key, title, queryset, line, *, with_lines: bool, more_url: str = "", order=("pk",)) -> TodoSection:
    count = queryset.count()
    lines = [line(obj) for obj in queryset.order_by(*order)[:MAX_LINES]] if with_lines and count else []
    return TodoSection(key, "contracts", title, count, lines, more_url if count > len(lines) else "")


def _signatures_owed(user, *, with_lines: bool) -> list[TodoSection]:
    """The signatures the user's own organisation owes: a contract ready to sign, an open amendment."""
    if not user.organisation_id:
        return []
    contracts = ContractParty.objects.filter(
        organisation_id=user.organisation_id, signed_on__isnull=True, contract__status=ContractStatus.READY
    ).select_related("contract")
    signed = AmendmentSignature.objects.filter(amendment_id=OuterRef("pk"), party__organisation_id=user.organisation_id)
    party = ContractParty.objects.filter(contract_id=OuterRef("contract_id"), organisation_id=user.organisation_id)
    amendments = (
        Amendment.objects.filter(status=AmendmentStatus.OPEN)
        .filter(Exists(party))
        .exclude(Exists(signed))
        .select_related("contract")
    )
    return [
        _section(
            "contract_signatures_owed",
            "Contrats à signer par votre organisation",
            contracts,
            lambda p: TodoLine(p.contract.title, _contract_url(p.contract_id, "signatures")),
            with_lines=with_lines,
        ),
        _section(
            "amendment_signatures_owed",
            "Avenants à signer par votre organisation",
            amendments,
            lambda a: TodoLine(
                f"Avenant n° {a.number} — {a.contract.title}", _contract_url(a.contract_id, "signatures")
            ),
            with_lines=with_lines,
        ),
    ]


def todo_sections(user, today: dt.date, *, with_lines: bool = True) -> list[TodoSection]:
    if not user.can(Perm.CONTRACT_VIEW):
        return []
    visible = Contract.objects.visible_to(user)
    list_url = reverse("contracts:contract_list")
    sections: list[TodoSection] = []
    if user.can(Perm.CONTRACT_COMMENT):  # a service: drafts of its own contracts (visible_to: its own only)
        sections.append(
            _section(
                "drafts_to_comment",
                "Projets de contrat à commenter",
                visible.filter(status=ContractStatus.DRAFT),
                lambda c: TodoLine(c.title, _contract_url(c.pk)),
                with_lines=with_lines,
                more_url=list_url + "?status=brouillon",
            )
        )
        sections += _signatures_owed(user, with_lines=with_lines)
    if user.can(Perm.CONTRACT_EDIT):
        sections += _signatures_owed(user, with_lines=with_lines)
        missing = (
            visible.filter(status=ContractStatus.CONSULTATION)
            .annotate(opinions=Count("consultations"))
            .filter(opinions__lt=len(ConsultedBody))
        )
        sections.append(
            _section(
                "opinions_missing",
                "Contrats en consultation : avis attendus",
                missing,
                lambda c: TodoLine(
                    c.title, _contract_url(c.pk, "signatures"), detail=f"{c.opinions} avis reçu(s) sur 2"
                ),
                with_lines=with_lines,
                more_url=list_url + "?status=consultation",
                order=("negotiation_started_on", "pk"),
            )
        )
        ready = visible.filter(status=ContractStatus.READY).annotate(
            unsigned=Count("parties", filter=Q(parties__signed_on__isnull=True))
        )
        sections.append(
            _section(
                "contracts_to_sign",
                "Contrats prêts à signer : signatures attendues",
                ready,
                lambda c: TodoLine(
                    c.title, _contract_url(c.pk, "signatures"), detail=f"{c.unsigned} partie(s) à signer"
                ),
                with_lines=with_lines,
                more_url=list_url + "?status=pret",
            )
        )
        horizon = add_months(today, EXPIRING_MONTHS)
        ending = visible.filter(status=ContractStatus.IN_FORCE, end__gte=today, end__lte=horizon)
        sections.append(
            _section(
                "contracts_ending",
                f"Contrats qui prennent fin dans les {EXPIRING_MONTHS} mois",
                ending,
                lambda c: TodoLine(c.title, _contract_url(c.pk), c.end),
                with_lines=with_lines,
                more_url=list_url + "?expiring=on",
                order=("end", "pk"),
            )
        )
        later = Approval.objects.filter(spsti_id=OuterRef("spsti_id"), end__gt=OuterRef("end"))
        approvals = (
            Approval.objects.filter(spsti__in=Spsti.objects.visible_to(user), end__gte=today, end__lte=horizon)
            .exclude(Exists(later))
            .select_related("spsti")
        )
        sections.append(
            _section(
                "approvals_ending",
                f"Agréments qui prennent fin dans les {EXPIRING_MONTHS} mois",
                approvals,
                lambda a: TodoLine(a.spsti.name, reverse("organisations:spsti_detail", args=[a.spsti_id]), a.end),
                with_lines=with_lines,
                order=("end", "pk"),
            )
        )
    if user.can(Perm.CONTRACT_OPINION):  # the ARS: contracts awaiting its opinion
        given = Consultation.objects.filter(contract_id=OuterRef("pk"), body=ConsultedBody.ARS)
        sections.append(
            _section(
                "ars_opinion_owed",
                "Contrats attendant l'avis de l'ARS",
                visible.filter(status=ContractStatus.CONSULTATION).exclude(Exists(given)),
                lambda c: TodoLine(c.title, _contract_url(c.pk, "signatures")),
                with_lines=with_lines,
                order=("negotiation_started_on", "pk"),
            )
        )
    if user.role == Role.SOCIAL_PARTNER and user.scope.region_code:
        # The CRPST is consulted on drafts it may not open (social partners read signed contracts): titles only.
        given = Consultation.objects.filter(contract_id=OuterRef("pk"), body=ConsultedBody.CRPST)
        in_consultation = Contract.objects.filter(
            region_id=user.scope.region_code, status=ContractStatus.CONSULTATION
        ).exclude(Exists(given))
        sections.append(
            _section(
                "crpst_consultations",
                "Contrats en consultation devant le CRPST",
                in_consultation,
                lambda c: TodoLine(
                    c.title, detail="avis du CRPST à rendre (enregistré par la DREETS avec le procès-verbal)"
                ),
                with_lines=with_lines,
                order=("negotiation_started_on", "pk"),
            )
        )
    return sections
