"""Property tests (Hypothesis) on the readers of user input: the rule checker, report values and the Excel
upload. Whatever the input — random text, huge numbers, formulas, random bytes, truncated or bloated files — the
answer is a value or a French error, never a crash, and a refused write changes nothing."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cpom.core.csvfiles import CsvFormatError
from cpom.indicators.models import Indicator
from cpom.reports import excel, rules
from cpom.reports.csv_values import import_values
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report, Value, ValueChange
from cpom.reports.services import InvalidValues, save_values
from tests.contracts.test_journal import TODAY
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["=1+1", "+33 6", "-5", "@SUM(A1)", "1e10", "12,5", "١٢", "²", "9" * 40, " 1 000 ", "31/02/2025"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@pytest.fixture
def report(services, dreets_agent) -> Report:
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ensure_reports(TODAY.year)
    return Report.objects.select_related("contract", "spsti").get(spsti=services["A"], year=TODAY.year)


@FAST
@given(raw=hostile_text)
def test_a_count_is_a_bounded_whole_number_or_a_french_refusal(reference, raw):
    indicator = Indicator.objects.get(pk="ETAB_FORMES")
    try:
        value = rules.parse(indicator, raw)
    except ValueError as error:
        assert indicator.label in str(error) and ("nombre entier" in str(error) or "dépasse" in str(error))
        return
    assert value is None or 0 <= value <= rules.MAX_COUNT
    rules.check(indicator, value, year=TODAY.year, theme_label=None)


@FAST
@given(raw=hostile_text)
def test_a_date_is_a_date_or_a_french_refusal(reference, raw):
    indicator = Indicator.objects.get(pk="PDP_CELLULE_DATE")
    try:
        value = rules.parse(indicator, raw)
    except ValueError as error:
        assert "JJ/MM/AAAA" in str(error)
        return
    rules.check(indicator, value, year=TODAY.year, theme_label=None)


@FEW
@given(cells=st.dictionaries(st.sampled_from(["ETAB_FORMES|TMS", "PDP_CELLULE_DATE|PDP", "X|Y"]), hostile_text))
def test_a_refused_write_of_report_values_changes_nothing(report, cells):
    version = Report.objects.get(pk=report.pk).version
    before = (Value.objects.count(), ValueChange.objects.count())
    try:
        save_values(by=None, report=report, values=cells, version=version)
    except InvalidValues as error:
        assert error.message and error.problems
        assert (Value.objects.count(), ValueChange.objects.count()) == before
        assert Report.objects.get(pk=report.pk).version == version


@FEW
@given(content=st.binary(max_size=4000))
def test_random_bytes_are_not_a_workbook(report, content):
    with pytest.raises(excel.UnreadableWorkbook, match="classeur|volumineux|dépasse"):
        excel.read_upload(report, content)


@FEW
@given(cut=st.integers(min_value=1, max_value=99))
def test_a_truncated_workbook_gives_a_french_error(report, cut):
    template = excel.build_template(report)
    with pytest.raises(excel.UnreadableWorkbook):
        excel.read_upload(report, template[: len(template) * cut // 100])


@FEW
@given(values=st.lists(st.one_of(hostile_text, st.floats(allow_nan=True), st.booleans()), min_size=1, max_size=6))
def test_any_cell_content_in_the_template_gives_values_or_cell_errors(report, values):
    book = load_workbook(io.BytesIO(excel.build_template(report)))
    cells = [where for _, where in book[excel.CASES].iter_rows(values_only=True) if ":" not in str(where)]
    for where, value in zip(cells, values, strict=False):
        # Control characters cannot be written by any spreadsheet (openpyxl refuses them too).
        book[excel.MAIN][where] = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
    out = io.BytesIO()
    book.save(out)
    upload = excel.read_upload(report, out.getvalue())
    assert all(error.startswith(f"Feuille « {excel.MAIN} », cellule ") for error in upload.errors)


def test_a_zip_bomb_is_refused_without_inflating_it(report):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b"0" * (excel.MAX_UNCOMPRESSED + 1))
    with pytest.raises(excel.UnreadableWorkbook, match="anormalement volumineux"):
        excel.read_upload(report, out.getvalue())


# --- CSV of report values ------------------------------------------------------------------------------------
def csv_rows(report: Report, value: str) -> str:
    return f"annee;siret;theme;indicateur;valeur\n{report.year};{report.spsti.siret};TMS;ETAB_FORMES;{value}\n"


def refused_without_writing(content, *fragments: str) -> CsvFormatError:
    before = (Value.objects.count(), ValueChange.objects.count(), sorted(Report.objects.values_list("version")))
    with pytest.raises(CsvFormatError) as refused:
        import_values(content)
    assert refused.value.errors and all(str(error).startswith("ligne ") for error in refused.value.errors)
    for fragment in fragments:
        assert fragment in str(refused.value)
    assert (Value.objects.count(), ValueChange.objects.count(), sorted(Report.objects.values_list("version"))) == (
        before
    ), "nothing written"
    return refused.value


@FEW
@given(content=st.binary(max_size=3000))
def test_random_bytes_are_refused_in_french_and_write_nothing(report, content):
    refused_without_writing(content)


@FEW
@given(value=hostile_text)
def test_any_value_in_a_csv_line_is_stored_or_refused_with_its_line(report, value):
    content = csv_rows(report, value.replace(";", ",").replace("\n", " ").replace("\r", " ").replace('"', "'"))
    try:
        import_values(content.encode())
    except CsvFormatError as refused:
        assert all(error.line == 2 for error in refused.errors), refused.errors


@pytest.mark.parametrize(
    ("encoding", "message"),
    [("latin-1", "n'est pas encodé en UTF-8"), ("utf-16", "n'est pas encodé en UTF-8")],
)
def test_a_file_in_another_encoding_is_refused_with_its_line(report, encoding, message):
    content = csv_rows(report, "12").replace("annee", "année").replace("ETAB", "ÉTAB").encode(encoding)
    refused_without_writing(content, message)


def test_a_utf8_file_with_a_byte_order_mark_is_read(report):
    assert import_values(("\ufeff" + csv_rows(report, "12")).encode()).rows == 1


def test_a_huge_cell_and_a_formula_are_refused_naming_the_line(report):
    refused_without_writing(csv_rows(report, "9" * 1_000_000).encode(), "ligne 2")
    refused_without_writing(csv_rows(report, '=HYPERLINK("http://x")').encode(), "ligne 2", "nombre entier")


def test_a_hundred_thousand_wrong_lines_give_bounded_errors_and_write_nothing(report):
    line = f"1900;{report.spsti.siret};TMS;ETAB_FORMES;1\n"
    content = ("annee;siret;theme;indicateur;valeur\n" + line * 100_000).encode()
    refused = refused_without_writing(io.BytesIO(content))
    assert len(refused.errors) <= 200 and refused.total == 100_000
