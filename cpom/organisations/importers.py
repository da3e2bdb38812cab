"""Import of services into the registry from a CSV file. All or nothing: one bad line, nothing written.

A SIRET already in the registry updates that service's file (upsert by SIRET) and records the line's approval
as its renewal — unless that very approval (same start and end) is already recorded. The same registry functions
as the pages: same rules (overlap, 5 years, 2 years for a shortened approval), same French refusals.

Columns (header line required, `;` or `,`, UTF-8):
  siret*, nom*, departement_siege*, salaries_suivis*, entreprises_adherentes*, agrement_debut*, agrement_fin*,
  nom_court, nature (interprofessionnel | sectoriel), secteur, departements (codes separated by spaces),
  commune, adresse, agrement_conditionnel (oui | non), agrement_conditions, agrement_reference,
  agrement_zones (codes separated by spaces; the covered departments by default),
  agrement_reduit (oui | non: a 2-year approval, décret 2022-1435)
The Table Schema of this file: docs/schemas/registre/schema.json.
"""

from dataclasses import dataclass

from django.db import transaction

from cpom.core.csvfiles import CsvFormatError, LineError, read_csv
from cpom.core.errors import DomainError
from cpom.core.parsing import parse_count, parse_french_date, parse_yes_no
from cpom.territory.models import Department

from .enums import SpstiCategory
from .models import Spsti
from .rules import approval_period_error
from .services import SpstiData, approval_record, spsti_register, spsti_update
from .siret import normalise_siret, siret_error

REQUIRED = [
    "siret",
    "nom",
    "departement_siege",
    "salaries_suivis",
    "entreprises_adherentes",
    "agrement_debut",
    "agrement_fin",
]
OPTIONAL = [
    "nom_court",
    "nature",
    "secteur",
    "departements",
    "commune",
    "adresse",
    "agrement_conditionnel",
    "agrement_conditions",
    "agrement_reference",
    "agrement_zones",
    "agrement_reduit",
]
# The fields named by the registry services' refusals, as the columns of the file.
COLUMN_OF_FIELD = {
    "siret": "siret",
    "name": "nom",
    "short_name": "nom_court",
    "category": "nature",
    "sector": "secteur",
    "headquarters_department": "departement_siege",
    "departments": "departements",
    "employees_followed": "salaries_suivis",
    "member_companies": "entreprises_adherentes",
    "city": "commune",
    "address": "adresse",
    "start": "agrement_debut",
    "end": "agrement_fin",
    "zones": "agrement_zones",
    "conditional": "agrement_conditionnel",
    "conditions": "agrement_conditions",
    "decision_reference": "agrement_reference",
    "shortened": "agrement_reduit",
}


@dataclass
class ParsedLine:
    line: int
    data: SpstiData
    approval: dict


def _departments(value: str, known: dict[str, Department]) -> list[Department]:
    codes = value.split()
    unknown = [code for code in codes if code.upper() not in known]
    if unknown:
        raise ValueError(f"département inconnu : {', '.join(unknown)}.")
    return [known[code.upper()] for code in codes]


