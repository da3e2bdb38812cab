"""The CRPST and CNPST bilans: printable pages and Word files from the consolidation module, in scope."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from cpom.steering.consolidation import contracts_signed
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def national_bilan_url() -> str:
    return reverse("steering:national_bilan") + f"?annee={YEAR}"


def test_contracts_signed_are_counted_per_region_and_generation(year_of_reports):
    assert contracts_signed(YEAR) == {"53": {3: 2}, "11": {3: 1}}
    assert contracts_signed(YEAR - 5) == {}


def test_the_national_bilan_gives_each_region_and_the_nation(year_of_reports, national, login, read_table):
    client = login(national)
    assert "Comité national de prévention et de santé au travail" in client.get(national_bilan_url()).content.decode()
    contracts = read_table(client, national_bilan_url(), "contrats")
    assert contracts["Bretagne"]["Contrats signés — Génération 3"] == "2"
    assert contracts["Île-de-France"]["Contrats signés — Génération 3"] == "1"
    assert contracts["Total national"]["Services agréés"] == "4"
    assert contracts["Bretagne"]["Part sous contrat (%)"] == "66,7"
    themes = read_table(client, national_bilan_url(), "thematiques-retenues")["Total national"]
    assert themes["Services dotés d'une cellule PDP"] == "2"
    assert (themes["Salariés accompagnés (PDP)"], themes["dont parcours coordonné"]) == ("100", "45")
    assert themes["Troubles musculo-squelettiques"] == "3" and themes["Risques psychosociaux"] == "1"


def test_the_national_bilan_downloads_as_a_word_file_with_the_same_figures(year_of_reports, national, login):
    response = login(national).get(national_bilan_url() + "&format=docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert 'filename="bilan-' in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == f"Bilan national {YEAR} des CPOM"
    tables = {table.rows[0].cells[0].text: table for table in document.tables}
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    header, total = rows[0], rows[-1]
    assert total[0] == "Total national" and total[header.index("Services agréés")] == "4"
    assert len(tables) >= 1 and len(document.tables) == 3


def test_the_cnpst_bilan_word_file_is_an_a4_titled_dated_document_with_scope_definitions_and_commentary(
    year_of_reports, national, login
):
    import datetime as dt
    import re

    response = login(national).get(national_bilan_url() + "&format=docx&transmis=1")
    assert response["Content-Disposition"] == f'attachment; filename="bilan-{YEAR}-avec-rapports-transmis.docx"'
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert sorted([round(section.page_width.cm, 1), round(section.page_height.cm, 1)]) == [21.0, 29.7], "A4"
    assert document.paragraphs[0].style.name == "Title" and document.core_properties.title.startswith("Bilan")
    lines = [paragraph.text for paragraph in document.paragraphs]
    text = "\n".join(lines)
    assert f"Période : année de suivi {YEAR}, du 01/01/{YEAR} au 31/12/{YEAR}." in lines
    assert any(line.startswith("Périmètre : France entière (") for line in lines)
    assert f"Chiffres arrêtés le {dt.date.today():%d/%m/%Y}" in text
    assert "Synthèse" in lines and "Définitions" in lines
    assert f"Au 31/12/{YEAR}, 3 services agréés sur 4 (75,0 %) sont sous contrat en vigueur." in lines
    assert "La thématique la plus souvent retenue est « Troubles musculo-squelettiques » (3 services)." in lines
    assert any(line.startswith("Cellule PDP :") for line in lines)
    for placeholder in ("À préciser", "À compléter", "JJ/MM/AAAA", "None"):
        assert placeholder not in text
    assert re.findall(r"\b(\w{3,}), \1\b", text) == []


def test_the_regional_bilan_is_for_the_region_only(
    year_of_reports, social_partner, dreets_agent_other_region, login, read_table
):
    url = reverse("steering:regional_bilan", args=["53"]) + f"?annee={YEAR}"
    client = login(social_partner)
    assert "Comité régional de prévention et de santé au travail — Bretagne" in client.get(url).content.decode()
    assert set(read_table(client, url, "contrats")) == {"Bretagne"}
    assert read_table(client, url, "contrats")["Bretagne"]["Services agréés"] == "3"
    completeness = read_table(client, url, "completude")["Bretagne"]
    assert (completeness["Rapports attendus"], completeness["Transmis ou validés"]) == ("2", "2")
    assert Document(io.BytesIO(client.get(url + "&format=docx").content)).tables[0].rows[1].cells[0].text == (
        "Bretagne"
    )
    for fmt in ("", "&format=docx", "&tableau=contrats&format=csv"):
        assert login(dreets_agent_other_region).get(url + fmt).status_code == 404
        assert login(social_partner).get(national_bilan_url() + fmt).status_code == 403


def test_an_unknown_table_is_not_found(year_of_reports, national, login):
    assert login(national).get(national_bilan_url() + "&tableau=inconnu&format=csv").status_code == 404


def test_the_national_bilan_costs_a_fixed_number_of_queries(year_of_reports, national, login):
    client = login(national)
    with CaptureQueriesContext(connection) as context:
        assert client.get(national_bilan_url()).status_code == 200
    # the bilan's own queries and the navigation's to-do counters (late regions, completeness per region)
    assert len(context.captured_queries) <= 30
