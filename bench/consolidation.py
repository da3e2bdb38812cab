"""Measure: our consolidation against one hand-written SQL query computing the same figures, in the same run, on
the database of DATABASE_URL. Checks that both give the same figures, then times each several times.

    DATABASE_URL=sqlite:///var/bench/scale-x10.sqlite3 .venv/bin/python bench/consolidation.py --repeat 9
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

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cpom.steering.consolidation import indicator_totals, service_theme_matrix, tableau1  # noqa: E402
from cpom.steering.reference_sql import regional_sql, tableau1_sql  # noqa: E402
from cpom.steering.tables import TREND_YEARS  # noqa: E402

REGION = "53"


def national() -> dict:
    return tableau1(YEAR)


def national_sql() -> dict:
    return tableau1_sql(YEAR)


def regional() -> dict:
    years = list(range(YEAR - TREND_YEARS + 1, YEAR + 1))
    return {
        "now": tableau1(YEAR, region_id=REGION),
        "before": tableau1(YEAR - 1, region_id=REGION),
        "totals": indicator_totals(years, region_id=REGION),
        "matrix": {row.service: row.themes for row in service_theme_matrix(YEAR, REGION)},
    }


def regional_raw() -> dict:
    return regional_sql(YEAR, REGION, years=list(range(YEAR - TREND_YEARS + 1, YEAR + 1)))


def timed(function, repeat: int) -> list[float]:
    function()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def compare(ours, theirs, repeat: int) -> dict:
    assert ours() == theirs(), f"{ours.__name__}: the consolidation and the SQL disagree"
    # Interleaved so that the machine's noise falls on both alike.
    a, b = [], []
    for _ in range(repeat):
        a += timed(ours, 1)
        b += timed(theirs, 1)
    return {
        "consolidation_ms": round(statistics.median(a), 1),
        "sql_ms": round(statistics.median(b), 1),
        "ratio": round(statistics.median(a) / statistics.median(b), 2),
        "consolidation_spread_ms": [round(min(a), 1), round(max(a), 1)],
        "sql_spread_ms": [round(min(b), 1), round(max(b), 1)],
        "repeat": repeat,
    }


YEAR = timezone.localdate().year - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {
        "Tableau 1 national": compare(national, national_sql, args.repeat),
        "Tableau de bord régional (Bretagne)": compare(regional, regional_raw, args.repeat),
    }
    print(f"[{connection.vendor}] consolidation / SQL écrit à la main, année {YEAR}")
    for name, figures in results.items():
        print(
            f"  {name:40} {figures['consolidation_ms']:8.1f} ms / {figures['sql_ms']:8.1f} ms = {figures['ratio']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
