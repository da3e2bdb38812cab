"""Data for the contract tests, built directly through the model and the domain functions (no factories).

Dates are fixed so that every rule (approval end, 5-year cap, order of opinions and signatures) is checked on
known days, whatever the day the suite runs:

- service A (Ille-et-Vilaine) is approved from 01/01/2023 to 31/12/2027 on zone 35;
- negotiation opens on 15/01/2024, the draft leaves for consultation on 01/03/2024;
- the CRPST gives its opinion on 20/03/2024, the ARS on 02/04/2024;
- the parties sign on 15/04, 20/04 and 02/05/2024: the contract is in force from 02/05/2024 to 31/12/2026.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.contracts import lifecycle, services
from cpom.contracts.attachments import AttachedDocument
from cpom.contracts.enums import AxisKind, ConsultedBody, ContractStatus, Opinion, PartyRole
from cpom.contracts.models import (
    Action,
    AmendmentSignature,
    BilateralConvention,
    Campaign,
    Commitment,
    Contract,
    ContractComment,
    ContractVersion,
    Target,
    Termination,
)
from cpom.core.errors import DomainError
from cpom.indicators.models import Theme
from cpom.organisations.models import Approval, Organisation, Spsti
from cpom.organisations.siret import luhn_complete

PASSWORD = "Mot-de-passe-des-tests-CPOM-2026"

APPROVAL_START = dt.date(2023, 1, 1)
APPROVAL_END = dt.date(2027, 12, 31)
NEGOTIATION = dt.date(2024, 1, 15)
TERMS_DAY = dt.date(2024, 2, 1)
CONSULTATION = dt.date(2024, 3, 1)
CRPST_OPINION = dt.date(2024, 3, 20)
ARS_OPINION = dt.date(2024, 4, 2)
SIGNATURES = {PartyRole.SPSTI: dt.date(2024, 4, 15), PartyRole.STATE: dt.date(2024, 4, 20)}
LAST_SIGNATURE = dt.date(2024, 5, 2)  # the caisse signs last: the contract takes effect that day
PLANNED_END = dt.date(2026, 12, 31)
PDP_CELL = "Un médecin du travail, un infirmier en santé au travail et un chargé de maintien en emploi."

_sirets = itertools.count(1)


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def theme(code: str) -> Theme:
    return Theme.objects.get(pk=code)


def make_service(
    code: str,
    name: str,
    *,
    headquarters: str,
    departments: list[str] | None = None,
    approval: tuple[dt.date, dt.date] | None = (APPROVAL_START, APPROVAL_END),
    zones: list[str] | None = None,
) -> Spsti:
    """A service, its covered departments and (by default) its approval on those departments."""
    spsti = Spsti(
        code=code,
        name=name,
        short_name=name,
        siret=luhn_complete(f"{700_000_000_000 + next(_sirets):013d}"),
        headquarters_department_id=headquarters,
        employees_followed=42_000,
        member_companies=3_500,
    )
    spsti.save()
    departments = departments or [headquarters]
    spsti.departments.set(departments)
    if approval is not None:
        add_approval(spsti, *approval, zones=zones or departments)
    return Spsti.objects.get(pk=spsti.pk)


def add_approval(spsti: Spsti, start: dt.date, end: dt.date, *, zones: list[str]) -> Approval:
    approval = Approval.objects.create(spsti=spsti, start=start, end=end, decision_reference=f"AGR-{spsti.code}")
    approval.zones.set(zones)
    return approval


def make_user(email: str, role: str, organisation_code: str | Organisation) -> User:
    org = organisation_code if isinstance(organisation_code, Organisation) else organisation(organisation_code)
    return User.objects.create_user(email, PASSWORD, role=role, organisation=org)


@dataclass
class World:
    service: Spsti  # service A, Ille-et-Vilaine
    dreets: User  # DREETS Bretagne agent
    caisse: User  # Carsat Bretagne agent
    referent: User  # service A's referent
    ars: User  # ARS Bretagne reader
    partner: User  # CRPST Bretagne member
    pilot: User  # Bretagne regional cell pilot
    national: User  # DGT
    dreets_other: User  # DRIEETS Île-de-France agent

    @property
    def approval(self) -> Approval:
        return self.service.approvals.get()


def build_world() -> World:
    """Needs the reference data (the `reference` fixture of tests/conftest.py)."""
    service = make_service("SPSTI-A", "Prévention Santé Travail 35", headquarters="35")
    return World(
        service=service,
        dreets=make_user("agent@dreets-bretagne.test", Role.DREETS_AGENT, "ETAT-53"),
        caisse=make_user("agent@carsat-bretagne.test", Role.CAISSE_AGENT, "CARSAT-BR"),
        referent=make_user("referent@pst35.test", Role.SPSTI_REFERENT, service),
        ars=make_user("lecteur@ars-bretagne.test", Role.ARS_READER, "ARS-53"),
        partner=make_user("membre@crpst-bretagne.test", Role.SOCIAL_PARTNER, "CRPST-53"),
        pilot=make_user("pilote@dreets-bretagne.test", Role.REGIONAL_PILOT, "ETAT-53"),
        national=make_user("cellule@dgt.test", Role.NATIONAL, "DGT"),
        dreets_other=make_user("agent@drieets-idf.test", Role.DREETS_AGENT, "ETAT-11"),
    )


# --- contracts at each step -------------------------------------------------------------------------------------


def draft(by, *spstis: Spsti, campaign: Campaign | None = None, generation: int = 3, on=NEGOTIATION) -> Contract:
    return lifecycle.create_draft(
        by=by, services=list(spstis), campaign=campaign, generation=None if campaign else generation, on=on
    )


def axis(contract: Contract, kind: str):
    """The axis of the text being edited: the draft, or an open amendment's proposed text."""
    try:
        text = lifecycle.editable_version(contract)
    except DomainError:
        text = contract.current_version
    return text.axes.get(kind=kind)


