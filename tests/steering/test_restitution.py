"""Each service's restitution: its figures, its anonymous position in its region (only from 5 services)."""

import pytest
from django.urls import reverse

from cpom.accounts.enums import Role
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report
from cpom.reports.services import return_for_correction, save_values, submit, validate
from cpom.steering.consolidation import _quartiles, positions
from tests.contracts.test_pages import make_draft, sign
from tests.factories import ApprovalFactory, SpstiFactory, UserFactory
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def test_quartiles_are_interpolated():
    assert _quartiles([10, 20, 30, 40, 50]) == (20.0, 30.0, 40.0)
    assert _quartiles([1, 2, 3, 4]) == (1.8, 2.5, 3.2)


@pytest.fixture
def region_of_five(reference, dreets_agent, admin):
    services = []
    for department in ["35", "29", "22", "56", "35"]:
        spsti = SpstiFactory(department=department, departments=[department], employees_followed=10_000)
        ApprovalFactory(spsti=spsti)
        sign(make_draft(spsti, dreets_agent), dreets_agent)
        services.append(spsti)
    ensure_reports(YEAR)
    for index, spsti in enumerate(services, start=1):
        report = Report.objects.get(spsti=spsti, year=YEAR)
        save_values(by=None, report=report, values={"ETAB_FORMES|TMS": str(10 * index)}, version=1)
        submit(by=None, report=report)
        if index == 1:
            report = return_for_correction(by=dreets_agent, report=report, comment="Merci de préciser les COG.")
            save_values(by=None, report=report, values={"ETAB_FORMES|TMS": "10"}, version=report.version)
            submit(by=None, report=report)
        validate(by=admin, report=report)
    return services


def test_a_service_sees_its_quartile_among_five_anonymous_peers(region_of_five):
    lowest, highest = region_of_five[0], region_of_five[-1]
    [position] = positions(YEAR, highest)
    assert (position.per_10000, position.peers, position.quartiles, position.quartile) == (
        50.0,
        5,
        (20.0, 30.0, 40.0),
        4,
    )
    assert positions(YEAR, lowest)[0].quartile == 1


def test_under_five_services_the_distribution_is_hidden(region_of_five):
    Report.objects.filter(spsti=region_of_five[1]).update(status="transmis")
    [position] = positions(YEAR, region_of_five[0])
    assert position.peers == 4 and position.quartiles is None and position.quartile is None


def test_the_restitution_page_shows_figures_position_and_the_agents_comment(region_of_five, login, read_table):
    spsti = region_of_five[0]
    referent = UserFactory(role=Role.SPSTI_REFERENT, organisation=spsti)
    client = login(referent)
    url = reverse("steering:restitution", args=[spsti.pk]) + f"?annee={YEAR}"
    page = client.get(url)
    content = page.content.decode()
    assert page.status_code == 200
    assert "1er quartile" in content and "Merci de préciser les COG." in content
    [position] = read_table(client, url, "position").values()
    assert (position["Votre service"], position["Services de la région"]) == ("10,0", "5")
    spread = [position[f"Répartition régionale — {q}"] for q in ("1er quartile", "Médiane", "3e quartile")]
    assert spread == ["20,0", "30,0", "40,0"] and position["Votre quartile"] == "1er quartile"
    own = read_table(client, url, "chiffres")
    assert [row[str(YEAR)] for row in own.values()] == ["10"]
    for other in region_of_five[1:]:
        assert other.name not in content, "peers are never named"
        assert other.name not in client.get(url + "&tableau=position&format=csv").content.decode("utf-8-sig")


def test_under_five_services_the_page_says_why_the_distribution_is_hidden(region_of_five, login, read_table):
    Report.objects.filter(spsti=region_of_five[1]).update(status="transmis")
    referent = UserFactory(role=Role.SPSTI_REFERENT, organisation=region_of_five[0])
    url = reverse("steering:restitution", args=[region_of_five[0].pk]) + f"?annee={YEAR}"
    [position] = read_table(login(referent), url, "position").values()
    assert position["Répartition régionale — Médiane"] == "non affichée : moins de 5 services"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dreets_agent", 200), ("national", 200), ("dreets_agent_other_region", 404), ("social_partner", 403)],
)
def test_the_restitution_opens_only_within_scope(request, region_of_five, login, persona, status):
    url = reverse("steering:restitution", args=[region_of_five[0].pk])
    assert login(request.getfixturevalue(persona)).get(url).status_code == status


def test_another_service_cannot_open_a_restitution(region_of_five, login):
    referent = UserFactory(role=Role.SPSTI_REFERENT, organisation=region_of_five[1])
    url = reverse("steering:restitution", args=[region_of_five[0].pk])
    assert login(referent).get(url).status_code == 404


def test_with_exactly_five_peers_the_quartiles_are_not_exact_peer_values():
    """Issue 16, item 9: with 5 peers the 1st quartile, median and 3rd quartile fall on the 2nd, 3rd and 4th peers;
    they are published rounded to two significant digits — a range, never a peer's exact figure."""
    peers = [12.3, 23.4, 34.6, 45.7, 56.8]
    quartiles = _quartiles(peers)
    assert quartiles == (23.0, 35.0, 46.0)
    assert not set(quartiles) & set(peers)
