"""Import of the registry from CSV (cpom/organisations/importers.py): all or nothing, every refusal names its
line and column in French."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from cpom.core.csvfiles import CsvFormatError
from cpom.organisations.enums import SpstiCategory
from cpom.organisations.importers import import_spsti_csv
from cpom.organisations.models import Approval, Organisation, Spsti
from cpom.organisations.parties import cpom_parties

from ..factories import SpstiFactory, next_siret

HEADER = [
    "siret",
    "nom",
    "departement_siege",
    "salaries_suivis",
    "entreprises_adherentes",
    "agrement_debut",
    "agrement_fin",
    "departements",
    "agrement_zones",
    "agrement_conditionnel",
    "agrement_conditions",
    "nature",
    "secteur",
    "commune",
]


def row(**values) -> dict:
    """A valid line; keyword arguments override its cells."""
    cells = {
        "siret": next_siret(),
        "nom": "Service de santé au travail",
        "departement_siege": "35",
        "salaries_suivis": "18 300",
        "entreprises_adherentes": "1 200",
        "agrement_debut": "01/01/2024",
        "agrement_fin": "31/12/2028",
        "departements": "",
        "agrement_zones": "",
        "agrement_conditionnel": "non",
        "agrement_conditions": "",
        "nature": "",
        "secteur": "",
        "commune": "Rennes",
    }
    cells.update(values)
    return cells


def csv_bytes(*rows: dict, separator: str = ";", encoding: str = "utf-8", bom: bool = False) -> bytes:
    lines = [separator.join(HEADER)] + [separator.join(line[column] for column in HEADER) for line in rows]
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def _counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), Spsti.objects.count(), Approval.objects.count()


def refused(content: bytes, **kwargs) -> list[str]:
    """Import `content`, expect a refusal, check nothing was written, return the errors as the user reads them."""
    before = _counts()
    with pytest.raises(CsvFormatError) as error:
        import_spsti_csv(content, **kwargs)
    assert _counts() == before, "un import refusé ne doit rien écrire"
    return [str(line_error) for line_error in error.value.errors]


@pytest.fixture
def good_file(reference) -> bytes:
    return csv_bytes(
        row(siret="73282932000074", nom="Santé Travail 35", departements="35 56"),
        row(
            nom="Santé Travail Moselle",
            departement_siege="57",
            agrement_debut="2024-03-01",
            agrement_fin="2029-02-28",
            agrement_zones="57 67",
            agrement_conditionnel="oui",
            agrement_conditions="Recruter deux médecins du travail.",
            commune="Metz",
        ),
        row(nom="Santé BTP Paris", departement_siege="75", departements="75 92", nature="sectoriel", secteur="BTP"),
    )


def test_a_good_file_registers_every_service_with_its_approval(good_file):
    created = import_spsti_csv(good_file)
    assert [spsti.name for spsti in created] == ["Santé Travail 35", "Santé Travail Moselle", "Santé BTP Paris"]
    assert Spsti.objects.count() == 3
    assert Approval.objects.count() == 3
    rennes = Spsti.objects.get(siret="73282932000074")
    assert (rennes.region_id, rennes.employees_followed, rennes.member_companies) == ("53", 18_300, 1_200)
    assert sorted(rennes.departments.values_list("code", flat=True)) == ["35", "56"]
    approval = rennes.approvals.get()
    assert (approval.start, approval.end, approval.conditional) == (dt.date(2024, 1, 1), dt.date(2028, 12, 31), False)
    assert sorted(approval.zones.values_list("code", flat=True)) == ["35", "56"]  # the covered departments
    metz = Spsti.objects.get(name="Santé Travail Moselle")
    assert metz.region_id == "44"
    assert list(metz.departments.values_list("code", flat=True)) == ["57"]  # the headquarters by default
    approval = metz.approvals.get()
    assert (approval.start, approval.end) == (dt.date(2024, 3, 1), dt.date(2029, 2, 28))
    assert (approval.conditional, approval.conditions) == (True, "Recruter deux médecins du travail.")
    assert sorted(approval.zones.values_list("code", flat=True)) == ["57", "67"]
    assert [caisse.code for caisse in cpom_parties(metz).caisses] == ["CARSAT-AM"]
    paris = Spsti.objects.get(name="Santé BTP Paris")
    assert (paris.category, paris.sector, paris.region_id) == (SpstiCategory.SECTOR, "BTP", "11")


def test_the_management_command_imports_a_file_and_says_how_many(good_file, tmp_path, capsys):
    path = tmp_path / "registre.csv"
    path.write_bytes(good_file)
    call_command("import_spsti", str(path))
    assert capsys.readouterr().out.strip() == "3 service(s) inscrit(s) au registre."
    assert Spsti.objects.count() == 3


def test_the_management_command_lists_the_errors_and_writes_nothing(reference, tmp_path, capsys):
    path = tmp_path / "registre.csv"
    path.write_bytes(csv_bytes(row(), row(siret="12345678901234"), row(departement_siege="99")))
    with pytest.raises(CommandError, match=r"^Import refusé : 2 erreur\(s\), aucun service n'a été enregistré\.$"):
        call_command("import_spsti", str(path))
    assert capsys.readouterr().err.splitlines() == [
        "  ligne 3, colonne « siret » : Le SIRET « 12345678901234 » n'a pas une clé de contrôle valide (clé de Luhn).",
        "  ligne 4, colonne « departement_siege » : département inconnu : 99.",
    ]
    assert Spsti.objects.count() == 0


def test_the_management_command_says_when_the_file_is_missing(reference, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_spsti", str(tmp_path / "absent.csv"))


def test_an_invalid_siret_is_refused_naming_its_line(reference):
    errors = refused(csv_bytes(row(), row(), row(siret="732 829 320 00075")))
    assert errors == [
        "ligne 4, colonne « siret » : Le SIRET « 73282932000075 » n'a pas une clé de contrôle valide (clé de Luhn)."
    ]


def test_a_siret_typed_with_spaces_is_accepted(reference):
    import_spsti_csv(csv_bytes(row(siret="732 829 320 00074")))
    assert Spsti.objects.get().siret == "73282932000074"


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ({"departement_siege": "99"}, "ligne 2, colonne « departement_siege » : département inconnu : 99."),
        ({"departements": "35 2C"}, "ligne 2, colonne « departements » : département inconnu : 2C."),
        ({"agrement_zones": "35 00"}, "ligne 2, colonne « agrement_zones » : département inconnu : 00."),
    ],
)
def test_an_unknown_department_is_refused_naming_its_column(reference, cells, error):
    assert refused(csv_bytes(row(**cells))) == [error]


def test_an_approval_ending_before_it_starts_is_refused(reference):
    errors = refused(csv_bytes(row(agrement_debut="01/01/2024", agrement_fin="31/12/2023")))
    assert errors == [
        "ligne 2, colonne « agrement_fin » : L'agrément ne peut pas prendre fin (31/12/2023) avant ou le jour "
        "de son début (01/01/2024)."
    ]


def test_an_approval_longer_than_five_years_is_refused(reference):
    errors = refused(csv_bytes(row(agrement_debut="01/01/2024", agrement_fin="01/01/2029")))
    assert errors == [
        "ligne 2, colonne « agrement_fin » : Un agrément dure au plus 5 ans : commencé le 01/01/2024, il doit "
        "prendre fin au plus tard le 31/12/2028."
    ]


def test_a_siret_twice_in_the_file_is_refused_on_its_second_line(reference):
    siret = next_siret()
    errors = refused(csv_bytes(row(siret=siret), row(), row(siret=siret)))
    assert errors == [f"ligne 4, colonne « siret » : SIRET {siret} en double dans le fichier (déjà ligne 2)."]


def test_a_siret_already_in_the_registry_updates_it_and_records_its_renewed_approval(reference, tmp_path, capsys):
    existing = SpstiFactory(department="35", departments=["35"])
    Approval.objects.create(spsti=existing, start=dt.date(2019, 1, 1), end=dt.date(2023, 12, 31)).zones.set(["35"])
    content = csv_bytes(row(), row(siret=existing.siret, nom="Nouveau nom", salaries_suivis="20 000"))
    path = tmp_path / "registre.csv"
    path.write_bytes(content)
    call_command("import_spsti", str(path))
    assert capsys.readouterr().out.strip() == (
        "1 service(s) inscrit(s) au registre. 1 service(s) mis à jour, 1 agrément(s) renouvelé(s)."
    )
    existing.refresh_from_db()
    assert (existing.name, existing.employees_followed) == ("Nouveau nom", 20_000)
    assert [(a.start.year, a.end.year) for a in existing.approvals.order_by("start")] == [(2019, 2023), (2024, 2028)]
    again = import_spsti_csv(content)
    assert len(again) == 2 and existing.approvals.count() == 2, "the same file twice: nothing new"


def test_a_renewal_overlapping_the_approval_in_force_is_refused_as_on_the_page(reference):
    existing = SpstiFactory(department="35", departments=["35"])
    Approval.objects.create(spsti=existing, start=dt.date(2022, 1, 1), end=dt.date(2026, 12, 31)).zones.set(["35"])
    errors = refused(csv_bytes(row(siret=existing.siret)))
    assert errors == [
        "ligne 2, colonne « agrement_debut » : Cet agrément chevauche l'agrément du 01/01/2022 au 31/12/2026."
    ]


def test_a_shortened_approval_lasts_two_years_at_most(reference):
    content = csv_bytes(row(agrement_reduit="oui"))
    assert "agrement_reduit" not in HEADER
    lines = content.decode().splitlines()
    lines = [lines[0] + ";agrement_reduit", lines[1] + ";oui"]
    errors = refused(("\r\n".join(lines) + "\r\n").encode())
    assert errors == [
        "ligne 2, colonne « agrement_fin » : Un agrément de deux ans (décret 2022-1435) commencé le 01/01/2024 doit "
        "prendre fin au plus tard le 31/12/2025."
    ]


def test_every_error_of_every_line_is_listed_at_once_in_line_order(reference):
    errors = refused(
        csv_bytes(
            row(salaries_suivis="beaucoup", agrement_debut="32/01/2024"),
            row(),
            row(nature="mutualiste"),
            row(nature="sectoriel"),
            row(agrement_conditionnel="oui"),
            row(nom=""),
        )
    )
    assert errors == [
        "ligne 2, colonne « salaries_suivis » : « beaucoup » n'est pas un nombre entier positif ou nul.",
        "ligne 2, colonne « agrement_debut » : « 32/01/2024 » n'est pas une date au format JJ/MM/AAAA.",
        "ligne 4, colonne « nature » : « mutualiste » : indiquez « interprofessionnel » ou « sectoriel ».",
        "ligne 5, colonne « secteur » : un service sectoriel doit préciser son secteur.",
        "ligne 6, colonne « agrement_conditions » : un agrément conditionnel doit énoncer ses conditions.",
        "ligne 7, colonne « nom » : valeur obligatoire manquante.",
    ]


def test_a_refusal_found_while_writing_names_the_file_column_and_rolls_back_the_lines_written(reference):
    # A name longer than the registry allows is only seen by the model, once earlier lines are written.
    errors = refused(csv_bytes(row(), row(nom="S" * 201)))
    assert len(errors) == 1
    assert errors[0].startswith("ligne 3, colonne « nom » : Nom : Assurez-vous que cette valeur comporte au plus 200")


def test_an_agent_cannot_import_a_service_of_another_region(reference, dreets_agent):
    errors = refused(csv_bytes(row(), row(departement_siege="75")), by=dreets_agent)
    assert errors == [
        "ligne 3, colonne « departement_siege » : Le département 75 — Paris n'appartient pas à votre région : "
        "seul le service de l'État de sa région peut l'inscrire."
    ]


@pytest.mark.parametrize(
    "options",
    [{"separator": ";"}, {"separator": ","}, {"bom": True}, {"separator": ",", "bom": True}],
    ids=["point-virgule", "virgule", "BOM", "virgule-BOM"],
)
def test_semicolons_commas_and_the_excel_bom_are_all_read(reference, options):
    content = csv_bytes(row(nom="Santé Travail Bretagne"), row(departement_siege="29"), **options)
    assert [spsti.name for spsti in import_spsti_csv(content)][0] == "Santé Travail Bretagne"
    assert Spsti.objects.count() == 2


def test_a_file_saved_in_latin_1_is_refused_in_french(reference):
    content = csv_bytes(row(nom="Santé Travail Bretagne"), encoding="latin-1")
    # The file is decoded as it is read: the error names the line of the first byte that is not UTF-8.
    assert refused(content) == ["ligne 2 : le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »)."]


def test_a_file_without_a_required_column_is_refused(reference):
    content = b"siret;nom\n73282932000074;Service\n"
    errors = refused(content)
    assert errors[0] == "ligne 1, colonne « departement_siege » : colonne obligatoire absente."
    assert len(errors) == 5


def test_registry_lines_with_control_characters_or_implausible_dates_are_refused(reference):
    """Issue 16, items 4 and 8: the registry import applies the same text and date policy as the form (overlong
    names were already refused by the length of their field)."""
    [error] = refused(csv_bytes(row(), row(commune="Ren\x01nes")))
    assert error.startswith("ligne 3, colonne « commune » : le texte contient des caractères de contrôle")
    [error] = refused(csv_bytes(row(), row(agrement_debut="01/01/1900")))
    assert error.startswith("ligne 3, colonne « agrement_debut » : « 01/01/1900 » : la date 01/01/1900")