def add_action(by, contract: Contract, kind: str, theme_code: str | None, title: str = ""):
    return services.save_action(
        by=by,
        axis=axis(contract, kind),
        data=services.ActionData(
            title=title or f"Action {theme_code}", theme=theme(theme_code) if theme_code else None
        ),
    )


def set_terms(by, contract: Contract, *, pdp_cell: str = PDP_CELL, planned_end=PLANNED_END, on=TERMS_DAY) -> Contract:
    contract.refresh_from_db()
    return services.update_general_terms(
        by=by,
        contract=contract,
        terms=services.GeneralTerms(
            title=contract.title,
            context="Contexte régional.",
            general_objectives="Objectifs partagés.",
            pdp_cell_composition=pdp_cell,
            planned_end=planned_end,
            signature_place="Rennes",
        ),
        on=on,
    )


def complete(by, contract: Contract, *, prevention_theme: str = "TMS", planned_end=PLANNED_END) -> Contract:
    """What R5 and R6 ask of a third-generation draft: a PDP action, a prevention action, the PDP cell."""
    add_action(by, contract, AxisKind.PDP, "PDP", "Cellule PDP")
    add_action(by, contract, AxisKind.PREVENTION, prevention_theme)
    set_terms(by, contract, planned_end=planned_end)
    contract.refresh_from_db()
    return contract


def complete_draft(world: World, *spstis: Spsti, by=None, campaign=None) -> Contract:
    by = by or world.dreets
    return complete(by, draft(by, *(spstis or (world.service,)), campaign=campaign))


def in_consultation(by, contract: Contract, on=CONSULTATION) -> Contract:
    lifecycle.send_for_consultation(by=by, contract=contract, on=on)
    contract.refresh_from_db()
    return contract


def scan(name: str = "scan.pdf") -> AttachedDocument:
    """A scanned paper document (a PDF without electronic signature)."""
    return AttachedDocument(name=name, data=b"%PDF-1.4\n% document scanne pour les tests\n%%EOF\n")


_SIGNING_ROLE = {
    PartyRole.SPSTI: Role.SPSTI_REFERENT,
    PartyRole.STATE: Role.DREETS_AGENT,
    PartyRole.CAISSE: Role.CAISSE_AGENT,
}


def own_account(party) -> User:
    """An account of the party's own organisation, able to sign for it (made on first use)."""
    found = User.objects.filter(organisation_id=party.organisation_id, role=_SIGNING_ROLE[party.role]).first()
    if found:
        return found
    return make_user(f"signataire-{party.organisation_id}@parties.test", _SIGNING_ROLE[party.role], party.organisation)


