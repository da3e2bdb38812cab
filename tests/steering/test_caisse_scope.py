"""Issue 16, items 1 and 9: a caisse covering part of a region sees named, per-service figures only for the
services headquartered in its departments — in the pages, the exports and the API — and the aggregates of the
region; social partners see no named service's figures at all."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cpom.accounts.enums import Role
from cpom.contracts.campaigns import open_campaign
from cpom.organisations.enums import CaisseType, OrganisationKind
from cpom.organisations.models import Organisation, Spsti
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report
from cpom.reports.services import reports_visible_to, save_values, submit, validate
from cpom.territory.models import Department, Region
from tests.contracts.test_pages import make_draft, sign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def partial_caisse(reference):
    """A caisse of Bretagne covering Ille-et-Vilaine (35) only — as CARSAT Auvergne covers 4 departments of 12."""
    caisse = Organisation.objects.create(
        kind=OrganisationKind.CAISSE,
        caisse_type=CaisseType.CARSAT,
        code="CARSAT-35",
        name="Caisse d'essai 35",
        region=Region.objects.get(code="53"),
    )
    caisse.departments.set([Department.objects.get(code="35")])
    return UserFactory(email="agent@caisse-35.test", role=Role.CAISSE_AGENT, organisation=caisse)


@pytest.fixture
def reported(services, dreets_agent, admin):
    for key in ("A", "B"):
        sign(make_draft(services[key], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    for report in Report.objects.filter(year=YEAR):
        save_values(by=None, report=report, values={"ETAB_ACCOMPAGNES|TMS": "12"}, version=1)
        submit(by=None, report=report)
        validate(by=admin, report=report)
    return services


def _matrix_csv(client) -> str:
    url = reverse("steering:regional", args=["53"]) + f"?annee={YEAR}&tableau=matrice&format=csv"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _api_matrix(client) -> list:
    response = client.get(f"/api/dashboards/regions/53/tables?year={YEAR}")
    assert response.status_code == 200
    return next(table for table in response.json() if table["slug"] == "matrice")["rows"]


def test_a_partial_caisse_sees_only_its_departments_services_in_the_matrix(reported, partial_caisse, login):
    client = login(partial_caisse)
    content = _matrix_csv(client)
    assert reported["A"].name in content and reported["B"].name not in content
    assert [row[0] for row in _api_matrix(client)] == [reported["A"].name]


def test_the_partial_caisse_reads_the_aggregates_of_the_whole_region(reported, partial_caisse, dreets_agent, login):
    def themes(client):
        url = reverse("steering:regional", args=["53"]) + f"?annee={YEAR}&tableau=thematiques&format=csv"
        return client.get(url).content.decode()

    assert themes(login(partial_caisse)) == themes(login(dreets_agent)), "regional aggregates are allowed"


def test_one_rule_for_the_registry_the_restitution_and_the_reports(reported, partial_caisse, login):
    assert set(Spsti.objects.visible_to(partial_caisse)) == {reported["A"]}
    assert reported["B"].pk not in set(reports_visible_to(partial_caisse).values_list("spsti_id", flat=True))
    client = login(partial_caisse)
    assert client.get(reverse("steering:restitution", args=[reported["B"].pk])).status_code == 404
    assert client.get(reverse("steering:restitution", args=[reported["A"].pk])).status_code == 200
    other = Report.objects.get(spsti=reported["B"], year=YEAR)
    assert client.get(f"/api/reports/{other.pk}").status_code == 404
    registry = client.get(reverse("organisations:spsti_list")).content.decode()
    assert reported["A"].name in registry and reported["B"].name not in registry


def test_a_service_headquartered_elsewhere_is_not_named_to_the_caisse(services, caisse_agent):
    """Covering one of its departments is not enough: the headquarters decide (DESIGN §2)."""
    from tests.factories import SpstiFactory

    nantes = SpstiFactory(name="Service de Nantes et de Rennes", department="44", departments=["44", "35"])
    assert nantes not in Spsti.objects.visible_to(caisse_agent)


def test_social_partners_see_no_named_service_in_the_matrix(reported, social_partner, login):
    client = login(social_partner)
    content = _matrix_csv(client)
    assert reported["A"].name not in content and reported["B"].name not in content
    page = client.get(reverse("steering:regional", args=["53"]) + f"?annee={YEAR}").content.decode()
    assert "chiffres agrégés seulement" in page
    assert _api_matrix(client) == []


def test_the_caisse_menu_opens_the_regional_dashboard_and_the_campaigns(reported, partial_caisse, admin, login):
    bretagne = Region.objects.get(code="53")
    open_campaign(by=admin, region=bretagne, generation=4, title="CPOM 4 Bretagne", on=timezone.localdate())
    client = login(partial_caisse)
    items = {item["label"]: item["url"] for item in client.get(reverse("workspace:home")).context["nav_items"]}
    assert items["Tableau de bord"] == reverse("steering:regional", args=["53"])
    assert client.get(items["Tableau de bord"]).status_code == 200
    campaigns = client.get(items["Campagnes"]).content.decode()
    assert "CPOM 4 Bretagne" in campaigns
