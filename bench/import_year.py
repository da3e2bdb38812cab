"""Measure: a full national year of values imported as one CSV, then the same values pushed through the API.

    DATABASE_URL=sqlite:////tmp/scale-x10.sqlite3 .venv/bin/python bench/import_year.py [--json PATH]

THE DATABASE IS MODIFIED (the year's reports are reset to drafts and their values replaced): give it a
throwaway copy (`cp var/scale-x10.sqlite3 /tmp/`). Builds the demo on the given database if it is empty, takes
every report owed for the current year (×10 the rows on a ×10 database built by `manage.py generate_scale
--factor 10`; `--years K` adds the K − 1 previous years, reset to drafts too, for a K times larger file), fills
every case with plausible figures, writes the long CSV to a temporary file and times both channels in the same
run. The CSV import is run twice from the same state: once timed, once under tracemalloc for its peak memory
(tracemalloc slows Python down, so it is kept out of the timing). `--bytes` reads the file into memory and
passes bytes, as the importer required before it streamed. The API is timed over every report; its peak memory
is measured under tracemalloc on a sample of reports (`--api-sample`).
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from cpom.accounts.enums import Role  # noqa: E402
from cpom.accounts.models import User  # noqa: E402
from cpom.api.models import ApiToken  # noqa: E402
from cpom.demo.reports import ReportsBuilder  # noqa: E402
from cpom.organisations.models import Spsti  # noqa: E402
from cpom.reports.csv_values import COLUMNS, import_values  # noqa: E402
from cpom.reports.expected import ensure_reports  # noqa: E402
from cpom.reports.models import Report, Value, ValueChange  # noqa: E402

MIB = 1024 * 1024


def database() -> tuple[str, int | None]:
    """The database's name and the scale it was built at, read from its name (scale-x10, cpom_bench_x10)."""
    name = str(connection.settings_dict["NAME"])
    found = re.search(r"x(\d+)(?:\.sqlite3)?$", Path(name).name)
    return name, int(found.group(1)) if found else None


def reset(reports: list[Report]) -> None:
    """The reports as fresh drafts without values nor history."""
    ids = [r.pk for r in reports]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Value.objects.filter(report_id__in=chunk).delete()
        ValueChange.objects.filter(report_id__in=chunk).delete()
        Report.objects.filter(pk__in=chunk).update(status="brouillon", version=1)


