"""A dataset N times the demo, for measuring: the demo landscape (built through the real rules) is copied N − 1
times in bulk, each copy with its own services, approvals, contracts, reports and values. Copies keep the demo's
distributions (sizes, regions, generations, states, figures), so every page costs what it would at N × the scale.

Not copied: user accounts, amendments, signatures and the history of value changes (no page measured reads them
for copies); each contract's versions (which hold its text) are. Regional bodies, caisses, campaigns and the
reference data are shared, as in real life."""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from cpom.contracts.models import Action, Axis, Contract, ContractIndicator, ContractParty, ContractVersion, Target
from cpom.organisations.models import Approval, Organisation, Spsti
from cpom.reports.models import ActionProgress, Report, ReportEvent, Value

BATCH = 2000


@dataclass
class ScaleResult:
    factor: int
    seconds: float
    counts: dict[str, int]


def _luhn_siret(prefix13: str) -> str:
    """A 14-digit SIRET passing the Luhn check, from 13 digits."""
    for check in "0123456789":
        digits = [int(d) for d in prefix13 + check]
        total = sum(d if i % 2 else (2 * d if 2 * d < 10 else 2 * d - 9) for i, d in enumerate(digits))
        if total % 10 == 0:
            return prefix13 + check
    raise AssertionError("unreachable")


def _rows(model: type[models.Model], queryset) -> list[dict]:
    names = [f.attname for f in model._meta.concrete_fields]
    return list(queryset.values(*names))


def _bulk(model: type[models.Model], rows: Iterable[dict]) -> list[int]:
    """bulk_create returning the new primary keys (RETURNING on PostgreSQL and SQLite ≥ 3.35)."""
    created = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
    return [obj.pk for obj in created]


def _clone(
    model: type[models.Model],
    rows: list[dict],
    change: Callable[[dict], dict | None],
) -> dict[int, int]:
    """Copies `rows` (dicts of attnames) with `change` applied (None drops a row); returns old pk → new pk."""
    pk = model._meta.pk.attname
    olds, news = [], []
    for row in rows:
        copy = change(dict(row))
        if copy is None:
            continue
        olds.append(row[pk])
        copy.pop(pk, None)
        news.append(copy)
    return dict(zip(olds, _bulk(model, news), strict=True))


def _clone_through(field, remap_source: dict[int, int]) -> None:
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = through.objects.filter(**{f"{source}__in": list(remap_source)}).values_list(f"{source}_id", f"{target}_id")
    through.objects.bulk_create(
        [through(**{f"{source}_id": remap_source[s], f"{target}_id": t}) for s, t in rows], batch_size=BATCH
    )


def _insert_children(model: type[models.Model], rows: list[dict]) -> None:
    """Rows of a multi-table-inheritance child (bulk_create does not handle them): its own table only."""
    fields = [f for f in model._meta.local_concrete_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(row[f.attname], connection) for f in fields]
                    for row in rows[start : start + BATCH]
                ],
            )


def copy_once(k: int, base: dict[str, list[dict]]) -> None:
    """The k-th copy of the demo landscape `base` (rows read once by `read_base`)."""
    suffix = f" ({k + 1})"
    # Services: the Organisation row then the Spsti row sharing its primary key.
    org_rows = {row["id"]: row for row in base["organisation"]}
    services = {}
    for row in base["spsti"]:
        parent = dict(org_rows[row["organisation_ptr_id"]])
        parent["name"] = parent["name"] + suffix
        parent["code"] = f"{parent['code']}-X{k}" if parent["code"] else None
        services[row["organisation_ptr_id"]] = parent
    organisation_map = _clone(Organisation, list(services.values()), lambda row: row)
    children = []
    for row in base["spsti"]:
        child = dict(row)
        child["organisation_ptr_id"] = organisation_map[row["organisation_ptr_id"]]
        child["siret"] = _luhn_siret(f"9{k:04d}{child['organisation_ptr_id']:08d}"[:13])
        child["merged_into_id"] = organisation_map.get(row["merged_into_id"]) if row["merged_into_id"] else None
        children.append(child)
    _insert_children(Spsti, children)
    _clone_through(Organisation._meta.get_field("departments"), organisation_map)

    def own(row: dict, field: str) -> dict:
        row[field] = organisation_map.get(row[field], row[field])
        return row

    approval_map = _clone(Approval, base["approval"], lambda row: own(row, "spsti_id"))
    _clone_through(Approval._meta.get_field("zones"), approval_map)

    def contract(row: dict) -> dict:
        row["reference"] = f"{row['reference']}-X{k}"
        row["current_version_id"] = None  # set once its versions are copied
        return row

    contract_map = _clone(Contract, base["contract"], contract)

    def under_contract(row: dict, field: str = "contract_id") -> dict:
        row[field] = contract_map[row[field]]
        return row

    _clone(ContractParty, base["party"], lambda row: own(under_contract(row), "organisation_id"))
    version_map = _clone(ContractVersion, base["version"], under_contract)
    Contract.objects.bulk_update(
        [
            Contract(pk=contract_map[row["id"]], current_version_id=version_map[row["current_version_id"]])
            for row in base["contract"]
            if row["current_version_id"] in version_map
        ],
        ["current_version_id"],
        batch_size=BATCH,
    )

    def in_version(row: dict) -> dict:
        row["version_id"] = version_map[row["version_id"]]
        return row

    axis_map = _clone(Axis, base["axis"], in_version)

    def action(row: dict) -> dict:
        row["axis_id"] = axis_map[row["axis_id"]]
        row["origin_id"] = None
        return row

    action_map = _clone(Action, base["action"], action)

    def indicator(row: dict) -> dict:
        row = in_version(row)
        row["action_id"] = action_map.get(row["action_id"]) if row["action_id"] else None
        return row

    indicator_map = _clone(ContractIndicator, base["contract_indicator"], indicator)

    def target(row: dict) -> dict:
        row["contract_indicator_id"] = indicator_map[row["contract_indicator_id"]]
        return row

    _clone(Target, base["target"], target)
    report_map = _clone(Report, base["report"], lambda row: own(under_contract(row), "spsti_id"))

    def in_report(row: dict) -> dict:
        row["report_id"] = report_map[row["report_id"]]
        return row

    _clone(Value, base["value"], in_report)

    def progress(row: dict) -> dict:
        row = in_report(row)
        row["action_id"] = action_map[row["action_id"]]
        return row

    _clone(ActionProgress, base["progress"], progress)
    _clone(ReportEvent, base["event"], in_report)


