"""Measure: server time and SQL query count of the main pages, on the database of DATABASE_URL.

    DATABASE_URL=sqlite:///var/scale-x10.sqlite3 .venv/bin/python bench/pages.py --repeat 20

The pages are served in-process by Django's test client (the server's own time: routing, views, queries,
templates; no network), each as the user who opens it in real life. Prints one line per page and, with --json,
writes the figures to a file.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cpom.accounts.models import User  # noqa: E402
from cpom.organisations.models import Spsti  # noqa: E402
from cpom.reports.models import Report  # noqa: E402


def pages() -> list[tuple[str, str, str]]:
    """(name, user e-mail, path) of the measured pages."""
    year = timezone.localdate().year - 1
    pst35 = Spsti.objects.get(code="SPSTI-PST35")
    report = Report.objects.filter(spsti=pst35).order_by("-year").first()
    return [
        ("Tableau de bord national", "dgt@cpom.test", reverse("steering:national") + f"?annee={year}"),
        (
            "Tableau de bord régional (Bretagne)",
            "dreets-bretagne@cpom.test",
            reverse("steering:regional", args=["53"]) + f"?annee={year}",
        ),
        ("Formulaire de rapport (PST 35)", "pst35@cpom.test", reverse("reports:report_detail", args=[report.pk])),
        (
            "Bureau d'examen d'un rapport (DREETS Bretagne)",
            "dreets-bretagne@cpom.test",
            reverse("reports:review_desk", args=[report.pk]),
        ),
        ("Liste des contrats (DREETS Bretagne)", "dreets-bretagne@cpom.test", reverse("contracts:contract_list")),
    ] + [
        (f"Accueil — à faire ({who})", f"{who}@cpom.test", reverse("workspace:home"))
        for who in (
            "pst35",
            "dreets-bretagne",
            "carsat-bretagne",
            "pilote-bretagne",
            "ars-bretagne",
            "crpst-bretagne",
            "dgt",
        )
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(repeat: int, warmup: int = 2) -> dict[str, dict]:
    results = {}
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        for name, email, path in pages():
            client = Client()
            client.force_login(User.objects.get(email=email))
            for _ in range(warmup):
                assert client.get(path).status_code == 200, path
            reset_queries()  # each request starts by clearing the log; the capture must start from empty
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            queries = len(captured.captured_queries)  # read now: the log is cleared by the next request
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            results[name] = {
                "path": path,
                "queries": queries,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "min_ms": round(min(times), 1),
                "max_ms": round(max(times), 1),
                "repeat": repeat,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = measure(args.repeat)
    services = Spsti.objects.count()
    reports = Report.objects.count()
    print(f"[{connection.vendor}] {services} services, {reports} rapports")
    for name, figures in results.items():
        print(
            f"  {name:40} {figures['queries']:3} requêtes  médiane {figures['median_ms']:7.1f} ms  "
            f"p95 {figures['p95_ms']:7.1f} ms"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"vendor": connection.vendor, "services": services, "reports": reports, "pages": results},
                indent=2,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
