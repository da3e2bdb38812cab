"""Dashboard tables download as CSV and XLSX with the same figures; formulas are neutralised."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cpom.core.exports import csv_response, neutralise, xlsx_response
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "safe"), [("=1+1", "'=1+1"), ("+33", "'+33"), ("-2", "'-2"), ("@a", "'@a"), ("ok", "ok"), (5, 5)]
)
def test_spreadsheet_formulas_are_neutralised(raw, safe):
    assert neutralise(raw) == safe


def test_numbers_stay_numbers_in_xlsx_and_text_is_neutralised():
    response = xlsx_response("t", ["a", "b"], [["=HYPERLINK(1)", 18300000]])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "'=HYPERLINK(1)"
    assert sheet["B2"].value == 18300000 and sheet["B2"].number_format == "# ##0"
    assert csv_response("t", ["a"], [["@SUM"]]).content.decode("utf-8-sig").splitlines()[1] == "'@SUM"


def test_tableau1_downloads_with_the_figures_of_the_page(year_of_reports, national, login):
    client = login(national)
    url = reverse("steering:national") + f"?annee={YEAR}&tableau=tableau1"
    content = client.get(url + "&format=csv").content.decode("utf-8-sig")
    lines = {line.split(";")[0]: line.split(";") for line in content.splitlines()}
    header = lines["Région"]
    total = lines["Total national"]
    assert total[header.index("Troubles musculo-squelettiques — Établissements accompagnés")] == "110"
    assert total[header.index(f"Troubles musculo-squelettiques — Établissements accompagnés ({YEAR - 1})")] == "0"
    assert total[header.index("Services agréés")] == "4"
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["Total national"][header.index("Cellules PDP — Salariés accompagnés")] == 100
    assert rows["Bretagne"][0] == "Bretagne", "a linked cell exports its text"


def test_shares_are_percentages_in_xlsx_and_decimal_commas_in_csv(year_of_reports, national, login):
    client = login(national)
    url = reverse("steering:national") + f"?annee={YEAR}&tableau=couverture"
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    bretagne = next(row for row in sheet.iter_rows() if row[0].value == "Bretagne")
    assert bretagne[3].value == pytest.approx(2 / 3) and bretagne[3].number_format == "0.0 %"
    assert sheet["A1"].value.startswith("Services agréés sous contrat en vigueur en"), "an XLSX opens on its title"
    assert sheet["D3"].value == "Part sous contrat (%)"
    csv_lines = client.get(url + "&format=csv").content.decode("utf-8-sig").splitlines()
    assert "Bretagne;3;2;66,7" in csv_lines
