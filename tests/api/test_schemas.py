"""Every file the platform exchanges is described by a published Table Schema (docs/schemas/, the format of
schema.data.gouv.fr) and every export is valid against it, checked with frictionless (`frictionless validate`)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from frictionless import Detector, Dialect, Resource, Schema, formats

from cpom.reports.models import ReportingCampaign
from tests.organisations.test_import import csv_bytes, row
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db

SCHEMAS = Path(settings.BASE_DIR) / "docs" / "schemas"
PUBLISHED = ["donnees-ouvertes", "enquete-annuelle", "registre", "valeurs"]


def schema(name: str) -> Schema:
    return Schema.from_descriptor(json.loads((SCHEMAS / name / "schema.json").read_text(encoding="utf-8")))


def errors_of(content: bytes, name: str, tmp_path, *, suffix: str = "csv", by_name: bool = False) -> list[str]:
    """`frictionless validate` of `content` against the schema `name`: the list of its errors (empty: valid).
    `by_name`: columns matched by their header, in any order, optional ones omitted (`--schema-sync`)."""
    (tmp_path / f"fichier.{suffix}").write_bytes(content)
    options = {"dialect": Dialect(controls=[formats.CsvControl(delimiter=";")]), "encoding": "utf-8-sig"}
    if by_name:
        options["detector"] = Detector(schema_sync=True)
    resource = Resource(
        path=f"fichier.{suffix}", basepath=str(tmp_path), schema=schema(name), **(options if suffix == "csv" else {})
    )
    report = resource.validate()
    return [error.message for task in report.tasks for error in task.errors] + [e.message for e in report.errors]


def test_every_schema_is_a_valid_table_schema_with_french_descriptions():
    assert sorted(p.parent.name for p in SCHEMAS.glob("*/schema.json")) == PUBLISHED
    for name in PUBLISHED:
        descriptor = json.loads((SCHEMAS / name / "schema.json").read_text())
        assert Schema.validate_descriptor(descriptor).valid, name
        assert descriptor["path"] == f"docs/schemas/{name}/schema.json"
        for field in descriptor["fields"]:
            assert field["description"] and field["title"], (name, field["name"])
            assert field["type"] in {"string", "integer", "number", "date"}


def test_the_documentation_page_shows_every_schema_to_anyone():
    page = Client().get(reverse("core:schemas")).content.decode()
    for name in PUBLISHED:
        descriptor = json.loads((SCHEMAS / name / "schema.json").read_text())
        assert descriptor["title"] in page.replace("&#x27;", "'")
        assert f"<code>{descriptor['fields'][-1]['name']}</code>" in page
    assert "/api/docs" in page


def test_the_values_export_is_valid_against_its_schema(year_of_reports, national, login, tmp_path):
    content = login(national).get(reverse("reports:values_export"), {"annee": YEAR}).content
    assert content.count(b"\n") > 5
    assert errors_of(content, "valeurs", tmp_path) == []


def test_the_open_data_csv_is_valid_against_its_schema(year_of_reports, tmp_path):
    ReportingCampaign.objects.create(year=YEAR, opens_on=f"{YEAR + 1}-01-01", deadline=f"{YEAR + 1}-06-30")
    content = Client().get(reverse("steering:open_data"), {"annee": YEAR}).content
    assert errors_of(content, "donnees-ouvertes", tmp_path) == []


def test_a_registry_import_file_is_valid_against_its_schema(reference, tmp_path):
    content = csv_bytes(row(siret="732 829 320 00074"), row(departements="35 56", agrement_conditionnel="oui"))
    assert errors_of(content, "registre", tmp_path, by_name=True) == []
    assert errors_of(csv_bytes(row(siret="pas un SIRET")), "registre", tmp_path, by_name=True) != []


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_survey_export_is_valid_against_its_schema(year_of_reports, national, login, tmp_path, suffix):
    content = login(national).get(reverse(f"reports:survey_{suffix}"), {"annee": YEAR}).content
    assert errors_of(content, "enquete-annuelle", tmp_path, suffix=suffix) == []


def test_the_checker_is_not_vacuous(tmp_path):
    wrong = b"annee;siret;theme;indicateur;valeur\ndeux mille;123;TMS;ETAB;1\n"
    assert len(errors_of(wrong, "valeurs", tmp_path)) >= 2
