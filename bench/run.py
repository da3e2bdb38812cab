"""`make bench`: every performance measurement of the platform, in one run, on this machine.

For each database engine (SQLite, and PostgreSQL when reachable) and each scale (×1 the national demo, ×10,
×100), builds the dataset once with `manage.py generate_scale` in its own database, then measures:
- the consolidation against one hand-written SQL query computing the same figures (bench/consolidation.py);
- server time and SQL query count of the main pages (bench/pages.py);
then the bulk CSV import of a national year (bench/import_year.py) and the 30-June submission burst against
gunicorn + PostgreSQL with 1, 2 and 4 workers (bench/burst.py).

Writes bench/results.json and bench/results.md, and replaces the README section between the bench markers. The
goals are read, not asserted: the command fails only when a measurement itself breaks.

    .venv/bin/python bench/run.py [--scales 1,10,100] [--engines sqlite,postgresql] [--quick]
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATA = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
GOALS = {"page_p95_ms": {1: 100, 100: 1000}, "ratio": 2.0, "burst_p99_ms": 1000, "import_seconds": 5.0}


def database_url(engine: str, factor: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{DATA / f'scale-x{factor}.sqlite3'}"
    return f"{PG_SERVER}/cpom_bench_x{factor}"


def run(args: list[str], url: str, *, timeout: int = 3600) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} a échoué ({done.returncode}) :\n{done.stdout}\n{done.stderr}")
    return done.stdout


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def ensure_postgres_database(name: str, *, fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def dataset(engine: str, factor: int) -> tuple[str, float | None]:
    """The database of that scale, built if missing; returns its URL and the time its build took (kept in a marker
    file beside it, so a later run reuses the database and still reports that time)."""
    url = database_url(engine, factor)
    marker = DATA / f"{engine}-x{factor}.built.json"
    if marker.exists():
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], url)  # the code may have new tables since
        return url, json.loads(marker.read_text())["seconds"]
    if engine == "sqlite":
        path = DATA / f"scale-x{factor}.sqlite3"
        path.unlink(missing_ok=True)
    else:
        ensure_postgres_database(f"cpom_bench_x{factor}", fresh=True)
    started = time.perf_counter()
    output = run([PYTHON, "manage.py", "generate_scale", "--factor", str(factor)], url)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({"seconds": round(seconds, 1), "output": output}, ensure_ascii=False))
    print(f"  jeu ×{factor} ({engine}) construit en {seconds:.0f} s", flush=True)
    return url, seconds


def json_of(script: str, url: str, *extra: str) -> dict:
    out = DATA / f"{Path(script).stem}.json"
    out.unlink(missing_ok=True)
    print(run([PYTHON, script, *extra, "--json", str(out)], url), end="", flush=True)
    return json.loads(out.read_text())


def machine() -> dict:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} Gio"
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def markdown(results: dict) -> str:
    lines = [
        f"Mesuré le {results['date']} sur {results['machine']['cores']} cœurs, {results['machine']['memory']} "
        f"({results['machine']['system']}), Python {results['machine']['python']}. Médianes sur "
        f"{results['repeat']} répétitions ; temps serveur en processus (sans réseau) ; `make bench` régénère "
        "cette section.",
        "",
        "| base | échelle | services | construction | page | requêtes SQL | médiane | p95 | min–max | objectif p95 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run_ in results["scales"]:
        build = f"{run_['build_seconds']:.0f} s" if run_.get("build_seconds") else "—"
        goal = GOALS["page_p95_ms"].get(run_["factor"])
        for name, page in run_["pages"]["pages"].items():
            verdict = ""
            if goal:
                verdict = f"≤ {goal} ms {'✅' if page['p95_ms'] <= goal else '❌'}"
            lines.append(
                f"| {run_['engine']} | ×{run_['factor']} | {run_['pages']['services']} | {build} | {name} | "
                f"{page['queries']} | {page['median_ms']:.0f} ms | {page['p95_ms']:.0f} ms | "
                f"{page['min_ms']:.0f}–{page['max_ms']:.0f} ms | {verdict} |"
            )
    lines += [
        "",
        "Consolidation comparée à une requête SQL écrite à la main qui calcule les mêmes chiffres "
        f"(`cpom/steering/reference_sql.py`), objectif ≤ {GOALS['ratio']} :",
        "",
        "| base | échelle | calcul | consolidation | SQL à la main | rapport |",
        "|---|---|---|---|---|---|",
    ]
    for run_ in results["scales"]:
        for name, figures in run_["consolidation"].items():
            verdict = "✅" if figures["ratio"] <= GOALS["ratio"] else "❌"
            lines.append(
                f"| {run_['engine']} | ×{run_['factor']} | {name} | {figures['consolidation_ms']} ms | "
                f"{figures['sql_ms']} ms | {figures['ratio']} {verdict} |"
            )
    lines += ["", "Requêtes SQL par page, identiques à toutes les échelles : "]
    counts = {}
    for run_ in results["scales"]:
        for name, page in run_["pages"]["pages"].items():
            counts.setdefault((run_["engine"], name), set()).add(page["queries"])
    same = all(len(values) == 1 for values in counts.values())
    lines[-1] += "oui ✅" if same else f"non ❌ {counts}"
    if results.get("import"):
        lines += ["", "Import d'une année nationale en CSV (format long) :", ""]
        lines += ["| base | échelle | canal | lignes | durée | lignes/s | mémoire max |", "|---" * 7 + "|"]
        for item in results["import"]:
            for channel, label in (("csv", "CSV"), ("api", "API (un PUT par rapport)")):
                figures = item.get(channel)
                if not figures:
                    continue
                goal = ""
                if channel == "csv" and item["factor"] == 1:
                    verdict = "✅" if figures["seconds"] <= GOALS["import_seconds"] else "❌"
                    goal = f" (objectif ≤ {GOALS['import_seconds']:.0f} s {verdict})"
                lines.append(
                    f"| {item['engine']} | ×{item['factor']} | {label} | {figures['rows']} | "
                    f"{figures['seconds']:.2f} s{goal} | {figures['rows_per_second']:.0f} | "
                    f"{figures.get('peak_mib', 0):.1f} Mio |"
                )
    if results.get("burst"):
        lines += [
            "",
            "Pic du 30 juin : chaque rapport attendu de l'année rempli et transmis par l'API, clients concurrents, "
            f"gunicorn + PostgreSQL (objectif p99 ≤ {GOALS['burst_p99_ms']} ms, zéro erreur, zéro perte) :",
            "",
            "| processus | rapports | requêtes | rapports/s | p50 | p95 | p99 | erreurs | perdues | doublons |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for workers, figures in results["burst"].items():
            lines.append(
                f"| {workers} | {figures['reports']} | {figures['requests']} | {figures['reports_per_s']:.1f} | "
                f"{figures['p50_ms']:.0f} ms | {figures['p95_ms']:.0f} ms | {figures['p99_ms']:.0f} ms | "
                f"{figures['errors']} | {figures['lost']} | {figures['duplicated']} |"
            )
    return "\n".join(lines) + "\n"


def refresh_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    if README_START not in text:
        return
    before, rest = text.split(README_START, 1)
    _, after = rest.split(README_END, 1)
    readme.write_text(f"{before}{README_START}\n{table}{README_END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-burst", action="store_true")
    parser.add_argument("--no-import", action="store_true")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    engines = args.engines.split(",")
    if "postgresql" in engines and not postgres_reachable():
        print(f"PostgreSQL injoignable sur {PG_SERVER} : mesures sur SQLite seulement.")
        engines.remove("postgresql")
    results = {
        "date": dt.datetime.now().strftime("%d/%m/%Y %H:%M"),
        "machine": machine(),
        "repeat": args.repeat,
        "goals": GOALS,
        "scales": [],
    }
    for engine in engines:
        for factor in [int(f) for f in args.scales.split(",")]:
            print(f"== {engine} ×{factor}", flush=True)
            url, build = dataset(engine, factor)
            results["scales"].append(
                {
                    "engine": engine,
                    "factor": factor,
                    "build_seconds": build,
                    "consolidation": json_of("bench/consolidation.py", url, "--repeat", str(args.repeat)),
                    "pages": json_of("bench/pages.py", url, "--repeat", str(args.repeat)),
                }
            )
    if not args.no_import:
        results["import"] = []
        for engine in engines:
            for factor in [f for f in (1, 10) if str(f) in args.scales.split(",")]:
                print(f"== import CSV, {engine} ×{factor}", flush=True)
                url = scratch_copy(engine, factor)
                figures = json_of("bench/import_year.py", url, *import_arguments(engine, factor))
                results["import"].append({"engine": engine, "factor": factor, **figures})
    if not args.no_burst and "postgresql" in engines:
        print("== pic du 30 juin (gunicorn + PostgreSQL)", flush=True)
        results["burst"] = json_of("bench/burst.py", f"{PG_SERVER}/cpom_bench_burst", *burst_arguments())
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    table = markdown(results)
    (ROOT / "bench" / "results.md").write_text(table)
    refresh_readme(table)
    print(table)


def scratch_copy(engine: str, factor: int) -> str:
    """A copy of the dataset for a measurement that writes (the import resets and refills the year's reports)."""
    if engine == "sqlite":
        import shutil

        target = DATA / f"import-x{factor}.sqlite3"
        shutil.copyfile(DATA / f"scale-x{factor}.sqlite3", target)
        return f"sqlite:///{target}"
    import psycopg

    name = f"cpom_bench_import_x{factor}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "cpom_bench_x{factor}"')
    return f"{PG_SERVER}/{name}"


def import_arguments(engine: str, factor: int) -> list[str]:
    """The API channel is measured on the national demo only (at ×10 it is the same per-report cost, 10 times)."""
    return ["--scale", str(factor), *(["--no-api"] if factor > 1 else [])]


def burst_arguments() -> list[str]:
    return ["--database-url", f"{PG_SERVER}/cpom_bench_burst", "--workers", "1,2,4"]


if __name__ == "__main__":
    main()