def ars_account(contract: Contract) -> User:
    ars = Organisation.objects.get(kind="ars", region_id=contract.region_id)
    return User.objects.filter(organisation=ars).first() or make_user(f"ars-{ars.pk}@ars.test", Role.ARS_READER, ars)


def ready(by, contract: Contract) -> Contract:
    """The CRPST's opinion recorded by the DREETS with the minutes, the ARS's by the ARS itself (R4)."""
    lifecycle.record_opinion(
        by=by,
        contract=contract,
        body=ConsultedBody.CRPST,
        given_on=CRPST_OPINION,
        opinion=Opinion.FAVOURABLE,
        document=scan("pv-crpst.pdf"),
    )
    lifecycle.record_opinion(
        by=ars_account(contract),
        contract=contract,
        body=ConsultedBody.ARS,
        given_on=ARS_OPINION,
        opinion=Opinion.RESERVED,
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.READY
    return contract


def sign_all(by, contract: Contract) -> Contract:
    """Each party signs from its own account (`by` is kept for the callers: it records nothing for another)."""
    for party in contract.parties.order_by("pk"):
        lifecycle.record_signature(
            by=own_account(party),
            contract=contract,
            party=party,
            signed_on=SIGNATURES.get(party.role, LAST_SIGNATURE),
            signatory_title=f"Direction — {party.get_role_display()}",
        )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE
    return contract


def signed_contract(world: World, *spstis: Spsti, by=None) -> Contract:
    by = by or world.dreets
    return sign_all(by, ready(by, in_consultation(by, complete_draft(world, *spstis, by=by))))


def party(contract: Contract, code: str):
    return contract.parties.get(organisation__code=code)


def sign_amendment_by_all(by, amendment, on) -> None:
    """Each party signs the amendment from its own account."""
    for contract_party in amendment.contract.parties.order_by("pk"):
        lifecycle.sign_amendment(
            by=own_account(contract_party),
            amendment=amendment,
            party=contract_party,
            signed_on=on,
            signatory_title="Dir.",
        )


# --- what a refusal must leave untouched ------------------------------------------------------------------------


def contract_state(contract: Contract) -> dict:
    """Everything stored about a contract, re-read from the database."""
    row = Contract.objects.get(pk=contract.pk)
    return {
        "row": {
            name: getattr(row, name)
            for name in (
                "status",
                "title",
                "start",
                "end",
                "planned_end",
                "version",
                "updated_at",
                "generation",
            )
        },
        "pdp_cell_composition": row.current_version.pdp_cell_composition,
        "parties": sorted(row.parties.values_list("organisation_id", "role", "signed_on", "signatory_title")),
        "consultations": sorted(row.consultations.values_list("body", "given_on", "opinion")),
        "axes": sorted(row.axes.values_list("number", "kind", "title")),
        "actions": sorted(
            (n, number, title, theme_id or "")
            for n, number, title, theme_id in Action.objects.filter(axis__version__contract=row).values_list(
                "axis__number", "number", "title", "theme_id"
            )
        ),
        "indicators": sorted((i, t or "") for i, t in row.indicators.values_list("indicator_id", "theme_id")),
        "targets": sorted(
            Target.objects.filter(contract_indicator__version__contract=row).values_list(
                "contract_indicator__indicator_id", "year", "value"
            )
        ),
        "commitments": sorted(Commitment.objects.filter(version__contract=row).values_list("party_role", "text")),
        "conventions": sorted(
            BilateralConvention.objects.filter(version__contract=row).values_list("caisse_id", "title")
        ),
        "comments": ContractComment.objects.filter(contract=row).count(),
        "amendments": sorted(row.amendments.values_list("number", "kind", "status", "new_end", "applied_on")),
        "amendment_signatures": AmendmentSignature.objects.filter(amendment__contract=row).count(),
        "termination": Termination.objects.filter(contract=row).exists(),
        "versions": sorted(
            ContractVersion.objects.filter(contract=row).values_list("number", "label", "status", "effective_on")
        ),
    }


def refusal(call, **kwargs) -> DomainError:
    """Call a domain function that must refuse; return the refusal."""
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


def assert_names_rule(error: DomainError, rule: str) -> None:
    """The refusal is tagged with the rule and its French message names it."""
    assert error.rule == rule, error.message
    assert rule in error.message, error.message
