"""Rule R1: the parties of a service's CPOM are the service, the State office of its region and the caisse(s)
covering its approval zone — a caisse is not a region."""

import datetime as dt

import pytest

from cpom.core.errors import DomainError
from cpom.organisations.parties import cpom_parties, zone_department_codes
from cpom.territory.models import Department, Region

from ..factories import ApprovalFactory, SpstiFactory


def _codes(organisations) -> list[str]:
    return [organisation.code for organisation in organisations]


def test_a_moselle_service_signs_with_carsat_alsace_moselle(reference):
    spsti = ApprovalFactory(spsti=SpstiFactory(department="57")).spsti
    parties = cpom_parties(spsti)
    assert (parties.state_office.code, parties.state_office.name) == ("ETAT-44", "DREETS Grand Est")
    assert [(caisse.code, caisse.name) for caisse in parties.caisses] == [("CARSAT-AM", "Carsat Alsace-Moselle")]
    assert parties.signatories == (spsti, parties.state_office, *parties.caisses)


def test_a_marne_service_of_the_same_region_signs_with_carsat_nord_est_instead(reference):
    parties = cpom_parties(ApprovalFactory(spsti=SpstiFactory(department="51")).spsti)
    assert parties.state_office.name == "DREETS Grand Est"
    assert [(caisse.code, caisse.name) for caisse in parties.caisses] == [("CARSAT-NE", "Carsat Nord-Est")]


@pytest.mark.parametrize("department", ["2A", "2B"])
def test_a_corsican_service_signs_with_dreets_corse_and_carsat_sud_est(reference, department):
    parties = cpom_parties(ApprovalFactory(spsti=SpstiFactory(department=department)).spsti)
    assert (parties.state_office.code, parties.state_office.name) == ("ETAT-94", "DREETS Corse")
    assert [(caisse.code, caisse.name) for caisse in parties.caisses] == [("CARSAT-SE", "Carsat Sud-Est")]
    assert parties.ars.code == "ARS-94"


def test_a_service_whose_zone_spans_auvergne_and_rhone_alpes_signs_with_both_caisses(reference):
    spsti = SpstiFactory(department="63", departments=["63", "69"])
    ApprovalFactory(spsti=spsti, zones=["63", "69"])
    parties = cpom_parties(spsti)
    assert parties.state_office.name == "DREETS Auvergne-Rhône-Alpes"
    assert [(caisse.code, caisse.name) for caisse in parties.caisses] == [
        ("CARSAT-AU", "Carsat Auvergne"),
        ("CARSAT-RA", "Carsat Rhône-Alpes"),
    ]
    assert len(parties.signatories) == 4


def test_a_paris_service_signs_with_the_drieets_and_the_cramif(reference):
    parties = cpom_parties(ApprovalFactory(spsti=SpstiFactory(department="75")).spsti)
    assert (parties.state_office.code, parties.state_office.name) == ("ETAT-11", "DRIEETS Île-de-France")
    assert [(caisse.code, caisse.name) for caisse in parties.caisses] == [
        ("CRAMIF", "Caisse régionale d'assurance maladie d'Île-de-France")
    ]


def test_the_ars_of_the_region_is_consulted_but_does_not_sign(reference):
    parties = cpom_parties(ApprovalFactory(spsti=SpstiFactory(department="35")).spsti)
    assert parties.ars.code == "ARS-53"
    assert parties.ars not in parties.signatories
    assert _codes(parties.signatories[1:]) == ["ETAT-53", "CARSAT-BR"]


def test_the_approval_zone_decides_the_caisses_not_the_headquarters_region(reference):
    # Headquarters in Auvergne (63), approved for 63 and 03 only: one caisse, although the region has two.
    spsti = SpstiFactory(department="63", departments=["63", "03", "69"])
    ApprovalFactory(spsti=spsti, zones=["63", "03"])
    assert sorted(zone_department_codes(spsti)) == ["03", "63"]
    assert _codes(cpom_parties(spsti).caisses) == ["CARSAT-AU"]


def test_the_most_recent_approval_zone_is_the_one_that_counts(reference):
    spsti = SpstiFactory(department="63", departments=["63", "69"])
    old = ApprovalFactory(spsti=spsti, zones=["63"])
    ApprovalFactory(spsti=spsti, zones=["63", "69"], start=old.end + dt.timedelta(days=1))
    assert _codes(cpom_parties(spsti).caisses) == ["CARSAT-AU", "CARSAT-RA"]


def test_without_approval_the_covered_departments_decide(reference):
    spsti = SpstiFactory(department="01", departments=["01", "03"])
    assert sorted(zone_department_codes(spsti)) == ["01", "03"]
    assert _codes(cpom_parties(spsti).caisses) == ["CARSAT-AU", "CARSAT-RA"]


def test_a_region_without_a_state_office_is_refused_naming_r1(reference):
    region = Region.objects.create(code="99", name="Région d'essai")
    Department.objects.create(code="999", name="Département d'essai", region=region)
    spsti = SpstiFactory(department="999")
    with pytest.raises(DomainError) as error:
        cpom_parties(spsti)
    assert error.value.rule == "R1"
    assert "Aucun service régional de l'État n'est enregistré pour la région Région d'essai" in error.value.message
