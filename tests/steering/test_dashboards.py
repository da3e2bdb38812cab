"""Dashboards: the figures of the consolidation module, in the user's scope only, live."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def national_url(**params):
    query = "&".join(f"{k}={v}" for k, v in {"annee": YEAR, **params}.items())
    return reverse("steering:national") + "?" + query


def regional_url(code):
    return reverse("steering:regional", args=[code]) + f"?annee={YEAR}"


TMS_SUPPORTED = "Troubles musculo-squelettiques — Établissements accompagnés"


def test_the_national_dashboard_shows_tableau1_and_the_switch_counts_submitted_reports(
    year_of_reports, national, login, read_table
):
    client = login(national)
    page = client.get(national_url()).content.decode()
    assert "Tableau 1" in page and "Total national" in page
    total = read_table(client, national_url(), "tableau1")["Total national"]
    assert total[TMS_SUPPORTED] == "110", "validated reports: 10 in Bretagne + 100 in Paris for TMS"
    assert total[f"{TMS_SUPPORTED} ({YEAR - 1})"] == "0"
    assert read_table(client, national_url(transmis=1), "tableau1")["Total national"][TMS_SUPPORTED] == "115"


def test_the_national_map_is_coloured_by_the_share_of_services_under_contract(year_of_reports, national, login):
    from cpom.steering.consolidation import NATIONAL, services_under_contract

    assert services_under_contract(YEAR) == {"53": (2, 3), "11": (1, 1), NATIONAL: (3, 4)}
    page = login(national).get(national_url()).content.decode()
    assert "<map-chart" in page and "&quot;BRE&quot;: 66.7" in page and "&quot;IDF&quot;: 100.0" in page
    assert 'value="75.0"' in page


def test_completeness_is_given_per_region_with_each_regions_deadline(year_of_reports, national, login, read_table):
    rows = read_table(login(national), national_url(), "completude")
    assert rows["Bretagne"]["Rapports attendus"] == "2" and rows["Bretagne"]["Complétude (%)"] == "100,0"
    assert rows["Île-de-France"]["Transmis dans les délais"] == "1"
    assert rows["Total national"]["Rapports attendus"] == "3" and rows["Total national"]["Ponctualité (%)"] == "100,0"
    assert rows["Normandie"]["Rapports attendus"] == "0" and rows["Normandie"]["Complétude (%)"] == ""


def test_indicator_totals_show_their_trend_over_the_years(year_of_reports, services, dreets_agent, login, read_table):
    from cpom.reports.models import Report, Value

    current = Report.objects.get(spsti=services["A"], year=YEAR)
    before = Report.objects.create(contract=current.contract, spsti=services["A"], year=YEAR - 1, status="valide")
    Value.objects.create(report=before, indicator_id="ETAB_ACCOMPAGNES", theme_id="TMS", integer=8)
    rows = read_table(login(dreets_agent), regional_url("53"), "indicateurs")
    [tms] = [row for row in rows.values() if row["Thématique"] == "Troubles musculo-squelettiques"]
    assert (tms[str(YEAR - 1)], tms[str(YEAR)], tms["Évolution sur un an (%)"]) == ("8", "10", "25,0")
    page = login(dreets_agent).get(regional_url("53")).content.decode()
    assert "<line-chart" in page and "[[8, 10]]" in page.replace("&quot;", '"'), "years before data are left out"


@pytest.mark.parametrize(
    ("persona", "national_status", "bretagne_status", "paris_status"),
    [
        ("national", 200, 200, 200),
        ("admin", 200, 200, 200),
        ("dreets_agent", 403, 200, 404),
        ("regional_pilot", 403, 200, 404),
        ("social_partner", 403, 200, 404),
        ("ars_reader", 403, 200, 404),
        ("dreets_agent_other_region", 403, 404, 200),
        ("spsti_referent", 403, 403, 403),
    ],
)
def test_each_role_opens_only_the_dashboards_of_its_scope(
    request, year_of_reports, login, persona, national_status, bretagne_status, paris_status
):
    client = login(request.getfixturevalue(persona))
    assert client.get(national_url()).status_code == national_status
    assert client.get(regional_url("53")).status_code == bretagne_status
    assert client.get(regional_url("11")).status_code == paris_status


def test_the_regional_dashboard_gives_completeness_and_the_themes(year_of_reports, dreets_agent, login, read_table):
    client = login(dreets_agent)
    page = client.get(regional_url("53")).content.decode()
    assert "2 / 2" in page  # reports submitted or validated / owed
    generation = read_table(client, regional_url("53"), "generations")["Génération 3"]
    assert (generation["Services sous contrat en vigueur"], generation["Services agréés"]) == ("2", "3")
    themes = read_table(client, regional_url("53"), "thematiques")
    assert themes["Risques psychosociaux"]["Services retenant la thématique"] == "1"
    assert "<bar-chart" in page


def test_the_service_theme_matrix_downloads_with_its_notes(year_of_reports, services, dreets_agent, login, read_table):
    rows = read_table(login(dreets_agent), regional_url("53"), "matrice")
    assert set(rows) == {services["A"].name, services["B"].name}, "C has no contract in force"
    assert rows[services["A"].name]["Troubles musculo-squelettiques"] == "10"
    assert rows[services["A"].name]["Risques psychosociaux"] == ""
    assert rows[services["B"].name]["Risques psychosociaux"] == "retenue, non déclarée"


def test_every_dashboard_table_downloads_as_csv_and_xlsx(year_of_reports, national, login):
    client = login(national)
    for url, slugs in [
        *[(national_url(vue=slug), [slug]) for slug in ["couverture", "completude", "indicateurs", "avancement"]],
        (national_url(), ["tableau1"]),
        (regional_url("53"), ["thematiques", "indicateurs", "matrice", "avancement", "generations"]),
    ]:
        page = client.get(url).content.decode()
        for slug in slugs:
            assert f"tableau={slug}&amp;format=csv" in page and f"tableau={slug}&amp;format=xlsx" in page
            assert "Télécharger en CSV" in page and "Télécharger en Excel (XLSX)" in page, "labelled, told apart"
            xlsx = client.get(f"{url}&tableau={slug}&format=xlsx")
            assert xlsx["Content-Type"].endswith("spreadsheetml.sheet")
            assert f"{YEAR}" in xlsx["Content-Disposition"] and slug in xlsx["Content-Disposition"]
    named = client.get(national_url(transmis=1, tableau="tableau1", format="csv"))["Content-Disposition"]
    assert named == f'attachment; filename="national-{YEAR}-tableau1-avec-rapports-transmis.csv"'


def test_the_national_dashboard_opens_on_its_key_figures_the_map_and_tableau1_only(year_of_reports, national, login):
    client = login(national)
    page = client.get(national_url()).content.decode()
    assert "Chiffres clés" in page and "3 sur 4" in page and "75,0 %" in page, "3 of 4 approved services under contract"
    assert "<map-chart" in page and "Tableau 1" in page
    assert "tableau=completude" not in page and "Totaux par indicateur" not in page, "details are on their own tabs"
    for view, text in [("completude", "Complétude et respect des délais"), ("avancement", "Avancement des actions")]:
        tab = client.get(national_url(vue=view)).content.decode()
        assert text in tab and "Tableau 1 —" not in tab and 'aria-current="page"' in tab
    assert client.get(national_url(vue="inconnue")).status_code == 200
    assert client.get(national_url(tableau="inconnu", format="csv")).status_code == 404


def test_the_dashboards_make_as_many_queries_with_more_data(year_of_reports, national, dreets_agent, login):
    from tests.contracts.test_pages import make_draft, sign
    from tests.factories import ApprovalFactory, SpstiFactory

    client = login(national)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    before = (queries(national_url()), queries(regional_url("53")))
    views = ("couverture", "completude", "indicateurs", "avancement")
    tabs_before = [queries(national_url(vue=view)) for view in views]
    for department in ("22", "29", "56"):
        extra = SpstiFactory(department=department, departments=[department])
        ApprovalFactory(spsti=extra)
        sign(make_draft(extra, dreets_agent), dreets_agent)
    after = (queries(national_url()), queries(regional_url("53")))
    assert tabs_before == [queries(national_url(vue=view)) for view in views]
    print(f"\nRequêtes SQL : national {before[0]} → {after[0]}, régional {before[1]} → {after[1]}")
    assert before == after


def test_names_in_a_table_are_escaped(year_of_reports, services, dreets_agent, login):
    services["A"].name = '<script>alert("x")</script> & Cie'
    services["A"].save()
    page = login(dreets_agent).get(regional_url("53")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie" in page
