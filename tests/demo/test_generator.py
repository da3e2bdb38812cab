"""The demo landscape matches the report's figures (001 §27), is deterministic and idempotent."""

import datetime as dt
import statistics

import pytest
from django.db import transaction

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.demo.generator import DEMO_ACCOUNTS, DEMO_PASSWORD, MissingReferenceData, load_demo
from cpom.organisations.enums import ApprovalStatus, SpstiCategory
from cpom.organisations.models import Approval, ServiceProject, Spsti
from cpom.organisations.parties import cpom_parties
from cpom.organisations.siret import siret_error
from cpom.plans.models import CogProgramme, RegionalPlan
from cpom.reference.loader import load_reference
from cpom.territory.models import Region

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def demo(db):
    load_reference()
    return load_demo(seed=2026, today=TODAY, every_contract=False)


def _fingerprint() -> list[tuple]:
    services = Spsti.objects.order_by("code").values_list(
        "code", "name", "siret", "employees_followed", "member_companies", "headquarters_department_id"
    )
    approvals = Approval.objects.order_by("spsti__code", "start").values_list(
        "spsti__code", "start", "end", "conditional"
    )
    return list(services) + list(approvals)


def test_the_generator_refuses_to_run_without_the_reference_data(db):
    with pytest.raises(MissingReferenceData, match="load_reference"):
        load_demo(seed=1, today=TODAY)


def test_the_landscape_follows_the_report_figures(demo):
    active = list(Spsti.objects.active())
    sizes = [spsti.employees_followed for spsti in active]
    assert 195 <= len(active) <= 215
    assert 17_500_000 <= sum(sizes) <= 18_500_000
    assert 83_000 <= statistics.mean(sizes) <= 90_000
    assert sum(size < 100_000 for size in sizes) / len(sizes) >= 0.70
    largest = sorted(active, key=lambda s: s.employees_followed)[-3:]
    assert all(s.employees_followed > 400_000 for s in largest)
    assert {s.region_id for s in largest} == {"11", "32"}
    assert sum(s.category == SpstiCategory.SECTOR for s in active) == 29
    assert all(s.sector for s in active if s.category == SpstiCategory.SECTOR)
    assert set(Region.objects.values_list("code", flat=True)) == {s.region_id for s in active}


def test_approvals_are_spread_over_five_years_with_some_conditional_expiring_or_expired(demo):
    services = list(Spsti.objects.active().with_current_approval(on=TODAY))
    statuses = [s.approval_status for s in services]
    assert statuses.count(ApprovalStatus.EXPIRED) >= 3
    assert statuses.count(ApprovalStatus.EXPIRING) >= 10
    assert ApprovalStatus.NONE not in statuses
    conditional = sum(bool(s.approval_conditional) for s in services) / len(services)
    assert 0.06 <= conditional <= 0.12
    end_years = {s.approval_end.year for s in services}
    assert {TODAY.year + offset for offset in range(1, 5)} <= end_years
    assert max(s.approval_end for s in services) < dt.date(TODAY.year + 5, TODAY.month, TODAY.day)
    for approval in Approval.objects.all():
        assert approval.end > approval.start
        limit_years = 2 if approval.conditional else 5
        assert approval.end < approval.start.replace(year=approval.start.year + limit_years)


def test_every_service_has_a_valid_siret_a_service_project_and_covered_departments(demo):
    sirets = list(Spsti.objects.values_list("siret", flat=True))
    assert len(set(sirets)) == len(sirets)
    assert all(siret_error(siret) is None for siret in sirets)
    assert ServiceProject.objects.filter(spsti__dissolved_on__isnull=True).count() == Spsti.objects.active().count()
    assert not Spsti.objects.active().filter(service_projects__priorities__isnull=True).exists()
    assert not Spsti.objects.filter(departments__isnull=True).exists()


def test_a_few_services_were_absorbed_by_a_merger(demo):
    merged = Spsti.objects.filter(merged_into__isnull=False)
    assert merged.count() == 4
    for predecessor in merged:
        assert predecessor.dissolved_on < TODAY
        assert predecessor.merged_into.dissolved_on is None
        assert predecessor in predecessor.merged_into.predecessors.all()


def test_each_region_has_its_fourth_prst_with_a_handful_of_actions_and_the_cog_programmes_exist(demo):
    assert RegionalPlan.objects.filter(number=4).count() == 18
    for plan in RegionalPlan.objects.prefetch_related("actions"):
        assert 5 <= len(plan.actions.all()) <= 7
        assert any(action.theme_id == "PDP" for action in plan.actions.all())
    assert CogProgramme.objects.filter(branch="ATMP").count() >= 5


def test_the_flagship_is_prevention_sante_travail_35_signing_with_dreets_and_carsat_bretagne(demo):
    pst35 = Spsti.objects.get(code="SPSTI-PST35")
    assert pst35.name == "Prévention Santé Travail 35"
    assert pst35.siret == "77520198400017"
    assert (pst35.headquarters_department_id, pst35.city) == ("35", "Rennes")
    parties = cpom_parties(pst35)
    assert parties.state_office.name == "DREETS Bretagne"
    assert [caisse.code for caisse in parties.caisses] == ["CARSAT-BR"]
    assert Spsti.objects.active().with_current_approval(on=TODAY).get(pk=pst35.pk).approval_status == "valide"


def test_there_is_one_demo_account_per_role_each_able_to_log_in(demo):
    assert {role for _, role, _, _ in DEMO_ACCOUNTS} == set(Role)
    assert len(demo.accounts) == len(DEMO_ACCOUNTS) == User.objects.count()
    for user in User.objects.all():
        assert user.email.endswith("@cpom.test")
        assert user.check_password(DEMO_PASSWORD)
        assert user.first_name == "", "no person's name in demo data"
        user.full_clean(exclude=["password"])
    referent = User.objects.get(email="pst35@cpom.test")
    assert referent.organisation.spsti.code == "SPSTI-PST35"
    other = User.objects.get(email="spsti-bretagne@cpom.test")
    assert other.organisation.region_id == "53" and other.organisation_id != referent.organisation_id


def test_a_second_run_changes_nothing_but_resets_the_demo_passwords(demo):
    before = _fingerprint()
    user = User.objects.get(email="dgt@cpom.test")
    user.set_password("un-autre-mot-de-passe")
    user.save()
    again = load_demo(seed=2026, today=TODAY, every_contract=False)
    assert again.created is False
    assert again.counts == demo.counts
    assert _fingerprint() == before
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_the_same_seed_gives_the_same_landscape_and_another_seed_another_one(db):
    load_reference()
    fingerprints = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            load_demo(seed=seed, today=TODAY, every_contract=False)
            fingerprints.append(_fingerprint())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[0] != fingerprints[2]
