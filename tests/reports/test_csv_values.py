"""Long-format CSV of values: all-or-nothing import with errors by line and column, and the same format out."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cpom.core.csvfiles import CsvFormatError
from cpom.reports.csv_values import export_values, import_values
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report, Value, ValueChange
from cpom.reports.services import current_values
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
HEADER = "annee;siret;theme;indicateur;valeur\n"


@pytest.fixture
def reports(services, dreets_agent):
    for key in ("A", "B"):
        sign(make_draft(services[key], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    return {r.spsti_id: r for r in Report.objects.all()}


def csv_of(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode()


def test_a_good_file_imports_every_value_of_several_reports(reports, services):
    a, b = services["A"].siret, services["B"].siret
    result = import_values(
        csv_of(
            f"{YEAR};{a};TMS;ETAB_FORMES;120",
            f"{YEAR};{a};TMS;ETAB_FORMES_COG;30",
            f"{YEAR};{a};PDP;PDP_CELLULE_DATE;01/02/{YEAR}",
            f"{YEAR};{b};TMS;ETAB_ACCOMPAGNES;7",
        )
    )
    assert (result.rows, result.reports, result.changed) == (4, 2, 4)
    assert current_values(reports[services["A"].pk]) == {
        "ETAB_FORMES|TMS": "120",
        "ETAB_FORMES_COG|TMS": "30",
        "PDP_CELLULE_DATE|PDP": f"01/02/{YEAR}",
    }
    assert set(ValueChange.objects.values_list("channel", flat=True)) == {"csv"}


def test_commas_and_a_byte_order_mark_are_accepted(reports, services):
    content = "\ufeff" + HEADER.replace(";", ",") + f"{YEAR},{services['A'].siret},TMS,ETAB_FORMES,5\n"
    assert import_values(content.encode()).changed == 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{year};12345678901234;TMS;ETAB_FORMES;1", "ligne 3, colonne « siret » : aucun service sous contrat"),
        ("{year};{siret};TMS;INCONNU;1", "ligne 3, colonne « indicateur » : indicateur « INCONNU » inconnu"),
        ("{year};{siret};RPS;ETAB_FORMES;1", "ligne 3, colonne « theme » :"),
        ("{old};{siret};TMS;ETAB_FORMES;1", "ligne 3, colonne « siret » : aucun"),
        ("{year};{siret};TMS;ETAB_FORMES;3", "ligne 3 : même valeur déjà donnée ligne 2"),
        ("{year};{siret};TMS;ETAB_FORMES_COG;douze", "ligne 3, colonne « valeur » :"),
        ("{year};{siret};TMS;ETAB_FORMES_COG;50", "ne peut dépasser son total"),
    ],
)
def test_each_bad_line_is_named_and_nothing_is_written(reports, services, line, expected):
    siret = services["A"].siret
    content = csv_of(f"{YEAR};{siret};TMS;ETAB_FORMES;10", line.format(year=YEAR, old=YEAR - 9, siret=siret))
    with pytest.raises(CsvFormatError) as refusal:
        import_values(content)
    assert expected in "; ".join(str(e) for e in refusal.value.errors)
    assert not Value.objects.exists()


def test_a_missing_column_and_a_wrong_encoding_are_explained(reports):
    with pytest.raises(CsvFormatError, match="colonne obligatoire absente"):
        import_values(b"annee;siret;theme;indicateur\n2025;1;TMS;ETAB_FORMES\n")
    with pytest.raises(CsvFormatError, match="UTF-8"):
        import_values(HEADER.encode() + "2025;1;TMS;ETAB_FORMES;é\n".encode("latin-1"))


def test_a_service_imports_only_its_own_rows(reports, services, spsti_referent):
    content = csv_of(f"{YEAR};{services['B'].siret};TMS;ETAB_FORMES;1")
    with pytest.raises(CsvFormatError, match="dans votre périmètre"):
        import_values(content, by=spsti_referent)


def test_the_export_reimports_to_the_same_values(reports, services, dreets_agent):
    import_values(
        csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;12", f"{YEAR};{services['A'].siret};TMS;COMMENTAIRE;=1+1")
    )
    exported = export_values(dreets_agent, year=YEAR)
    assert exported.splitlines()[0] == "annee;siret;theme;indicateur;valeur;contrat"
    assert f"{YEAR};{services['A'].siret};TMS;COMMENTAIRE;'=1+1" in exported
    assert f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;12" in exported


def test_the_command_imports_and_reports_errors_in_french(reports, services, tmp_path):
    good = tmp_path / "valeurs.csv"
    good.write_bytes(csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;9"))
    out = StringIO()
    call_command("import_values", str(good), stdout=out)
    assert "1 lignes, 1 rapports, 1 valeurs modifiées" in out.getvalue()
    bad = tmp_path / "faux.csv"
    bad.write_bytes(csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;-1"))
    err = StringIO()
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_values", str(bad), stderr=err)
    assert "ligne 2, colonne « valeur »" in err.getvalue()


def test_the_upload_page_imports_for_an_agent_and_shows_errors_by_line(reports, services, dreets_agent, login):
    client = login(dreets_agent)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("v.csv", csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;x"))
    content = client.post(reverse("reports:values_import"), {"fichier": bad}).content.decode()
    assert "Rien n'a été importé" in content and "Ligne 2, colonne « valeur »" in content
    good = SimpleUploadedFile("v.csv", csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;4"))
    assert "1 ligne importée" in client.post(reverse("reports:values_import"), {"fichier": good}).content.decode()
    export = client.get(reverse("reports:values_export") + f"?annee={YEAR}")
    assert export["Content-Type"].startswith("text/csv") and b"ETAB_FORMES;4" in export.content


def test_the_export_holds_only_what_the_user_may_see(reports, services, spsti_referent, social_partner, login):
    import_values(
        csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;12", f"{YEAR};{services['B'].siret};TMS;ETAB_FORMES;34")
    )
    mine = export_values(spsti_referent, year=YEAR)
    assert services["A"].siret in mine and services["B"].siret not in mine
    assert login(social_partner).get(reverse("reports:values_export")).status_code == 403
    assert login(social_partner).get(reverse("reports:values_import")).status_code == 403
