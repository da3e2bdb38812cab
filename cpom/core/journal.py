"""The change journal: snapshots of an object's fields as a reader sees them, their differences, and one
`Change` row per change of a contract or registry service, written in the caller's transaction."""

import datetime as dt
from collections.abc import Iterable

from django.db import models

from .models import Change, ChangeAction, SubjectKind

Snapshot = dict[str, str]


def _display(obj: models.Model, field) -> str:
    if field.many_to_many:
        if obj.pk is None:
            return ""
        return ", ".join(sorted(str(item) for item in getattr(obj, field.name).all()))
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    value = getattr(obj, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def snapshot(obj: models.Model | None, fields: Iterable[str]) -> Snapshot:
    """{verbose name: displayed value} of the named fields (empty when there is no object yet)."""
    if obj is None:
        return {}
    result = {}
    for name in fields:
        field = obj._meta.get_field(name)
        result[str(field.verbose_name)] = _display(obj, field)
    return result


def differences(before: Snapshot, after: Snapshot) -> list[dict[str, str]]:
    return [
        {"champ": label, "avant": before.get(label, ""), "apres": after.get(label, "")}
        for label in dict.fromkeys([*before, *after])
        if before.get(label, "") != after.get(label, "")
    ]


def record(
    *,
    by,
    kind: SubjectKind,
    subject_id: int,
    what: str,
    before: Snapshot | None = None,
    after: Snapshot | None = None,
    action: ChangeAction | None = None,
    version: int | None = None,
) -> Change | None:
    """Journals a change; an update that changes nothing is not journaled (returns None)."""
    if action is None:
        action = ChangeAction.CREATED if not before else ChangeAction.DELETED if not after else ChangeAction.UPDATED
    changes = differences(before or {}, after or {})
    if action == ChangeAction.UPDATED and not changes:
        return None
    return Change.objects.create(
        by=by if getattr(by, "pk", None) else None,
        subject_kind=kind,
        subject_id=subject_id,
        subject_version=version,
        action=action,
        what=what[:300],
        changes=changes,
    )


def journal(kind: SubjectKind, subject_id: int):
    return Change.objects.filter(subject_kind=kind, subject_id=subject_id).select_related("by__organisation")
