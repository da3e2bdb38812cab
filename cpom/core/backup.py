"""Backup and restore of every business row, in one consistent snapshot, as a zip archive: a manifest (format,
date, migration state, row count and SHA-256 of each entry) and one JSON entry per model. Models are streamed
one by one, so memory does not grow with the database. A restore goes into an empty database of the same
migration state, all or nothing, and checks the counts and checksums before writing anything.

Besides our apps' models, every table that holds the state of a user account is saved: the second factors of
django-otp (every installed device plugin, `USER_STATE_APP_PREFIX`: TOTP today); accounts (which have no Django
groups or permissions) and API tokens are our own apps' models. Sessions, the sign-in journal and lockouts of
django-axes (short-lived personal data) and Django's own tables (content types, permissions, admin log) are left
out: they are rebuilt by `migrate` or start empty. django-axes keeps its configuration in the settings."""

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from .errors import DomainError

FORMAT = "cpom-sauvegarde/1"
APP_PREFIX = "cpom."
USER_STATE_APP_PREFIX = "django_otp.plugins."  # every second-factor device kind (otp_totp, otp_static, otp_email…)
CHUNK = 2000


@dataclass(frozen=True)
class Manifest:
    created_at: str
    vendor: str
    migrations: dict[str, str]
    entries: dict[str, dict]  # model label → {"rows": n, "sha256": hex}

    @property
    def rows(self) -> int:
        return sum(entry["rows"] for entry in self.entries.values())


def business_models() -> list:
    """Our apps' concrete models, parents before children (a service's Organisation row before its Spsti row), then
    the other tables that hold the state of an account (second-factor devices)."""
    models = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith(APP_PREFIX)
        for model in config.get_models()
        if not model._meta.proxy
    ]
    user_state = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith(USER_STATE_APP_PREFIX)
        for model in config.get_models()
        if not model._meta.proxy
    ]
    return sorted(models, key=lambda model: len(model._meta.get_parent_list())) + user_state


def _migration_state() -> dict[str, str]:
    state: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name"):
        state[app] = name  # names sort in order: the last one is the latest applied
    return state


def write_backup(path: Path) -> Manifest:
    """Writes the archive from one snapshot: a repeatable-read transaction on PostgreSQL, a read transaction on
    SQLite (WAL), so rows written meanwhile are either all in or all out."""
    entries: dict[str, dict] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    outermost = not connection.in_atomic_block  # inside a caller's transaction, the snapshot is already its own
    with transaction.atomic(), zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in business_models():
            label = model._meta.label
            digest, rows = hashlib.sha256(), 0
            with archive.open(f"{label}.json", "w") as entry:
                writer = io.TextIOWrapper(entry, encoding="utf-8")
                writer.write("[")
                batch: list = []
                for obj in model._base_manager.order_by("pk").iterator(chunk_size=CHUNK):
                    batch.append(obj)
                    if len(batch) == CHUNK:
                        rows = _write_batch(writer, digest, batch, rows)
                        batch = []
                rows = _write_batch(writer, digest, batch, rows)
                writer.write("]")
                writer.flush()
                writer.detach()
            entries[label] = {"rows": rows, "sha256": digest.hexdigest()}
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            vendor=connection.vendor,
            migrations=_migration_state(),
            entries=entries,
        )
        archive.writestr(
            "manifest.json", json.dumps({"format": FORMAT, **manifest.__dict__}, indent=2, ensure_ascii=False)
        )
    return manifest


def _write_batch(writer, digest, batch: list, rows: int) -> int:
    if not batch:
        return rows
    chunk = ("," if rows else "") + serializers.serialize("json", batch)[1:-1]
    writer.write(chunk)
    digest.update(chunk.encode())
    return rows + len(batch)


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        data = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as error:
        raise DomainError("Archive illisible : le manifeste manque ou est abîmé.", rule="sauvegarde") from error
    if data.get("format") != FORMAT:
        raise DomainError(f"Format d'archive inconnu : {data.get('format')!r} (attendu {FORMAT}).", rule="sauvegarde")
    return Manifest(data["created_at"], data["vendor"], data["migrations"], data["entries"])


def _check(archive: zipfile.ZipFile, manifest: Manifest) -> None:
    """Counts and checksums of every entry, before anything is written."""
    if manifest.migrations != _migration_state():
        raise DomainError(
            "L'archive vient d'une autre version du schéma : appliquez les mêmes migrations avant de restaurer.",
            rule="sauvegarde",
        )
    for label, expected in manifest.entries.items():
        try:
            text = archive.read(f"{label}.json").decode()
        except KeyError as error:
            raise DomainError(f"Archive incomplète : l'entrée {label} manque.", rule="sauvegarde") from error
        body = text[1:-1]
        if hashlib.sha256(body.encode()).hexdigest() != expected["sha256"]:
            raise DomainError(f"Archive abîmée : l'empreinte de {label} ne correspond pas.", rule="sauvegarde")


def restore_backup(path: Path) -> Manifest:
    """Rebuilds an empty database from the archive; refuses a database that holds business rows."""
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive)
        _check(archive, manifest)
        occupied = [model._meta.label for model in business_models() if model._base_manager.exists()]
        if occupied:
            raise DomainError(
                f"La base n'est pas vide ({', '.join(occupied[:3])}…) : la restauration se fait dans une base neuve, "
                "migrée et vide.",
                rule="sauvegarde",
            )
        written: dict[str, int] = {}
        with transaction.atomic(), connection.constraint_checks_disabled():
            for label in manifest.entries:
                with archive.open(f"{label}.json") as entry:
                    for restored in serializers.deserialize("json", entry, ignorenonexistent=False):
                        restored.save()
                        written[label] = written.get(label, 0) + 1
            connection.check_constraints()
            models = [apps.get_model(label) for label in manifest.entries]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(_no_style(), models):
                    cursor.execute(statement)
            for label, expected in manifest.entries.items():
                if written.get(label, 0) != expected["rows"]:
                    raise DomainError(
                        f"Restauration interrompue : {label} a {written.get(label, 0)} lignes au lieu de "
                        f"{expected['rows']}.",
                        rule="sauvegarde",
                    )
    return manifest


def _no_style():
    from django.core.management.color import no_style

    return no_style()
