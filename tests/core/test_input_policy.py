"""Issue 16, items 4 and 8: one text and date policy (cpom/core/text.py) for every channel — page forms, API,
CSV imports, Excel uploads (tests/reports/test_excel_hardening.py), management commands — and exports that no
stored text can break."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from cpom.core.csvfiles import CsvFormatError, read_csv
from cpom.core.exports import xlsx_response
from cpom.core.parsing import parse_french_date
from cpom.core.tables import TEXT, Column, Table
from cpom.core.text import LONG_TEXT, for_xml
from cpom.core.word import tables_document
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report, Value
from cpom.reports.services import InvalidValues, save_values
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
HOSTILE = ["a\x01b", "tab\x0bvertical", "nul\x00octet"]


@pytest.fixture
def report(services, dreets_agent):
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    return Report.objects.get(spsti=services["A"], year=YEAR)


@pytest.mark.parametrize("bad", [*HOSTILE, "x" * (LONG_TEXT + 1)])
def test_the_report_form_refuses_control_characters_and_overlong_comments(report, spsti_referent, login, bad):
    response = login(spsti_referent).post(
        reverse("reports:report_detail", args=[report.pk]), {"version": "1", "COMMENTAIRE|TMS": bad}
    )
    assert response.status_code == 200
    assert not Value.objects.exists()


@pytest.mark.parametrize("bad", [*HOSTILE, "x" * (LONG_TEXT + 1)])
def test_the_api_refuses_control_characters_and_overlong_texts(report, spsti_referent, bad):
    from django.test import Client

    client = Client()
    client.force_login(spsti_referent)
    response = client.put(
        f"/api/reports/{report.pk}/values",
        data={"version": 1, "values": {"COMMENTAIRE|TMS": bad}},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "values" in response.json()["detail"]
    assert not Value.objects.exists()


def test_the_api_refuses_an_implausible_date(report, dreets_agent):
    from django.test import Client

    client = Client()
    client.force_login(dreets_agent)
    contract = report.contract
    response = client.post(
        f"/api/contracts/{contract.pk}/amendments",
        data={"kind": "prolongation", "summary": "Prolonger.", "new_end": "0001-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "plausible" in response.json()["detail"]


@pytest.mark.parametrize("bad", HOSTILE)
def test_a_csv_cell_with_a_control_character_is_refused_with_its_line(bad):
    content = f"annee;siret;theme;indicateur;valeur\n2025;1;TMS;COMMENTAIRE;{bad}\n".encode()
    with pytest.raises(CsvFormatError, match="ligne 2, colonne « valeur » : le texte contient des caractères"):
        list(read_csv(content, required=["annee", "siret", "theme", "indicateur", "valeur"], optional=[]))


def test_a_pdp_date_out_of_the_plausible_range_is_refused_by_every_channel(report, spsti_referent):
    with pytest.raises(ValueError, match="plausible"):
        parse_french_date("01/01/1900")
    for typed in ("0001-01-01", "01/01/1900", "31/12/2999"):
        with pytest.raises(InvalidValues, match="PDP"):
            save_values(by=spsti_referent, report=report, values={"PDP_CELLULE_DATE|PDP": typed}, version=1)
    with pytest.raises(InvalidValues, match="plausible"):
        save_values(by=spsti_referent, report=report, values={"PDP_CELLULE_DATE|PDP": "01/01/1900"}, version=1)
    assert parse_french_date(f"01/03/{YEAR}").year == YEAR


def test_the_service_forms_refuse_control_characters_and_implausible_dates(services, dreets_agent, login):
    client = login(dreets_agent)
    spsti = services["A"]
    page = client.post(reverse("organisations:approval_create", args=[spsti.pk]), {"start": "01/01/0001"})
    assert page.status_code == 200 and "plausible" in page.content.decode()


def test_the_contract_command_refuses_a_control_character(report, dreets_agent):
    with pytest.raises(CommandError, match="caractères de contrôle"):
        call_command(
            "contract", report.contract.reference, "--by", dreets_agent.email, "sign", "ETAT-53",
            f"01/01/{YEAR}", "Directeur\x01",
        )  # fmt: skip


def test_exports_strip_what_xml_cannot_hold_even_from_old_rows():
    table = Table(slug="t", caption="Essai\x01", columns=[Column("Nom", TEXT)], rows=[["a\x00b\x0bc"], ["=2+3"]])
    book = load_workbook(io.BytesIO(xlsx_response("t", ["Nom\x01"], [["a\x00b\x0bc"], ["=2+3"]]).content))
    assert [c.value for row in book.active.iter_rows() for c in row] == ["Nom", "abc", "'=2+3"]
    document = Document(io.BytesIO(tables_document("Titre\x02", ["Intro\x03"], [table])))
    assert "abc" in [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    assert for_xml("\ud800x\ufffe") == "x"


def test_the_contract_word_file_and_the_report_template_survive_a_control_character_stored_before(report):
    from cpom.contracts.document import contract_docx
    from cpom.reports import excel

    axis = report.contract.axes.first()
    # Control characters a database accepted before the input policy (PostgreSQL stores no NUL at all).
    type(axis).objects.filter(pk=axis.pk).update(title="Axe\x01 un", description="Texte\x0b ancien\x1f")
    action = axis.actions.first()
    type(action).objects.filter(pk=action.pk).update(title="Action\x02")
    report.contract.refresh_from_db()
    assert contract_docx(report.contract)[:2] == b"PK"
    book = load_workbook(io.BytesIO(excel.build_template(report)))
    assert any("Action" in str(c.value) for row in book[excel.MAIN].iter_rows() for c in row)
