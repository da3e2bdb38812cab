"""`make run` shows contracts in every state, built through the lifecycle (so they obey R2–R8)."""

import datetime as dt

import pytest

from cpom.contracts.enums import AmendmentKind, AxisKind, ContractStatus, PartyRole
from cpom.contracts.lifecycle import current_approval
from cpom.contracts.models import Contract
from cpom.contracts.versions import diff
from cpom.core.dates import add_years
from cpom.demo.generator import load_demo
from cpom.reference.loader import load_reference

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            load_reference()
            load_demo(seed=2026, today=TODAY)
            yield
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_has_contracts_in_every_state(full_demo):
    contracts = list(Contract.objects.prefetch_related("parties", "amendments"))
    states = {(c.generation, c.status_on(TODAY)) for c in contracts}
    assert (1, ContractStatus.EXPIRED) in states
    assert (2, ContractStatus.EXPIRED) in states
    assert {ContractStatus.IN_FORCE, ContractStatus.DRAFT, ContractStatus.CONSULTATION} <= {s for g, s in states}
    assert sum(c.status_on(TODAY) == ContractStatus.IN_FORCE for c in contracts) >= 100
    terminated = [c for c in contracts if c.status == ContractStatus.TERMINATED]
    assert len(terminated) == 1 and terminated[0].termination.registered_letter_reference
    kinds = {a.kind for c in contracts for a in c.amendments.all()}
    assert kinds == {AmendmentKind.CHANGE, AmendmentKind.EXTENSION}
    regional = [c for c in contracts if sum(p.role == PartyRole.SPSTI for p in c.parties.all()) > 1]
    assert len(regional) == 1 and regional[0].region_id == "93" and regional[0].generation == 2
    assert {c.region_id for c in contracts if c.generation == 3} >= {"11", "53", "84", "93", "94"}


@pytest.mark.django_db
def test_every_signed_demo_contract_obeys_the_duration_and_approval_rules(full_demo):
    for contract in Contract.objects.exclude(start=None).prefetch_related("parties__organisation__spsti"):
        assert contract.end <= add_years(contract.start, 5) - dt.timedelta(days=1), contract.reference  # R2
        assert {c.body for c in contract.consultations.all()} == {"crpst", "ars"}  # R4
        for party in contract.parties.all():
            assert party.signed_on and party.signatory_title
            if party.role == PartyRole.SPSTI:
                approval = current_approval(party.organisation.spsti, contract.start)
                assert approval is not None and contract.end <= approval.end, contract.reference  # R3


@pytest.mark.django_db
def test_pst35_contract_is_rebuilt_from_the_real_contract_and_amended_a_year_later(full_demo):
    contract = Contract.objects.get(parties__organisation__code="SPSTI-PST35", generation=3)
    assert [p.organisation.name for p in contract.parties.order_by("role")] == [
        "Carsat Bretagne",
        "DREETS Bretagne",
        "Prévention Santé Travail 35",
    ]
    assert [axis.kind for axis in contract.axes.all()] == [
        AxisKind.PDP,
        AxisKind.PREVENTION,
        AxisKind.INTERCONNAISSANCE,
    ]
    assert "cellule" in contract.pdp_cell_composition.lower() or "médecin" in contract.pdp_cell_composition
    assert contract.status_on(TODAY) == ContractStatus.IN_FORCE
    assert contract.end == dt.date(2029, 6, 30)  # the approval's end (R3)
    first, second = contract.versions.all()
    changes = diff(first.snapshot, second.snapshot)
    added = [c for c in changes if c.kind == "ajout" and c.field == "intitulé"]
    assert [c.after for c in added] == ["Prévenir les chutes de hauteur et de plain-pied"]
    themes = set(contract.indicators.values_list("theme_id", flat=True))
    assert {"PDP", "TMS", "RPS", "CHUTES", "INTERCO"} <= themes


@pytest.mark.django_db
def test_the_demo_has_two_years_of_reports_in_every_state_including_pst35_for_last_year(full_demo):
    from cpom.reports.models import Report

    states = {(r.year, r.status, r.values.exists()) for r in Report.objects.prefetch_related("values")}
    last = TODAY.year - 1
    assert {(last, s, True) for s in ("valide", "transmis", "a_corriger", "brouillon")} <= states
    assert (last, "brouillon", False) in states, "some services have not started"
    assert any(year == last - 1 for year, _, _ in states)
    pst35 = Report.objects.get(spsti__code="SPSTI-PST35", year=last)
    assert pst35.status == "valide"
    assert pst35.values.filter(indicator_id="ETAB_FORMES", theme_id="TMS").exists()
