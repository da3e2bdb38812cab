"""The registry list: filters (region, department, approval status), search by name or SIRET prefix,
20 services a page, and a number of queries that does not grow with the number of services."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpom.core.dates import add_months, add_years
from cpom.organisations.enums import ApprovalStatus
from cpom.organisations.models import EXPIRING_WINDOW_MONTHS, Spsti

from ..conftest import assert_no_invalid_variable
from ..factories import ApprovalFactory, SpstiFactory, today

LIST = reverse("organisations:spsti_list")


def _listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [spsti.name for spsti in response.context["page_obj"]]


@pytest.fixture
def statuses(reference):
    """One Bretagne service per approval status, named after it, as of today."""
    day = today()
    valid = ApprovalFactory(spsti=SpstiFactory(name="Valide", department="35")).spsti
    expiring = ApprovalFactory(
        spsti=SpstiFactory(name="Échéance proche", department="35"),
        start=add_years(day, -4),
        end=add_months(day, 3),
    ).spsti
    expired = ApprovalFactory(
        spsti=SpstiFactory(name="Expiré", department="29"),
        start=add_years(day, -5),
        end=day - dt.timedelta(days=1),
    ).spsti
    conditional = ApprovalFactory(spsti=SpstiFactory(name="Conditionnel", department="56"), conditional=True).spsti
    without = SpstiFactory(name="Sans agrément", department="22")
    return {"valid": valid, "expiring": expiring, "expired": expired, "conditional": conditional, "none": without}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # "valide": every service approved today, those expiring soon and the conditional ones included.
        ("valide", ["Conditionnel", "Valide", "Échéance proche"]),
        ("echeance", ["Échéance proche"]),
        ("expire", ["Expiré"]),
        ("conditionnel", ["Conditionnel"]),
        ("aucun", ["Sans agrément"]),
        ("", ["Conditionnel", "Expiré", "Sans agrément", "Valide", "Échéance proche"]),
    ],
)
def test_the_registry_filters_on_the_approval_status(status, expected, statuses, dreets_agent, login):
    assert _listed(login(dreets_agent), status=status) == expected


def test_each_service_shows_the_badge_of_its_approval_status(statuses, dreets_agent, login):
    response = login(dreets_agent).get(LIST)
    by_name = {spsti.name: spsti for spsti in response.context["page_obj"]}
    assert {name: spsti.approval_status for name, spsti in by_name.items()} == {
        "Valide": ApprovalStatus.VALID,
        "Échéance proche": ApprovalStatus.EXPIRING,
        "Expiré": ApprovalStatus.EXPIRED,
        "Conditionnel": ApprovalStatus.VALID,
        "Sans agrément": ApprovalStatus.NONE,
    }
    content = response.content.decode()
    for badge in (
        'fr-badge--success">Agrément en cours',
        'fr-badge--warning">Échéance dans les 6 mois',
        'fr-badge--error">Agrément expiré',
        'fr-badge--new">Conditionnel',
        'fr-badge--info">Sans agrément',
    ):
        assert badge in content, badge
    assert content.count('fr-badge--success">Agrément en cours') == 2  # "Valide" and "Conditionnel"
    assert_no_invalid_variable(response)


def test_the_six_month_window_ends_on_the_same_day_six_months_later(reference):
    day = today()
    limit = add_months(day, EXPIRING_WINDOW_MONTHS)
    on_limit = ApprovalFactory(spsti=SpstiFactory(name="Limite"), start=add_years(day, -4), end=limit).spsti
    after = ApprovalFactory(
        spsti=SpstiFactory(name="Lendemain"), start=add_years(day, -4), end=limit + dt.timedelta(days=1)
    ).spsti
    last_day = ApprovalFactory(spsti=SpstiFactory(name="Dernier jour"), start=add_years(day, -4), end=day).spsti
    statuses = dict(Spsti.objects.with_current_approval(on=day).values_list("pk", "approval_status"))
    assert statuses[on_limit.pk] == ApprovalStatus.EXPIRING
    assert statuses[after.pk] == ApprovalStatus.VALID
    assert statuses[last_day.pk] == ApprovalStatus.EXPIRING  # still valid on its last day


def test_the_approval_in_force_wins_over_an_older_or_a_future_one(reference):
    day = today()
    spsti = SpstiFactory()
    ApprovalFactory(spsti=spsti, start=add_years(day, -6), end=add_years(day, -1) - dt.timedelta(days=1))
    current = ApprovalFactory(spsti=spsti, start=add_years(day, -1), end=add_months(day, 2))
    ApprovalFactory(spsti=spsti, start=current.end + dt.timedelta(days=1), end=add_years(day, 4))
    annotated = Spsti.objects.with_current_approval(on=day).get(pk=spsti.pk)
    assert (annotated.approval_start, annotated.approval_end) == (current.start, current.end)
    assert annotated.approval_status == ApprovalStatus.EXPIRING
    only_future = SpstiFactory()
    ApprovalFactory(spsti=only_future, start=day + dt.timedelta(days=1))
    assert Spsti.objects.with_current_approval(on=day).get(pk=only_future.pk).approval_status == ApprovalStatus.NONE


def test_the_registry_filters_on_the_region(services, national, login):
    client = login(national)
    assert _listed(client, region="11") == [services["IDF"].name]
    assert _listed(client, region="53") == sorted([services["A"].name, services["B"].name])
    assert _listed(client, region="44") == []


def test_the_registry_filters_on_a_covered_department(services, dreets_agent, login):
    SpstiFactory(name="Service breton multi-départements", department="56", departments=["56", "29"])
    client = login(dreets_agent)
    assert _listed(client, department="29") == ["Santé au travail du Finistère", "Service breton multi-départements"]
    assert _listed(client, department="35") == [services["A"].name]


def test_a_region_outside_the_agent_scope_does_not_widen_it(services, dreets_agent, login):
    response = login(dreets_agent).get(LIST, {"region": "11"})
    assert "region" in response.context["form"].errors
    assert {spsti.pk for spsti in response.context["page_obj"]} == {services["A"].pk, services["B"].pk}


def test_the_filter_offers_only_the_regions_and_departments_of_the_scope(services, dreets_agent, national, login):
    form = login(dreets_agent).get(LIST).context["form"]
    assert [code for code, _ in form.fields["region"].choices] == ["", "53"]
    assert [code for code, _ in form.fields["department"].choices] == ["", "22", "29", "35", "56"]
    national_form = login(national).get(LIST).context["form"]
    assert len(national_form.fields["region"].choices) == 18 + 1
    assert len(national_form.fields["department"].choices) == 101 + 1


def test_the_registry_searches_by_name_ignoring_case(services, national, login):
    client = login(national)
    assert _listed(client, q="finistère") == ["Santé au travail du Finistère"]
    assert _listed(client, q="SANTé") == ["Prévention Santé Travail Ille-et-Vilaine", "Santé au travail du Finistère"]
    assert _listed(client, q="Paris") == ["Service interentreprises de Paris"]


def test_the_registry_searches_by_siret_prefix_typed_with_spaces(services, national, login):
    client = login(national)
    siret = services["B"].siret
    assert _listed(client, q=siret) == [services["B"].name]
    assert _listed(client, q=f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}") == [services["B"].name]
    common_prefix = siret[:9]  # the factories' SIRETs share their first digits
    assert len(_listed(client, q=common_prefix)) == 3
    assert _listed(client, q="999") == []


def test_filters_combine(statuses, services, dreets_agent, login):
    client = login(dreets_agent)
    assert _listed(client, status="valide", department="35") == [
        "Prévention Santé Travail Ille-et-Vilaine",
        "Valide",
        "Échéance proche",
    ]
    assert _listed(client, status="expire", q="expi") == ["Expiré"]
    assert _listed(client, status="expire", department="35") == []


def test_the_registry_shows_twenty_services_a_page(reference, dreets_agent, login):
    for number in range(45):
        SpstiFactory(name=f"Service {number:02d}", department="35")
    client = login(dreets_agent)
    first = client.get(LIST)
    assert len(first.context["page_obj"]) == 20
    assert first.context["page_obj"].paginator.num_pages == 3
    assert "45 services" in first.content.decode()
    assert "1 / 3" in first.content.decode()
    assert _listed(client, page=3) == [f"Service {number:02d}" for number in range(40, 45)]
    assert _listed(client, page=99) == _listed(client, page=3)  # past the end: the last page
    assert _listed(client, page="abc") == _listed(client)  # not a number: the first page


def test_pagination_links_keep_the_filters(reference, dreets_agent, login):
    for number in range(25):
        SpstiFactory(name=f"Service {number:02d}", department="35")
    response = login(dreets_agent).get(LIST, {"q": "Service", "department": "35", "page": "1"})
    assert response.context["querystring"] == "q=Service&department=35"
    assert 'href="?q=Service&amp;department=35&amp;page=2"' in response.content.decode()


def _create_services(count: int) -> None:
    departments = ["35", "29", "56", "22"]
    for number in range(count):
        spsti = SpstiFactory(
            name=f"Service {Spsti.objects.count():03d}",
            department=departments[number % 4],
            departments=[departments[number % 4], departments[(number + 1) % 4]],
        )
        ApprovalFactory(spsti=spsti, conditional=number % 3 == 0)


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_list_runs_the_same_number_of_queries_for_20_and_200_services(reference, dreets_agent, login, capsys):
    client = login(dreets_agent)
    _create_services(20)
    with_20 = _list_queries(client)
    _create_services(180)
    assert Spsti.objects.count() == 200
    with_200 = _list_queries(client)
    with capsys.disabled():
        measure = f"{with_20} requêtes SQL avec 20 services, {with_200} avec 200"
        print(f"\n[mesure] /registre/ : {measure} ({connection.vendor})")
    # session, user, its organisation, regions, departments of the filter, count, page, covered departments; and the
    # navigation's to-do counters of an agent (reports to review, late, contracts awaiting an action: 10 counts)
    assert with_20 == with_200, f"{with_20} requêtes pour 20 services, {with_200} pour 200"
    assert with_200 <= 18, f"{with_200} requêtes"
