"""Measure: the "30 June submission burst" — every report owed for the year filled and submitted through the API
by concurrent clients, against gunicorn + PostgreSQL, then the database checked against what was sent.

    .venv/bin/python bench/burst.py --workers 1,2,4 --clients 16 --json var/burst.json

Prepares a throwaway PostgreSQL database on this machine (created if missing, migrated, reference and demo data
loaded if it has no services), takes every report owed for the current year and, for each gunicorn worker count
in turn: resets those reports to empty drafts, starts `gunicorn config.wsgi -w N`, and lets `--clients` threads
send, per report, `PUT /api/reports/{id}/values` then `POST /api/reports/{id}/submit` (each with a timeout, each
report sent once, nothing retried), stops gunicorn and checks the database: every report submitted, every value
stored once and equal to what was sent. Prints one line per worker count and, with --json, writes the figures.

`config.settings.dev` sets DEBUG = True whatever the environment says; the server is therefore started on a
generated settings module (in a temporary directory) that imports the dev settings and sets DEBUG = False, so
that query logging does not weigh on the timings (--debug keeps the dev settings as they are).
"""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cpom_bench_burst"
TOKEN_LABEL = "bench-burst"


class Refused(Exception):
    """A run that must not start (wrong database, busy port): French message, exit code 2."""


class Broken(Exception):
    """The run itself broke (server never answered, died…): exit code 1."""


# --- arguments and database ---------------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Rafale de transmissions du 30 juin : API + gunicorn + PostgreSQL.")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"base PostgreSQL jetable (défaut : {DEFAULT_URL})")
    parser.add_argument("--workers", default="1,2,4", help="nombres de workers gunicorn, l'un après l'autre : 1,2,4")
    parser.add_argument("--clients", type=int, default=16, help="clients simultanés (threads), 16 par défaut")
    parser.add_argument("--port", type=int, default=8765, help="port de gunicorn sur 127.0.0.1 (8765)")
    parser.add_argument("--json", type=Path, help="écrire les résultats dans ce fichier")
    parser.add_argument("--timeout", type=float, default=60.0, help="délai maximal d'une requête, en secondes (60)")
    parser.add_argument("--startup-timeout", type=float, default=60.0, help="délai de démarrage de gunicorn (60 s)")
    parser.add_argument("--debug", action="store_true", help="servir avec DEBUG = True (réglages dev tels quels)")
    args = parser.parse_args(argv)
    try:
        args.workers = [int(part) for part in args.workers.split(",") if part.strip()]
    except ValueError:
        parser.error("--workers attend des entiers séparés par des virgules, par exemple 1,2,4")
    if not args.workers or min(args.workers) < 1:
        parser.error("--workers attend au moins un nombre de workers, chacun au moins 1")
    if args.clients < 1:
        parser.error("--clients doit valoir au moins 1")
    return args


