"""A backup rebuilds an empty database with every dashboard figure identical; a bad archive writes nothing."""

import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cpom.core.backup import business_models, restore_backup, write_backup
from cpom.core.errors import DomainError
from cpom.organisations.models import Spsti
from cpom.reports.models import Value
from cpom.steering.consolidation import tableau1
from cpom.steering.tables import national_tables, regional_tables
from cpom.territory.models import Region
from tests.steering.test_consolidation import YEAR

pytestmark = pytest.mark.django_db


def every_figure() -> list:
    """The rows of every table of the national dashboard and of the Bretagne dashboard, both switch positions."""
    figures = []
    for include_submitted in (False, True):
        region = Region.objects.get(code="53")
        current = tableau1(YEAR, include_submitted=include_submitted, region_id="53")
        for table in [
            *national_tables(YEAR, include_submitted=include_submitted),
            *regional_tables(YEAR, region, current, include_submitted=include_submitted),
        ]:
            figures.append((table.slug, table.export_header(), list(table.export_rows())))
    return figures


@pytest.mark.django_db(transaction=True)  # flush (TRUNCATE on PostgreSQL) cannot run inside the test's transaction
def test_a_backup_restores_every_dashboard_figure(year_of_reports, tmp_path):
    before = every_figure()
    counts = {model._meta.label: model._base_manager.count() for model in business_models()}
    manifest = write_backup(tmp_path / "cpom.zip")
    assert manifest.entries["reports.Value"]["rows"] == Value.objects.count() > 0
    call_command("flush", interactive=False, verbosity=0)
    assert not Spsti.objects.exists()
    restore_backup(tmp_path / "cpom.zip")
    assert {model._meta.label: model._base_manager.count() for model in business_models()} == counts
    assert every_figure() == before


def test_restoring_into_a_database_that_holds_data_is_refused(year_of_reports, tmp_path):
    write_backup(tmp_path / "cpom.zip")
    with pytest.raises(DomainError, match="n'est pas vide"):
        restore_backup(tmp_path / "cpom.zip")
    with pytest.raises(CommandError, match="n'est pas vide"):
        call_command("restore", str(tmp_path / "cpom.zip"))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_is_written(year_of_reports, tmp_path):
    write_backup(tmp_path / "cpom.zip")
    with zipfile.ZipFile(tmp_path / "cpom.zip") as source, zipfile.ZipFile(tmp_path / "abimee.zip", "w") as damaged:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "reports.Value.json":
                content = content.replace(b'"integer": 10', b'"integer": 11', 1)
            damaged.writestr(item, content)
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(DomainError, match="empreinte de reports.Value"):
        restore_backup(tmp_path / "abimee.zip")
    assert not Spsti.objects.exists(), "nothing written"


def test_the_manifest_records_format_counts_and_schema(year_of_reports, tmp_path, capsys):
    call_command("backup", "--sortie", str(tmp_path / "c.zip"))
    assert "Sauvegarde écrite" in capsys.readouterr().out
    manifest = json.loads(zipfile.ZipFile(tmp_path / "c.zip").read("manifest.json"))
    assert manifest["format"] == "cpom-sauvegarde/1" and manifest["migrations"]["reports"]
    assert manifest["entries"]["organisations.Spsti"]["rows"] == Spsti.objects.count()
