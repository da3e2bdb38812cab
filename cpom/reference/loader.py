"""Loads the reference files shipped in cpom/reference/data (copied from the project's shared reference).

Idempotent: every row is keyed by its stable code and updated in place.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from cpom.contracts.models import CommitmentTemplate
from cpom.indicators.enums import IndicatorScope
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.enums import OrganisationKind
from cpom.organisations.models import Organisation
from cpom.territory.models import Department, Region

DATA_DIR = Path(__file__).resolve().parent / "data"

NATIONAL_BODIES = [
    ("DGT", OrganisationKind.DGT, "Direction générale du travail", "DGT"),
    ("CNAM", OrganisationKind.CNAM, "Caisse nationale de l'Assurance maladie (DRP, DISAS)", "CNAM"),
    ("CNPST", OrganisationKind.CNPST, "Comité national de prévention et de santé au travail", "CNPST"),
]


def read_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{count} {what}" for what, count in self.counts.items())


@transaction.atomic
def load_reference() -> LoadReport:
    report = LoadReport()
    regions = {}
    for row in read_rows("regions.csv"):
        region, _ = Region.objects.update_or_create(code=row["code_insee"], defaults={"name": row["nom"]})
        regions[region.code] = region
        Organisation.objects.update_or_create(
            code=f"ETAT-{region.code}",
            defaults={
                "kind": OrganisationKind.DREETS,
                "name": row["service_etat"],
                "short_name": row["service_etat"],
                "region": region,
            },
        )
        Organisation.objects.update_or_create(
            code=f"ARS-{region.code}",
            defaults={
                "kind": OrganisationKind.ARS,
                "name": f"Agence régionale de santé — {region.name}",
                "short_name": f"ARS {region.name}",
                "region": region,
            },
        )
        Organisation.objects.update_or_create(
            code=f"CRPST-{region.code}",
            defaults={
                "kind": OrganisationKind.CRPST,
                "name": f"Comité régional de prévention et de santé au travail — {region.name}",
                "short_name": f"CRPST {region.name}",
                "region": region,
            },
        )
    report.counts["régions"] = len(regions)

    departments = {}
    for row in read_rows("departements.csv"):
        department, _ = Department.objects.update_or_create(
            code=row["code"], defaults={"name": row["nom"], "region": regions[row["region"]]}
        )
        departments[department.code] = department
    report.counts["départements"] = len(departments)

    caisse_count = 0
    for row in read_rows("caisses.csv"):
        caisse, _ = Organisation.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": OrganisationKind.CAISSE,
                "name": row["nom"],
                "short_name": row["nom"],
                "caisse_type": row["type"],
                "region": None,
            },
        )
        caisse.departments.set([departments[code] for code in row["departements"].split()])
        caisse_count += 1
    report.counts["caisses"] = caisse_count

    for code, kind, name, short in NATIONAL_BODIES:
        Organisation.objects.update_or_create(
            code=code, defaults={"kind": kind, "name": name, "short_name": short, "region": None}
        )
    report.counts["organismes nationaux"] = len(NATIONAL_BODIES)

    themes = {}
    for row in read_rows("themes.csv"):
        theme, _ = Theme.objects.update_or_create(
            code=row["code"],
            defaults={
                "label": row["libelle"],
                "scope": row["portee"],
                "volet": int(row["volet"]),
                "source": row["source"],
            },
        )
        themes[theme.code] = theme
    report.counts["thématiques"] = len(themes)

    regions_by_name = {region.name: region for region in regions.values()}
    rows = read_rows("indicateurs.csv")
    # Parents first, so that a "dont" row finds its total.
    rows.sort(key=lambda row: bool(row["parent"]))
    for row in rows:
        scope, _, region_name = row["portee"].partition(" ")
        region = regions_by_name[region_name.strip("()")] if region_name else None
        indicator, _ = Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "label": row["libelle"],
                "scope": IndicatorScope(scope),
                "region": region,
                "value_type": row["type"],
                "parent_id": row["parent"] or None,
                "rule": row["regle"],
                "source": row["source"],
            },
        )
        indicator.themes.set([themes[code] for code in row["themes"].split()])
    report.counts["indicateurs"] = len(rows)

    commitments = read_rows("engagements.csv")
    for row in commitments:
        CommitmentTemplate.objects.get_or_create(
            party_role=row["partie"], category=row["nature"], text=row["engagement"]
        )
    report.counts["engagements types"] = len(commitments)
    return report
