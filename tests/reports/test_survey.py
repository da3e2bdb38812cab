"""The DGT annual survey (« enquête annuelle ») layout: one file per year, the contract annex's indicators with
their national codes; exported, imported into an empty platform and exported again, the file is identical."""

import pytest
from django.core.management import call_command

from cpom.core.csvfiles import CsvFormatError
from cpom.reports import survey
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report, Value
from cpom.reports.services import current_values, save_values
from tests.contracts.test_pages import make_draft, sign
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db

FIGURES = {
    "ETAB_ACCOMPAGNES|TMS": "12",
    "ETAB_ACCOMPAGNES_COG|TMS": "4",
    "PDP_CELLULE_DATE|PDP": f"01/03/{YEAR}",
    "PDP_SALARIES_ACCOMPAGNES|PDP": "40",
    "COMMENTAIRE|TMS": "=2+3 une formule tapée comme texte",
}


@pytest.fixture
def filled(services, dreets_agent):
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    report = Report.objects.get(spsti=services["A"], year=YEAR)
    save_values(by=None, report=report, values=FIGURES, version=1)
    return report


def test_the_survey_lists_every_annex_indicator_of_the_report_with_its_national_code(filled):
    lines = survey.export_csv(None, YEAR).splitlines()
    assert lines[0] == "annee;siret;service;code_national;indicateur;valeur"
    rows = {line.split(";")[3]: line.split(";")[-1] for line in lines[1:]}
    assert rows["ETAB_ACCOMPAGNES.TMS"] == "12"
    assert rows["PDP_CELLULE_DATE.PDP"] == f"01/03/{YEAR}"
    assert rows["ETAB_FORMES.TMS"] == "", "an annex cell left empty is listed, empty"
    assert all(code.split(".")[0] in {r.indicator_id for r in filled.contract.indicators.all()} for code in rows)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exported_imported_into_an_empty_platform_and_exported_again_the_file_is_identical(filled, kind):
    before = survey.export_csv(None, YEAR)
    content = before.encode() if kind == "csv" else survey.export_xlsx(None, YEAR)
    Value.objects.filter(report=filled).delete()
    assert survey.export_csv(None, YEAR) != before
    result = survey.import_survey(content)
    assert result.changed == len(FIGURES)
    assert survey.export_csv(None, YEAR) == before
    assert current_values(filled) == FIGURES, "a text beginning with = comes back as typed"


def test_a_wrong_line_is_refused_naming_the_survey_line_and_column_and_nothing_is_written(filled):
    lines = survey.export_csv(None, YEAR).splitlines()
    at = next(i for i, line in enumerate(lines) if ";ETAB_ACCOMPAGNES.TMS;" in line)
    lines[at] = lines[at].replace(";12", ";-5")
    lines.append(lines[at].replace("ETAB_ACCOMPAGNES.TMS", "INCONNU.TMS").replace(";-5", ";3"))
    with pytest.raises(CsvFormatError) as error:
        survey.import_survey(("\n".join(lines) + "\n").encode())
    messages = [str(e) for e in error.value.errors]
    assert any(m.startswith(f"ligne {at + 1}, colonne « valeur »") for m in messages), messages
    assert any(m.startswith(f"ligne {len(lines)}, colonne « code_national »") for m in messages), messages
    assert current_values(filled)["ETAB_ACCOMPAGNES|TMS"] == "12"


def test_the_command_exports_and_imports_a_year(filled, tmp_path, capsys):
    path = tmp_path / "enquete.xlsx"
    call_command("survey", "export", str(YEAR), "--xlsx", "-o", str(path))
    Value.objects.filter(report=filled).delete()
    call_command("survey", "import", str(path))
    assert "5 valeur(s) modifiée(s)" in capsys.readouterr().out
    assert current_values(filled)["ETAB_ACCOMPAGNES|TMS"] == "12"


def test_the_values_import_page_takes_a_survey_file_too(filled, spsti_referent, login):
    content = survey.export_csv(None, YEAR).replace(";12\n", ";13\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("enquete.csv", content, content_type="text/csv")
    response = login(spsti_referent).post("/rapports/import/", {"fichier": upload})
    assert response.status_code == 200
    assert current_values(filled)["ETAB_ACCOMPAGNES|TMS"] == "13"