def check_database_url(url: str) -> dict:
    """The connection parameters of a local PostgreSQL URL; Refused for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise Refused(
            f"Refusé : « {url} » n'est pas une base PostgreSQL (postgresql://…). Ce banc écrit en masse dans la "
            "base : il ne tourne que sur une base PostgreSQL jetable de cette machine."
        )
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise Refused(
            f"Refusé : l'hôte « {parts.hostname or ''} » n'est pas cette machine. Ce banc vide et remplit les rapports "
            "de l'année : donnez une base jetable sur 127.0.0.1 ou localhost."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise Refused(f"Refusé : « {url} » ne nomme pas de base (postgresql://utilisateur@127.0.0.1:5432/base).")
    return {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "dbname": name,
    }


def create_database_if_missing(params: dict) -> bool:
    import psycopg
    from psycopg import sql

    server = {k: v for k, v in params.items() if k != "dbname" and v is not None}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["dbname"]]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
        return True


def port_is_busy(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- preparation (Django, in this process) --------------------------------------------------------------------
@dataclass
class Workload:
    year: int
    report_ids: list[int]
    bodies: dict[int, bytes]  # report id → encoded PUT payload
    sent: dict[int, dict[str, str]]  # report id → values sent (non-empty cells)
    tokens: dict[int, str]  # report id → Bearer token of its service's referent


def prepare() -> Workload:
    from django.core.management import call_command
    from django.utils import timezone

    from cpom.accounts.enums import Role
    from cpom.accounts.models import User
    from cpom.api.models import ApiToken
    from cpom.demo.reports import ReportsBuilder
    from cpom.organisations.models import Spsti
    from cpom.reports.expected import ensure_reports
    from cpom.reports.models import Report

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Spsti.objects.exists():
        print("Base sans services : chargement des référentiels et de la démonstration…", flush=True)
        call_command("load_reference", verbosity=0)
        call_command("load_demo", verbosity=0)
    year = timezone.localdate().year
    created = ensure_reports(year)
    reports = list(Report.objects.filter(year=year).select_related("spsti", "contract").order_by("pk"))
    if not reports:
        raise Broken(f"Aucun rapport n'est dû pour {year} dans cette base : rien à transmettre.")
    reset_reports([r.pk for r in reports])
    builder = ReportsBuilder(random.Random(1), timezone.localdate(), by=None)
    sent = {r.pk: {k: v for k, v in builder._values(r).items() if v != ""} for r in reports}
    bodies = {pk: json.dumps({"version": 1, "values": values}).encode() for pk, values in sent.items()}
    by_service: dict[int, str] = {}
    for report in reports:
        if report.spsti_id in by_service:
            continue
        user, _ = User.objects.get_or_create(
            email=f"bench-{report.spsti_id}@cpom.test",
            defaults={"role": Role.SPSTI_REFERENT, "organisation": report.spsti},
        )
        ApiToken.objects.filter(user=user, label=TOKEN_LABEL).delete()  # one token per service, run after run
        by_service[report.spsti_id] = ApiToken.issue(user=user, label=TOKEN_LABEL)[1]
    print(
        f"Préparé en {time.perf_counter() - started:.1f} s : {len(reports)} rapports {year} ({created} créés), "
        f"{sum(len(v) for v in sent.values())} valeurs, {len(by_service)} services (un jeton chacun).",
        flush=True,
    )
    return Workload(
        year=year,
        report_ids=[r.pk for r in reports],
        bodies=bodies,
        sent=sent,
        tokens={r.pk: by_service[r.spsti_id] for r in reports},
    )


def reset_reports(report_ids: list[int]) -> None:
    """Empty drafts at version 1: no values, no value history, no events, no progress of those reports."""
    from django.db import transaction

    from cpom.reports.enums import ReportStatus
    from cpom.reports.models import ActionProgress, Report, ReportEvent, Value, ValueChange

    with transaction.atomic():
        Value.objects.filter(report_id__in=report_ids).delete()
        ValueChange.objects.filter(report_id__in=report_ids).delete()
        ReportEvent.objects.filter(report_id__in=report_ids).delete()
        ActionProgress.objects.filter(report_id__in=report_ids).delete()
        Report.objects.filter(pk__in=report_ids).update(
            status=ReportStatus.DRAFT, version=1, submitted_at=None, first_submitted_at=None, validated_at=None
        )


# --- the server -----------------------------------------------------------------------------------------------
class Server:
    """`gunicorn config.wsgi -w N` on 127.0.0.1:port; always stopped by `stop()` (use it in a finally)."""

    def __init__(self, *, workers: int, port: int, database_url: str, debug: bool, scratch: Path):
        self.workers, self.port = workers, port
        self.log_path = scratch / f"gunicorn-w{workers}.log"
        settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
        pythonpath = [str(ROOT)]
        if not debug:
            # config.settings.dev sets DEBUG = True unconditionally (the DEBUG variable is not read there).
            (scratch / "burst_settings.py").write_text(f"from {settings_module} import *  # noqa\n\nDEBUG = False\n")
            settings_module = "burst_settings"
            pythonpath.append(str(scratch))
        self.env = os.environ | {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "True" if debug else "False",
            "PYTHONUNBUFFERED": "1",
            # The production set-up (README): persistent database connections.
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        if not gunicorn.exists():
            gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        self.command = [
            str(gunicorn),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--pythonpath",
            ",".join(pythonpath),
            "--timeout",
            "120",
        ]
        self.process: subprocess.Popen | None = None
        self.log = None

    def start(self, probe_path: str, token: str, deadline_seconds: float) -> float:
        if port_is_busy(self.port):
            raise Refused(
                f"Refusé : le port {self.port} est déjà occupé sur 127.0.0.1 (--port pour en choisir un autre)."
            )
        self.log = self.log_path.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        while time.perf_counter() - started < deadline_seconds:
            if self.process.poll() is not None:
                raise Broken(f"gunicorn s'est arrêté au démarrage (code {self.process.returncode}).\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", probe_path, headers={"Authorization": f"Bearer {token}"})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.perf_counter() - started
                raise Broken(f"gunicorn répond {status} sur {probe_path} au lieu de 200.\n{self.tail()}")
            except OSError:
                time.sleep(0.2)
        raise Broken(f"gunicorn ne répond pas après {deadline_seconds:.0f} s.\n{self.tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: gunicorn's graceful shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, 9)  # its own session: the master and its workers
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)
        if self.log is not None:
            self.log.close()
            self.log = None

    def tail(self, lines: int = 25) -> str:
        if self.log is not None:
            self.log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- the clients ----------------------------------------------------------------------------------------------
@dataclass
class Sample:
    report_id: int
    kind: str  # "put" or "submit"
    status: int  # 0: no answer (timeout, connection refused or reset)
    seconds: float
    detail: str = ""


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    skipped_submits: int = 0
    elapsed: float = 0.0


def burst(workload: Workload, *, port: int, clients: int, timeout: float) -> Run:
    """Each report sent once: PUT its values, then (if accepted) POST submit. No retry, a 409 is an error."""
    local = threading.local()
    run = Run()
    lock = threading.Lock()

    def connection() -> http.client.HTTPConnection:
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        return local.conn

    def send(report_id: int, kind: str, method: str, path: str, body: bytes | None) -> Sample:
        headers = {"Authorization": f"Bearer {workload.tokens[report_id]}", "Connection": "keep-alive"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            conn = connection()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()  # the whole answer, as a real client would (keeps the connection usable)
            seconds = time.perf_counter() - t0
            detail = "" if 200 <= response.status < 300 else data[:300].decode(errors="replace")
            return Sample(report_id, kind, response.status, seconds, detail)
        except (OSError, http.client.HTTPException) as error:
            seconds = time.perf_counter() - t0
            if getattr(local, "conn", None) is not None:
                local.conn.close()
            local.conn = None  # a fresh connection for the next request; this one is not retried
            return Sample(report_id, kind, 0, seconds, f"{type(error).__name__}: {error}")

    def one_report(report_id: int) -> None:
        put = send(report_id, "put", "PUT", f"/api/reports/{report_id}/values", workload.bodies[report_id])
        samples = [put]
        if 200 <= put.status < 300:
            samples.append(send(report_id, "submit", "POST", f"/api/reports/{report_id}/submit", None))
        with lock:
            run.samples.extend(samples)
            run.skipped_submits += len(samples) == 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="client") as pool:
        for future in [pool.submit(one_report, pk) for pk in workload.report_ids]:
            future.result()
    run.elapsed = time.perf_counter() - started
    return run


def warm_up(workload: Workload, *, port: int, workers: int, timeout: float) -> None:
    """A few GETs at once so that every worker has loaded its URLs and API before the clock starts."""
    ids = workload.report_ids[: max(2, 3 * workers)]

    def get(report_id: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(
                "GET", f"/api/reports/{report_id}", headers={"Authorization": f"Bearer {workload.tokens[report_id]}"}
            )
            conn.getresponse().read()
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        list(pool.map(get, ids))


# --- the check ------------------------------------------------------------------------------------------------
def _typed(value) -> object:
    return value.integer if value.integer is not None else (value.date if value.date is not None else value.text)


def check(workload: Workload) -> dict:
    """Compare the database with what was sent, typed as the project parses it (rules.parse)."""
    from django.db import close_old_connections

    from cpom.reports import rules
    from cpom.reports.enums import EventKind, ReportStatus
    from cpom.reports.layout import report_layout
    from cpom.reports.models import Report, ReportEvent, Value, ValueChange

    close_old_connections()
    reports = {r.pk: r for r in Report.objects.filter(pk__in=workload.report_ids).select_related("contract")}
    rows: dict[int, dict[str, list]] = {pk: {} for pk in reports}
    for value in Value.objects.filter(report_id__in=reports).order_by("pk"):
        rows[value.report_id].setdefault(f"{value.indicator_id}|{value.theme_id or ''}", []).append(value)
    changes = Counter(ValueChange.objects.filter(report_id__in=reports).values_list("report_id", flat=True))
    events = Counter(
        ReportEvent.objects.filter(report_id__in=reports, kind=EventKind.SUBMITTED).values_list("report_id", flat=True)
    )
    layouts: dict[int, dict] = {}
    out = Counter()
    examples: list[str] = []

    def note(kind: str, text: str) -> None:
        out[kind] += 1
        if len(examples) < 10:
            examples.append(f"{kind}: {text}")

    for pk, report in reports.items():
        if report.contract_id not in layouts:
            layouts[report.contract_id] = {c.key: c for c in report_layout(report).cells()}
        cells = layouts[report.contract_id]
        if report.status != ReportStatus.SUBMITTED:
            note("not_submitted", f"rapport {pk} « {report.status} », version {report.version}")
        elif report.version != 3:
            note("unexpected_version", f"rapport {pk} en version {report.version} au lieu de 3")
        if events[pk] != (1 if report.status == ReportStatus.SUBMITTED else 0):
            note("events", f"rapport {pk} : {events[pk]} événement(s) de transmission")
        stored = rows[pk]
        for key, raw in workload.sent[pk].items():
            cell = cells[key]
            expected = rules.parse(cell.indicator, raw, cell.theme.label if cell.theme else None)
            found = stored.get(key, [])
            if len(found) > 1:
                note("duplicated", f"rapport {pk}, {key} : {len(found)} lignes")
            if not found or _typed(found[0]) in (None, ""):
                note("lost", f"rapport {pk}, {key} : « {raw} » absent")
            elif any(_typed(v) != expected for v in found):
                note("mismatched", f"rapport {pk}, {key} : envoyé « {raw} », lu « {_typed(found[0])} »")
        for key in stored.keys() - workload.sent[pk].keys():
            note("unexpected", f"rapport {pk}, {key} : valeur non envoyée")
        stored_count = sum(len(v) for v in stored.values())
        if changes[pk] != stored_count:
            note("history", f"rapport {pk} : {changes[pk]} modifications pour {stored_count} valeurs")
    out["submitted"] = sum(r.status == ReportStatus.SUBMITTED for r in reports.values())
    out["values_sent"] = sum(len(v) for v in workload.sent.values())
    out["values_stored"] = sum(len(vs) for per in rows.values() for vs in per.values())
    return dict(out) | {"examples": examples}


# --- figures --------------------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def summarise(workers: int, clients: int, workload: Workload, run: Run, checked: dict, startup: float) -> dict:
    ms = [s.seconds * 1000 for s in run.samples]
    errors = [s for s in run.samples if not 200 <= s.status < 300]
    done = {s.report_id for s in run.samples if s.kind == "submit" and 200 <= s.status < 300}
    by_kind = {}
    for kind in ("put", "submit"):
        kind_ms = [s.seconds * 1000 for s in run.samples if s.kind == kind]
        by_kind[kind] = {"requests": len(kind_ms), "p50_ms": round(percentile(kind_ms, 0.5), 1)}
        by_kind[kind] |= {"p95_ms": round(percentile(kind_ms, 0.95), 1), "max_ms": round(max(kind_ms, default=0), 1)}
    return {
        "workers": workers,
        "clients": clients,
        "reports": len(workload.report_ids),
        "requests": len(run.samples),
        "elapsed_s": round(run.elapsed, 3),
        "reports_per_s": round(len(done) / run.elapsed, 2) if run.elapsed else 0.0,
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms, default=0), 1),
        "errors": len(errors),
        "errors_by_status": {str(k): v for k, v in sorted(Counter(s.status for s in errors).items())},
        "error_examples": sorted({f"{s.kind} {s.status}: {s.detail[:200]}" for s in errors})[:5],
        "skipped_submits": run.skipped_submits,
        "submitted": checked.get("submitted", 0),
        "values_sent": checked.get("values_sent", 0),
        "values_stored": checked.get("values_stored", 0),
        "lost": checked.get("lost", 0),
        "duplicated": checked.get("duplicated", 0),
        "mismatched": checked.get("mismatched", 0),
        "unexpected": checked.get("unexpected", 0),
        "not_submitted": checked.get("not_submitted", 0),
        "history_anomalies": checked.get("history", 0)
        + checked.get("events", 0)
        + checked.get("unexpected_version", 0),
        "check_examples": checked.get("examples", []),
        "by_kind": by_kind,
        "startup_s": round(startup, 2),
    }


HEADER = (
    f"{'workers':>7} {'rapports':>8} {'requêtes':>8} {'durée s':>8} {'rapports/s':>10} {'p50 ms':>7} {'p95 ms':>7} "
    f"{'p99 ms':>7} {'max ms':>7} {'erreurs':>7} {'perdues':>7} {'doublées':>8} {'écarts':>6}"
)


def line(r: dict) -> str:
    return (
        f"{r['workers']:>7} {r['reports']:>8} {r['requests']:>8} {r['elapsed_s']:>8.2f} {r['reports_per_s']:>10.1f} "
        f"{r['p50_ms']:>7.0f} {r['p95_ms']:>7.0f} {r['p99_ms']:>7.0f} {r['max_ms']:>7.0f} {r['errors']:>7} "
        f"{r['lost']:>7} {r['duplicated']:>8} {r['mismatched'] + r['unexpected'] + r['not_submitted']:>6}"
    )


# --- main -----------------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        params = check_database_url(args.database_url)
        if port_is_busy(args.port):
            raise Refused(
                f"Refusé : le port {args.port} est déjà occupé sur 127.0.0.1 (--port pour en choisir un autre)."
            )
    except Refused as refused:
        print(refused, file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = args.database_url
    if create_database_if_missing(params):
        print(f"Base « {params['dbname']} » créée.", flush=True)

    import django

    django.setup()
    from django.db import connection

    results: dict[str, dict] = {}
    scratch = Path(tempfile.mkdtemp(prefix="cpom-burst-"))
    try:
        workload = prepare()
        for workers in args.workers:
            reset_reports(workload.report_ids)
            connection.close()  # no idle connection of ours during the run
            server = Server(
                workers=workers, port=args.port, database_url=args.database_url, debug=args.debug, scratch=scratch
            )
            try:
                first = workload.report_ids[0]
                startup = server.start(f"/api/reports/{first}", workload.tokens[first], args.startup_timeout)
                warm_up(workload, port=args.port, workers=workers, timeout=args.timeout)
                print(
                    f"gunicorn -w {workers} prêt en {startup:.1f} s ; {args.clients} clients, "
                    f"{len(workload.report_ids)} rapports…",
                    flush=True,
                )
                run = burst(workload, port=args.port, clients=args.clients, timeout=args.timeout)
            finally:
                server.stop()
            result = summarise(workers, args.clients, workload, run, check(workload), startup)
            results[str(workers)] = result
            print(HEADER)
            print(line(result), flush=True)
            for text in result["error_examples"] + result["check_examples"]:
                print(f"    {text}")
    except Refused as refused:
        print(refused, file=sys.stderr)
        return 2
    except Broken as broken:
        print(f"Échec du banc : {broken}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if args.json and results:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    print()
    print(f"[{connection.vendor}, DEBUG={'True' if args.debug else 'False'}, {args.clients} clients]")
    print(HEADER)
    for result in results.values():
        print(line(result))
    if args.json:
        print(f"Résultats écrits dans {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
