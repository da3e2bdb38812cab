"""Long-format CSV of values: all-or-nothing import with errors by line and column, and the same format out."""

import gc
import io
import tracemalloc
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cpom.contracts.models import ContractIndicator
from cpom.core.csvfiles import CsvFormatError
from cpom.core.errors import DomainError
from cpom.indicators.enums import ThemeScope
from cpom.indicators.models import Theme
from cpom.reports import csv_values
from cpom.reports import views as report_views
from cpom.reports.csv_values import export_values, import_values
from cpom.reports.expected import ensure_reports
from cpom.reports.layout import COMMENT, VOLET2_ROWS, report_layout
from cpom.reports.models import Report, Value, ValueChange
from cpom.reports.services import check_values, current_values, write_values
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
    with pytest.raises(CsvFormatError, match="que vous puissiez saisir"):
        import_values(content, by=spsti_referent)


@pytest.mark.parametrize("agent", ["dreets_agent", "caisse_agent", "admin"])
def test_agents_do_not_import_values_into_a_service_report(reports, services, agent, request):
    """Issue 16, item 11: the rule of the form and the API — only the service itself enters its report."""
    content = csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;1")
    with pytest.raises(DomainError, match="Seul le service concerné saisit son rapport"):
        import_values(content, by=request.getfixturevalue(agent))
    assert not Value.objects.exists()


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


def test_the_upload_page_imports_for_the_service_and_shows_errors_by_line(reports, services, spsti_referent, login):
    client = login(spsti_referent)
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


# --- Streaming: a file of any size is read as it goes, all or nothing ---------------------------------------


@pytest.fixture
def as_file(tmp_path):
    """`as_file(content, kind)`: the same content as bytes, a BytesIO, an open file or a Django upload on disk."""
    opened = []

    def make(content: bytes, kind: str):
        if kind == "bytes":
            return content
        if kind == "BytesIO":
            handle = io.BytesIO(content)
        elif kind == "file":
            path = tmp_path / "valeurs.csv"
            path.write_bytes(content)
            handle = path.open("rb")
        else:
            handle = TemporaryUploadedFile("valeurs.csv", "text/csv", len(content), None)
            handle.write(content)
            handle.seek(0)
        opened.append(handle)
        return handle

    yield make
    for handle in opened:
        handle.close()


@pytest.mark.parametrize("kind", ["bytes", "BytesIO", "file", "upload"])
def test_a_file_object_imports_like_bytes_and_is_left_open(reports, services, as_file, kind):
    a, b = services["A"].siret, services["B"].siret
    content = csv_of(
        f"{YEAR};{a};TMS;ETAB_FORMES;120",
        f"{YEAR};{a};TMS;ETAB_FORMES_COG;30",
        f"{YEAR};{a};PDP;PDP_CELLULE_DATE;01/02/{YEAR}",
        f"{YEAR};{b};TMS;ETAB_ACCOMPAGNES;7",
    )
    source = as_file(content, kind)
    result = import_values(source)
    assert (result.rows, result.reports, result.changed) == (4, 2, 4)
    assert current_values(reports[services["A"].pk]) == {
        "ETAB_FORMES|TMS": "120",
        "ETAB_FORMES_COG|TMS": "30",
        "PDP_CELLULE_DATE|PDP": f"01/02/{YEAR}",
    }
    assert {r.version for r in Report.objects.all()} == {2}
    if kind != "bytes":
        assert not source.closed  # the caller's file is the caller's to close


