"""The Excel template of a report: laid out like the annex table, bound to its report, previewed before saving."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cpom.reports import excel
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report, ValueChange
from cpom.reports.services import current_values, save_values
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def reports(services, dreets_agent):
    for key in ("A", "B"):
        sign(make_draft(services[key], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    return {r.spsti_id: r for r in Report.objects.select_related("spsti", "contract")}


def filled(report, **cells) -> bytes:
    book = load_workbook(io.BytesIO(excel.build_template(report)))
    mapping = {key: where for key, where in book[excel.CASES].iter_rows(values_only=True)}
    for key, value in cells.items():
        book[excel.MAIN][mapping[key.replace("__", "|")]] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_is_laid_out_like_the_annex_table(reports, services):
    report = reports[services["A"].pk]
    sheet = load_workbook(io.BytesIO(excel.build_template(report)))[excel.MAIN]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["Volet 2 — thématique(s) retenue(s)", "Troubles musculo-squelettiques"] in rows
    labels = [row[0] for row in rows if row]
    assert "Nombre d'établissements formés à la thématique (toutes actions de formation confondues)" in labels
    assert any("dont établissements suivis par la caisse régionale" in label for label in labels)


def test_an_uploaded_workbook_is_previewed_then_saved_all_at_once(reports, services, spsti_referent):
    report = reports[services["A"].pk]
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "5"}, version=1)
    report.refresh_from_db()
    upload = excel.read_upload(report, filled(report, ETAB_FORMES__TMS=50, ETAB_FORMES_COG__TMS=20))
    assert upload.errors == []
    assert {(c.key, c.before, c.after) for c in upload.changes} == {
        ("ETAB_FORMES|TMS", "5", "50"),
        ("ETAB_FORMES_COG|TMS", "", "20"),
    }
    assert current_values(report) == {"ETAB_FORMES|TMS": "5"}, "nothing saved before confirmation"


def test_errors_are_given_by_sheet_and_cell(reports, services):
    report = reports[services["A"].pk]
    upload = excel.read_upload(report, filled(report, ETAB_FORMES__TMS=5, ETAB_FORMES_COG__TMS=9))
    assert len(upload.errors) == 1
    assert (
        upload.errors[0].startswith("Feuille « Rapport », cellule ")
        and "ne peut dépasser son total" in upload.errors[0]
    )


def test_a_workbook_cannot_be_uploaded_to_another_report(reports, services):
    other = reports[services["B"].pk]
    with pytest.raises(excel.UnreadableWorkbook, match="modèle d'un autre rapport"):
        excel.read_upload(other, filled(reports[services["A"].pk], ETAB_FORMES__TMS=1))


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip at all", b"PK\x03\x04truncated"],
)
def test_a_damaged_file_gives_a_french_error(reports, services, content):
    with pytest.raises(excel.UnreadableWorkbook, match="n'est pas un classeur Excel"):
        excel.read_upload(reports[services["A"].pk], content)


def test_a_zip_bomb_is_refused_before_opening(reports, services):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/huge.xml", b"0" * (excel.MAX_UNCOMPRESSED + 1))
    with pytest.raises(excel.UnreadableWorkbook, match="anormalement volumineux"):
        excel.read_upload(reports[services["A"].pk], out.getvalue())


def test_the_upload_pages_preview_then_save_with_the_excel_channel(reports, services, spsti_referent, login):
    report = reports[services["A"].pk]
    client = login(spsti_referent)
    template = client.get(reverse("reports:excel_template", args=[report.pk]))
    assert template.status_code == 200 and template.content[:2] == b"PK"
    url = reverse("reports:excel_upload", args=[report.pk])
    preview = client.post(url, {"fichier": SimpleUploadedFile("r.xlsx", filled(report, ETAB_FORMES__TMS=33))})
    content = preview.content.decode()
    assert "Aperçu des changements" in content and "33" in content
    assert current_values(report) == {}
    fields = {"confirmer": "1", "version": "1", "valeur:ETAB_FORMES|TMS": "33"}
    assert client.post(url, fields).status_code == 302
    assert current_values(report)["ETAB_FORMES|TMS"] == "33"
    assert ValueChange.objects.get().channel == "excel"