def write_csv(path: Path, reports: list[Report], per_report: dict[int, dict[str, str]]) -> int:
    """The long CSV of every value, written line by line; returns the number of data lines."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(";".join([*COLUMNS, "contrat"]) + "\n")
        for report in reports:
            for key, value in per_report[report.pk].items():
                indicator, _, theme = key.partition("|")
                row = [
                    str(report.year),
                    report.spsti.siret,
                    theme,
                    indicator,
                    value.replace(";", ","),
                    report.contract.reference,
                ]
                out.write(";".join(row) + "\n")
                rows += 1
    return rows


def import_file(path: Path, *, as_bytes: bool):
    if as_bytes:
        return import_values(path.read_bytes())
    with path.open("rb") as file:
        return import_values(file)


def peak_of(function):
    """(result, peak bytes above what was allocated before) of `function()` under tracemalloc."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = function()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return result, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--years", type=int, default=1, help="years imported, the current one and before (1)")
    parser.add_argument("--bytes", action="store_true", help="pass the file as bytes (the importer before streaming)")
    parser.add_argument("--no-api", action="store_true", help="measure the CSV import only")
    parser.add_argument("--api-sample", type=int, default=50, help="reports re-sent under tracemalloc (50)")
    parser.add_argument("--scale", type=int, help="the scale of the database, when its name does not tell")
    args = parser.parse_args()
    settings.DEBUG = False  # as in production: no log of every SQL query, which would count in the peak memory

    call_command("migrate", verbosity=0)
    if not Spsti.objects.exists():
        call_command("load_reference", verbosity=0)
        call_command("load_demo", verbosity=0)
    name, scale = database()
    scale = args.scale or scale
    this_year = timezone.localdate().year
    years = list(range(this_year - args.years + 1, this_year + 1))
    for year in years:
        ensure_reports(year)
    reports = list(
        Report.objects.filter(year__in=years).select_related("spsti", "contract").order_by("year", "spsti__siret", "pk")
    )
    services = Spsti.objects.count()
    where = f"[{connection.vendor} {name}, ×{scale or '?'}, {services} services]"
    print(f"{where} {len(reports)} rapports attendus pour {', '.join(map(str, years))}")
    reset(reports)
    builder = ReportsBuilder(random.Random(1), timezone.localdate(), by=None)
    per_report = {r.pk: {k: v for k, v in builder._values(r).items() if v != ""} for r in reports}

    figures: dict = {
        "database": name,
        "engine": connection.vendor,
        "scale": scale,
        "services": services,
        "years": years,
        "reports": len(reports),
        "mode": "bytes" if args.bytes else "file",
    }
    with tempfile.TemporaryDirectory(prefix="cpom-import-") as tmp:
        path = Path(tmp) / "valeurs.csv"
        rows = write_csv(path, reports, per_report)
        size = path.stat().st_size
        started = time.perf_counter()
        result = import_file(path, as_bytes=args.bytes)
        csv_seconds = time.perf_counter() - started
        assert result.rows == rows, (result.rows, rows)
        reset(reports)
        again, peak = peak_of(lambda: import_file(path, as_bytes=args.bytes))
        assert again.changed == result.changed, (again.changed, result.changed)
    figures["csv"] = {
        "rows": result.rows,
        "reports": result.reports,
        "changed": result.changed,
        "kib": size // 1024,
        "seconds": round(csv_seconds, 3),
        "rows_per_second": round(result.rows / csv_seconds, 1),
        "peak_mib": round(peak / MIB, 2),
    }
    print(
        f"{where} CSV ({figures['mode']}) : {result.rows} lignes, {result.reports} rapports, {size // 1024} Ko, "
        f"importé en {csv_seconds:.2f} s ({result.rows / csv_seconds:.0f} lignes/s), "
        f"mémoire max de l'import {peak / MIB:.1f} Mio"
    )

    if not args.no_api:
        figures["api"] = measure_api(reports, per_report, where, sample=args.api_sample)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


def measure_api(reports: list[Report], per_report: dict[int, dict[str, str]], where: str, *, sample: int) -> dict:
    reset(reports)
    tokens = {}
    for report in reports:
        if report.spsti_id not in tokens:
            user, _ = User.objects.get_or_create(
                email=f"bench-{report.spsti_id}@cpom.test",
                defaults={"role": Role.SPSTI_REFERENT, "organisation": report.spsti},
            )
            tokens[report.spsti_id] = ApiToken.issue(user=user, label="bench")[1]
    client = Client()

    def put(report: Report) -> None:
        response = client.put(
            f"/api/reports/{report.pk}/values",
            {"version": 1, "values": per_report[report.pk]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[report.spsti_id]}",
        )
        assert response.status_code == 200, response.content[:300]

    durations = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        started = time.perf_counter()
        for report in reports:
            t0 = time.perf_counter()
            put(report)
            durations.append(time.perf_counter() - t0)
        api_seconds = time.perf_counter() - started
        stored = Value.objects.filter(report__in=[r.pk for r in reports]).count()
        sampled = reports[:sample]
        reset(sampled)
        _, peak = peak_of(lambda: [put(report) for report in sampled])
    durations.sort()
    print(
        f"{where} API : {len(reports)} rapports, {stored} valeurs en {api_seconds:.2f} s "
        f"({stored / api_seconds:.0f} valeurs/s ; médiane {statistics.median(durations) * 1000:.0f} ms, "
        f"max {durations[-1] * 1000:.0f} ms par rapport), mémoire max {peak / MIB:.1f} Mio "
        f"(sur {len(sampled)} rapports)"
    )
    return {
        "reports": len(reports),
        "rows": stored,
        "seconds": round(api_seconds, 3),
        "rows_per_second": round(stored / api_seconds, 1),
        "median_ms": round(statistics.median(durations) * 1000, 1),
        "max_ms": round(durations[-1] * 1000, 1),
        "peak_mib": round(peak / MIB, 2),
        "peak_sample_reports": len(sampled),
    }


if __name__ == "__main__":
    main()
