"""Measure: a full national year of values imported as one CSV, then the same values pushed through the API.

    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/import_year.py

Builds the demo on the given (throwaway) database if it is empty, takes every report owed for the current year,
fills every case with plausible figures, and times both channels in the same run.
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

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


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Spsti.objects.exists():
        call_command("load_reference", verbosity=0)
        call_command("load_demo", verbosity=0)
    year = timezone.localdate().year
    ensure_reports(year)
    reports = list(Report.objects.filter(year=year).select_related("spsti", "contract"))
    Value.objects.filter(report__in=reports).delete()
    ValueChange.objects.filter(report__in=reports).delete()
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(status="brouillon", version=1)
    builder = ReportsBuilder(random.Random(1), timezone.localdate(), by=None)
    per_report = {r.pk: {k: v for k, v in builder._values(r).items() if v != ""} for r in reports}
    lines = [";".join([*COLUMNS, "contrat"])]
    for report in reports:
        for key, value in per_report[report.pk].items():
            indicator, _, theme = key.partition("|")
            row = [str(year), report.spsti.siret, theme, indicator, value.replace(";", ","), report.contract.reference]
            lines.append(";".join(row))
    content = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    result = import_values(content)
    csv_seconds = time.perf_counter() - started
    print(
        f"[{connection.vendor}] CSV : {result.rows} lignes, {result.reports} rapports, {len(content) // 1024} Ko, "
        f"importé en {csv_seconds:.2f} s ({result.rows / csv_seconds:.0f} lignes/s)"
    )

    Value.objects.filter(report__in=reports).delete()
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(version=1)
    tokens = {}
    for report in reports:
        if report.spsti_id not in tokens:
            user, _ = User.objects.get_or_create(
                email=f"bench-{report.spsti_id}@cpom.test",
                defaults={"role": Role.SPSTI_REFERENT, "organisation": report.spsti},
            )
            tokens[report.spsti_id] = ApiToken.issue(user=user, label="bench")[1]
    client = Client()
    durations = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        started = time.perf_counter()
        for report in reports:
            t0 = time.perf_counter()
            response = client.put(
                f"/api/reports/{report.pk}/values",
                {"version": 1, "values": per_report[report.pk]},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {tokens[report.spsti_id]}",
            )
            durations.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content[:300]
        api_seconds = time.perf_counter() - started
    durations.sort()
    stored = Value.objects.filter(report__in=reports).count()
    print(
        f"[{connection.vendor}] API : {len(reports)} rapports en {api_seconds:.2f} s "
        f"(médiane {durations[len(durations) // 2] * 1000:.0f} ms, max {durations[-1] * 1000:.0f} ms par rapport), "
        f"{stored} valeurs en base"
    )


if __name__ == "__main__":
    main()