def many_reports(rows: int) -> list[Report]:
    """Draft reports enough for `rows` valid rows, under the signed contracts of services A and B (widened to every
    prevention theme: about 50 cells a report), one per service and (old) year."""
    models = list(Report.objects.select_related("contract", "spsti").order_by("pk"))
    themes = list(Theme.objects.filter(scope=ThemeScope.PREVENTION))
    for contract in {report.contract for report in models}:
        followed = set(contract.indicators.values_list("indicator_id", "theme_id"))
        ContractIndicator.objects.bulk_create(
            ContractIndicator(version=contract.current_version, indicator_id=code, theme=theme)
            for theme in themes
            for code in [*VOLET2_ROWS, COMMENT]
            if (code, theme.code) not in followed
        )
    count = -(-rows // len(filler_cells(models[0].contract)))
    Report.objects.bulk_create(
        Report(contract=models[i % 2].contract, spsti=models[i % 2].spsti, year=1000 + i // 2) for i in range(count)
    )
    return list(Report.objects.filter(year__lt=YEAR).select_related("contract", "spsti").order_by("pk"))


def filler_cells(contract) -> list:
    """The cells a long file fills: every one but the dates, which the (old, made-up) years of `many_reports` could
    not hold — a date must be plausible (1990–2100) and within its year (issue 16)."""
    return [cell for cell in report_layout(contract).cells() if cell.indicator.value_type != "date"]


def long_file(reports: list[Report], rows: int, *, value: int = 7) -> list[str]:
    """`rows` valid lines spread over `reports` (each gets its first cell before any gets its second), grouped by
    report: whole numbers all equal (an "of which" equal to its total is allowed), texts."""
    cells = filler_cells(reports[0].contract)
    assert rows <= len(reports) * len(cells)
    chosen = sorted((number % len(reports), number // len(reports)) for number in range(rows))
    lines = []
    for r, c in chosen:
        report, cell = reports[r], cells[c]
        kind = cell.indicator.value_type
        text = str(value) if kind == "entier" else f"01/01/{report.year}" if kind == "date" else f"texte {value}"
        lines.append(f"{report.year};{report.spsti.siret};{cell.theme.code};{cell.indicator.code};{text}")
    return lines


def assert_nothing_written():
    assert not Value.objects.exists()
    assert not ValueChange.objects.exists()
    assert set(Report.objects.values_list("version", flat=True)) == {1}


def test_a_byte_that_is_not_utf8_deep_in_a_long_file_names_its_line_and_nothing_is_written(reports, services, as_file):
    lines = [line.encode() for line in long_file(many_reports(3000), 3000)]
    lines[2498] = f"{YEAR};{services['A'].siret};TMS;COMMENTAIRE;Très bien, l'été".encode("latin-1")  # line 2500
    content = HEADER.encode() + b"\r\n".join(lines) + b"\r\n"
    with pytest.raises(CsvFormatError) as refusal:
        import_values(as_file(content, "file"))  # two batches were written before line 2500 was read
    assert [str(e) for e in refusal.value.errors] == [
        "ligne 2500 : le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »)."
    ]
    assert_nothing_written()


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("", "{year};{siret};TMS;ETAB_FORMES;douze", "ligne 5000, colonne « valeur » : « Nombre"),
        ("{year};{siret};TMS;ETAB_FORMES_COG;50", "{year};{siret};TMS;ETAB_FORMES;10", "ligne 2, colonne « valeur »"),
    ],
    ids=["a bad value", "a total under its 'of which' given 5 000 lines before"],
)
def test_an_error_on_the_last_line_of_a_long_file_writes_nothing(reports, services, as_file, first, last, expected):
    siret = services["A"].siret
    head = [first.format(year=YEAR, siret=siret)] if first else []
    filler = long_file(many_reports(5000), 4998 - len(head))
    content = csv_of(*head, *filler, last.format(year=YEAR, siret=siret))
    assert len(content.splitlines()) == 5000
    with pytest.raises(CsvFormatError) as refusal:
        import_values(as_file(content, "file"))
    assert len(refusal.value.errors) == refusal.value.total == 1
    assert str(refusal.value.errors[0]).startswith(expected)
    assert_nothing_written()


def test_rows_of_a_report_spread_over_batches_are_checked_as_one_report(reports, services, monkeypatch):
    monkeypatch.setattr(csv_values, "BATCH", 2)
    a, b = services["A"].siret, services["B"].siret
    # An "of which" before its total, in other batches: checked against the total given afterwards.
    good = csv_of(
        f"{YEAR};{a};TMS;ETAB_FORMES_COG;50",
        f"{YEAR};{b};TMS;ETAB_FORMES;1",
        f"{YEAR};{b};TMS;ETAB_FORMES_COG;1",
        f"{YEAR};{a};TMS;ETAB_FORMES;60",
    )
    assert import_values(good) == csv_values.ImportResult(rows=4, reports=2, changed=4)
    assert current_values(reports[services["A"].pk]) == {"ETAB_FORMES|TMS": "60", "ETAB_FORMES_COG|TMS": "50"}
    assert Report.objects.get(pk=reports[services["A"].pk].pk).version == 2  # once per import, not per batch
    bad = csv_of(
        f"{YEAR};{a};TMS;ETAB_FORMES_COG;55",
        f"{YEAR};{b};TMS;ETAB_ACCOMPAGNES;3",
        f"{YEAR};{b};TMS;ETAB_ACCOMPAGNES_COG;2",
        f"{YEAR};{a};TMS;ETAB_FORMES;40",
        f"{YEAR};{b};TMS;ETAB_ACCOMPAGNES;4",
    )
    with pytest.raises(CsvFormatError) as refusal:
        import_values(bad)
    assert [str(e)[:29] for e in refusal.value.errors] == [
        "ligne 2, colonne « valeur » :",
        "ligne 6 : même valeur déjà do",
    ]
    assert "55 dépasse son total" in str(refusal.value.errors[0])
    assert "ligne 3 (ligne en double)" in str(refusal.value.errors[1])
    assert current_values(reports[services["A"].pk]) == {"ETAB_FORMES|TMS": "60", "ETAB_FORMES_COG|TMS": "50"}
    assert ValueChange.objects.count() == 4


def test_a_report_that_is_no_longer_a_draft_is_refused_on_its_first_row(reports, services):
    Report.objects.filter(spsti=services["B"]).update(status="valide")
    content = csv_of(
        f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;1",
        f"{YEAR};{services['B'].siret};TMS;ETAB_FORMES;1",
        f"{YEAR};{services['B'].siret};TMS;ETAB_FORMES_COG;1",
    )
    with pytest.raises(CsvFormatError) as refusal:
        import_values(content)
    assert [str(e) for e in refusal.value.errors] == [
        f"ligne 3, colonne « siret » : le rapport {YEAR} de ce service est « Validé » : il ne se modifie plus."
    ]
    assert not Value.objects.exists()


def test_a_file_wrong_on_every_line_keeps_the_first_errors_and_counts_them_all(reports, services, tmp_path):
    path = tmp_path / "faux.csv"
    path.write_bytes(csv_of(*(f"{YEAR};{services['A'].siret};TMS;INCONNU{n};1" for n in range(300))))
    with path.open("rb") as file, pytest.raises(CsvFormatError) as refusal:
        import_values(file)
    assert refusal.value.total == 300
    assert [e.line for e in refusal.value.errors] == list(range(2, 202))
    err = StringIO()
    with pytest.raises(CommandError, match="300 erreur"):
        call_command("import_values", str(path), stderr=err)
    assert err.getvalue().splitlines()[-1] == "… et 100 autres erreurs."


def test_the_upload_page_streams_a_file_kept_on_disk_and_still_refuses_one_too_large(
    reports, services, spsti_referent, login, settings, monkeypatch
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # the upload goes to a temporary file, read as a stream
    client = login(spsti_referent)
    bad = csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;4", f"{YEAR};{services['A'].siret};TMS;RPS;")
    page = client.post(reverse("reports:values_import"), {"fichier": SimpleUploadedFile("v.csv", bad)})
    assert "Ligne 3, colonne « indicateur »" in page.content.decode()
    assert not Value.objects.exists()
    good = csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;4")
    page = client.post(reverse("reports:values_import"), {"fichier": SimpleUploadedFile("v.csv", good)})
    assert "1 ligne importée" in page.content.decode()
    monkeypatch.setattr(report_views, "MAX_UPLOAD_BYTES", len(good) - 1)
    page = client.post(reverse("reports:values_import"), {"fichier": SimpleUploadedFile("v.csv", good)})
    assert "Le fichier dépasse" in page.content.decode()


def test_the_peak_memory_of_an_import_does_not_grow_with_the_number_of_rows(reports):
    """20 000 rows against 2 000 rows for the same reports: the importer holds one batch of rows and a few bytes
    per report and cell, so the peaks are close (a ratio, not a timing; holding the whole file would be ≈ 10×)."""
    many = many_reports(20_000)

    def peak(rows: int, value: int) -> int:
        Value.objects.all().delete()
        ValueChange.objects.all().delete()
        Report.objects.update(version=1)
        content = csv_of(*long_file(many, rows, value=value))
        gc.collect()
        tracemalloc.start()
        try:
            result = import_values(io.BytesIO(content))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert (result.rows, result.reports, result.changed) == (rows, len(many), rows)
        return peak

    small = peak(2_000, 3)
    large = peak(20_000, 4)
    assert large < 2 * small, (small, large)


def test_an_import_writes_the_same_values_and_history_as_the_form_would(reports, services, spsti_referent):
    """The import writes a batch of reports at once: the same rows and history as `services.write_values`."""
    a, b = reports[services["A"].pk], reports[services["B"].pk]
    first = {"ETAB_FORMES|TMS": "12", "ETAB_FORMES_COG|TMS": "5", "PDP_CELLULE_DATE|PDP": f"01/02/{YEAR}"}
    second = {"ETAB_FORMES|TMS": "12", "ETAB_FORMES_COG|TMS": "", "PDP_CELLULE_DATE|PDP": f"03/04/{YEAR}"}
    second |= {"COMMENTAIRE|TMS": "Bien", "ETAB_ACCOMPAGNES|TMS": "0"}
    for values in (first, second):
        lines = [f"{YEAR};{a.spsti.siret};{k.split('|')[1]};{k.split('|')[0]};{v}" for k, v in values.items()]
        import_values(csv_of(*lines), by=spsti_referent)
        report = Report.objects.select_related("contract").get(pk=b.pk)
        layout = report_layout(report)
        typed, problems = check_values(report, values, layout)
        assert not problems
        write_values(report, typed, layout, by=spsti_referent, channel="csv")

    def written(report):
        values = Value.objects.filter(report=report).order_by("indicator_id", "theme_id")
        changes = ValueChange.objects.filter(report=report).order_by("indicator_id", "theme_id", "pk")
        return (
            [(v.indicator_id, v.theme_id, v.integer, v.date, v.text, v.updated_by_id) for v in values],
            [(c.indicator_id, c.theme_id, c.before, c.after, c.changed_by_id, c.channel) for c in changes],
        )

    assert written(a) == written(b)
    assert len(written(a)[1]) == 7


def test_the_import_page_offers_a_prefilled_template_of_her_own_reports_and_the_codes_with_labels(
    reports, services, spsti_referent, login
):
    import_values(csv_of(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;12"))
    client = login(spsti_referent)
    page = client.get(reverse("reports:values_import")).content.decode()
    assert "modele=1" in page and "<code>ETAB_FORMES</code>" in page and "<code>TMS</code>" in page
    assert "Troubles musculo-squelettiques" in page
    response = client.get(reverse("reports:values_export") + f"?annee={YEAR}&modele=1")
    assert response["Content-Disposition"] == f'attachment; filename="modele-import-{YEAR}.csv"'
    template = response.content.decode()
    header, *lines = template.splitlines()
    assert header == "annee;siret;theme;indicateur;valeur;contrat;libelle"
    assert lines and all(services["A"].siret in line for line in lines), "only her own reports"
    assert any(line.startswith(f"{YEAR};{services['A'].siret};TMS;ETAB_FORMES;12;") for line in lines)
    assert any(";Nombre d'établissements" in line for line in lines), "each row says its indicator in French"
    result = import_values(template.encode(), by=spsti_referent)
    assert result.changed == 0, "re-imported as it is, the template changes nothing"