def _parse_line(line: int, row: dict[str, str], known: dict[str, Department]) -> tuple[ParsedLine | None, list]:
    errors: list[LineError] = []

    def take(column: str, parse):
        try:
            return parse(row.get(column, ""))
        except ValueError as error:
            errors.append(LineError(line, column, str(error)))
            return None

    for column in REQUIRED:
        if not row.get(column):
            errors.append(LineError(line, column, "valeur obligatoire manquante."))
    if errors:
        return None, errors

    siret = normalise_siret(row["siret"])
    message = siret_error(siret)
    if message:
        errors.append(LineError(line, "siret", message))
    hq = take("departement_siege", lambda value: _departments(value, known)[0])
    departments = take("departements", lambda value: _departments(value, known)) or ([hq] if hq else [])
    zones = take("agrement_zones", lambda value: _departments(value, known)) or departments
    employees = take("salaries_suivis", parse_count)
    companies = take("entreprises_adherentes", parse_count)
    start = take("agrement_debut", parse_french_date)
    end = take("agrement_fin", parse_french_date)
    conditional = take("agrement_conditionnel", parse_yes_no)
    shortened = take("agrement_reduit", parse_yes_no)
    category = row.get("nature") or SpstiCategory.INTERPROFESSIONAL
    if category not in SpstiCategory.values:
        errors.append(LineError(line, "nature", f"« {category} » : indiquez « interprofessionnel » ou « sectoriel »."))
    elif category == SpstiCategory.SECTOR and not row.get("secteur"):
        errors.append(LineError(line, "secteur", "un service sectoriel doit préciser son secteur."))
    if start and end:
        message = approval_period_error(start, end, shortened=bool(shortened))
        if message:
            errors.append(LineError(line, "agrement_fin", message))
    if conditional and not row.get("agrement_conditions"):
        errors.append(LineError(line, "agrement_conditions", "un agrément conditionnel doit énoncer ses conditions."))
    if errors:
        return None, errors
    data = SpstiData(
        siret=siret,
        name=row["nom"],
        short_name=row.get("nom_court", ""),
        category=category,
        sector=row.get("secteur", ""),
        headquarters_department=hq,
        departments=departments,
        employees_followed=employees,
        member_companies=companies,
        city=row.get("commune", ""),
        address=row.get("adresse", ""),
    )
    approval = {
        "start": start,
        "end": end,
        "zones": zones,
        "conditional": conditional,
        "shortened": bool(shortened),
        "conditions": row.get("agrement_conditions", ""),
        "decision_reference": row.get("agrement_reference", ""),
    }
    return ParsedLine(line, data, approval), []


@dataclass
class RegistryImport:
    created: list[Spsti]
    updated: list[Spsti]
    renewals: int  # approvals recorded for services already in the registry

    @property
    def services(self) -> list[Spsti]:
        return self.created + self.updated


def import_spsti_csv(content: bytes, *, by=None) -> list[Spsti]:
    """The services of the file, registered or updated (`import_registry`)."""
    return import_registry(content, by=by).services


def import_registry(content: bytes, *, by=None) -> RegistryImport:
    """Validate every line first, then write them all in one transaction. Raises CsvFormatError."""
    rows = read_csv(content, required=REQUIRED, optional=OPTIONAL)
    known = {department.code: department for department in Department.objects.all()}
    parsed: list[ParsedLine] = []
    errors: list[LineError] = []
    first_line_of: dict[str, int] = {}
    for line, row in rows:
        result, line_errors = _parse_line(line, row, known)
        errors += line_errors
        if result is None:
            continue
        siret = result.data.siret
        if siret in first_line_of:
            errors.append(
                LineError(
                    line,
                    "siret",
                    f"SIRET {siret} en double dans le fichier (déjà ligne {first_line_of[siret]}).",
                )
            )
            continue
        first_line_of[siret] = line
        parsed.append(result)
    if errors:
        raise CsvFormatError(sorted(errors, key=lambda error: error.line))
    already = {
        s.siret: s for s in Spsti.objects.filter(siret__in=first_line_of).select_related("headquarters_department")
    }
    outcome = RegistryImport(created=[], updated=[], renewals=0)
    with transaction.atomic():
        for result in parsed:
            try:
                existing = already.get(result.data.siret)
                if existing is None:
                    spsti = spsti_register(by=by, data=result.data)
                    approval_record(by=by, spsti=spsti, **result.approval)
                    outcome.created.append(spsti)
                    continue
                spsti = spsti_update(by=by, spsti=existing, data=result.data)
                period = {"start": result.approval["start"], "end": result.approval["end"]}
                if not spsti.approvals.filter(**period).exists():
                    approval_record(by=by, spsti=spsti, **result.approval)
                    outcome.renewals += 1
                outcome.updated.append(spsti)
            except DomainError as error:
                # Raising inside the atomic block rolls back every line already written.
                column = COLUMN_OF_FIELD.get(error.field, error.field)
                raise CsvFormatError([LineError(result.line, column, error.message)]) from error
    return outcome