def read_base() -> dict[str, list[dict]]:
    spsti_ids = list(Spsti.objects.values_list("pk", flat=True))
    return {
        "organisation": _rows(Organisation, Organisation.objects.filter(pk__in=spsti_ids)),
        "spsti": list(Spsti.objects.values(*[f.attname for f in Spsti._meta.local_concrete_fields])),
        "approval": _rows(Approval, Approval.objects.all()),
        "contract": _rows(Contract, Contract.objects.all()),
        "party": _rows(ContractParty, ContractParty.objects.all()),
        "version": _rows(ContractVersion, ContractVersion.objects.all()),
        "axis": _rows(Axis, Axis.objects.all()),
        "action": _rows(Action, Action.objects.all()),
        "contract_indicator": _rows(ContractIndicator, ContractIndicator.objects.all()),
        "target": _rows(Target, Target.objects.all()),
        "report": _rows(Report, Report.objects.all()),
        "value": _rows(Value, Value.objects.all()),
        "progress": _rows(ActionProgress, ActionProgress.objects.all()),
        "event": _rows(ReportEvent, ReportEvent.objects.all()),
    }


def backfill_years(years: int) -> int:
    """Reports for the `years` followed years up to the current one: the earliest year present is copied
    backwards (validated, integer figures shrinking by 8 % a year, dates moved to that year), so that trends
    have a history to draw. Synthetic: the copies do not check that a contract was in force then."""
    present = sorted(set(Report.objects.values_list("year", flat=True)))
    if not present:
        return 0
    earliest = present[0]
    wanted = range(timezone.localdate().year - years + 1, earliest)
    reports = _rows(Report, Report.objects.filter(year=earliest))
    values = _rows(Value, Value.objects.filter(report__year=earliest))
    progress = _rows(ActionProgress, ActionProgress.objects.filter(report__year=earliest))
    created = 0
    for year in wanted:
        shrink = 0.92 ** (earliest - year)

        def report(row: dict, year=year) -> dict:
            row.update(year=year, status="valide", version=1)
            for moment in ("first_submitted_at", "submitted_at", "validated_at"):
                if row.get(moment):
                    row[moment] = _moved(row[moment], year + 1)
            return row

        report_map = _clone(Report, reports, report)

        def value(row: dict, year=year, shrink=shrink, report_map=report_map) -> dict:
            row["report_id"] = report_map[row["report_id"]]
            if row["integer"] is not None:
                row["integer"] = round(row["integer"] * shrink)
            if row["date"] is not None:
                row["date"] = _moved(row["date"], year)
            return row

        _clone(Value, values, value)

        def action_progress(row: dict, report_map=report_map) -> dict:
            row["report_id"] = report_map[row["report_id"]]
            return row

        _clone(ActionProgress, progress, action_progress)
        created += len(report_map)
    return created


def _moved(moment, year: int):
    """The same day and month in another year (28 February for 29 February)."""
    try:
        return moment.replace(year=year)
    except ValueError:
        return moment.replace(year=year, day=28)


def scale(factor: int, *, progress: Callable[[str], None] = lambda message: None) -> ScaleResult:
    """Copies the demo landscape already in the database `factor − 1` times. Each copy is one transaction."""
    started = time.perf_counter()
    base = read_base()
    for k in range(1, factor):
        with transaction.atomic():
            copy_once(k, base)
        progress(f"copie {k + 1}/{factor} faite ({time.perf_counter() - started:.0f} s)")
    counts = {
        "services": Spsti.objects.count(),
        "contrats": Contract.objects.count(),
        "rapports": Report.objects.count(),
        "valeurs": Value.objects.count(),
    }
    return ScaleResult(factor=factor, seconds=time.perf_counter() - started, counts=counts)
