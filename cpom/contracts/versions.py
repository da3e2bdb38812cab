"""A contract's versions (DESIGN §5): the draft being negotiated, an amendment's working copy, the signed versions.

- `snapshot` turns a version's content into plain data with stable French labels, so that two versions compare line
  by line and the exact text the parties sign has a SHA-256 (`content_hash`).
- `copy_version` makes an amendment's working copy: every axis, action (with its links to the PRST, the service
  project and the COG), indicator, target, commitment and convention, in a constant number of queries.
- `sign_version` freezes a version when the last party signs it: it becomes the one in force from its date, and the
  one it replaces is superseded on that date. Reports and figures of a year read the version in force at its end
  (`version_for_year`), so a later amendment never changes a past report or a past figure.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q

from .enums import VersionStatus
from .models import (
    Action,
    Axis,
    BilateralConvention,
    Commitment,
    Contract,
    ContractIndicator,
    ContractVersion,
    Target,
)


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def version_end(version: ContractVersion) -> dt.date | None:
    """The end the text of `version` states: the extension's new end for an amendment that extends the contract,
    the contract's end once signed, its planned end while in negotiation."""
    amendment = getattr(version, "amendment", None) if version.pk else None
    if amendment is not None and amendment.new_end:
        return amendment.new_end
    contract = version.contract
    return contract.end or contract.planned_end


def snapshot(version: ContractVersion, *, end: dt.date | None = None) -> dict:
    """Plain data of the text of `version`: parties, duration, axes and actions, indicators and targets,
    commitments, PDP cell, conventions. Who signed and when is not part of the text (it is the signature)."""
    contract = version.contract
    parties = {
        str(party.organisation): {"qualité": party.get_role_display()}
        for party in contract.parties.select_related("organisation").order_by("role", "organisation__name")
    }
    axes = {}
    # Plain managers, not the version's related ones: a version read by a page comes with its own prefetches.
    for axis in (
        Axis.objects.filter(version=version)
        .order_by("number")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.select_related("theme").order_by("number")))
    ):
        axes[f"Axe {axis.number}"] = {"intitulé": axis.title, "description": axis.description}
        for action in axis.actions.all():
            axes[f"Action {axis.number}.{action.number}"] = {
                "intitulé": action.title,
                "thématique": action.theme.label if action.theme else "",
                "objectif": action.objective,
                "modalités": action.method,
                "calendrier": action.calendar,
                "moyens du service": action.means_spsti,
                "moyens de la DREETS": action.means_state,
                "moyens de la caisse": action.means_caisse,
            }
    indicators = {}
    rows = ContractIndicator.objects.filter(version=version).select_related("indicator", "theme")
    rows = rows.prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("year")))
    for row in rows.order_by("indicator__scope", "indicator_id", "theme_id"):
        key = row.indicator.label + (f" — {row.theme.label}" if row.theme else "")
        indicators[key] = {"suivi": "oui"} | {f"cible {target.year}": target.value for target in row.targets.all()}
    commitments = {}
    for commitment in Commitment.objects.filter(version=version).order_by("party_role", "position", "pk"):
        commitments.setdefault(commitment.get_party_role_display(), []).append(commitment.text)
    return {
        "dates": {"fin": _date(end if end is not None else version_end(version))},
        "parties": parties,
        "dispositions générales": {"contexte": version.context, "objectifs généraux": version.general_objectives},
        "axes et actions": axes,
        "indicateurs et cibles": indicators,
        "engagements": {role: "\n".join(texts) for role, texts in commitments.items()},
        "cellule PDP": {"composition minimale": version.pdp_cell_composition},
        "conventions bilatérales": {
            convention.title: convention.reference
            for convention in BilateralConvention.objects.filter(version=version).order_by("title", "pk")
        },
    }


def content_hash(data: dict) -> str:
    """SHA-256 of a snapshot written canonically (sorted keys, UTF-8): the same text always gives the same hash."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def current_hash(version: ContractVersion) -> str:
    """The hash of the text as it stands: frozen for a signed version, computed for a draft."""
    if version.status != VersionStatus.DRAFT and version.content_sha256:
        return version.content_sha256
    return content_hash(snapshot(version))


def new_draft(contract: Contract, *, label: str, on: dt.date) -> ContractVersion:
    number = (ContractVersion.objects.filter(contract=contract).aggregate(n=Max("number"))["n"] or 0) + 1
    return ContractVersion.objects.create(
        contract=contract, number=number, label=label, status=VersionStatus.DRAFT, created_on=on
    )


def copy_version(source: ContractVersion, *, label: str, on: dt.date) -> ContractVersion:
    """A draft holding a copy of every part of `source` (the amendment's working copy)."""
    copy = new_draft(source.contract, label=label, on=on)
    copy.context, copy.general_objectives = source.context, source.general_objectives
    copy.pdp_cell_composition = source.pdp_cell_composition
    copy.save(update_fields=["context", "general_objectives", "pdp_cell_composition"])

    axes = list(source.axes.order_by("number"))
    new_axes = Axis.objects.bulk_create(
        Axis(version=copy, number=a.number, kind=a.kind, title=a.title, description=a.description) for a in axes
    )
    axis_map = {old.pk: new for old, new in zip(axes, new_axes, strict=True)}
    actions = list(
        Action.objects.filter(axis__version=source)
        .order_by("axis__number", "number")
        .prefetch_related("prst_actions", "pps_priorities", "cog_programmes")
    )
    copied_fields = [f.attname for f in Action._meta.concrete_fields if f.attname not in ("id", "axis_id", "origin_id")]
    new_actions = Action.objects.bulk_create(
        Action(axis=axis_map[a.axis_id], origin=a, **{name: getattr(a, name) for name in copied_fields})
        for a in actions
    )
    action_map = {old.pk: new for old, new in zip(actions, new_actions, strict=True)}
    for relation in ("prst_actions", "pps_priorities", "cog_programmes"):
        through = getattr(Action, relation).through
        target = getattr(Action, relation).field.m2m_reverse_field_name()
        through.objects.bulk_create(
            through(action_id=action_map[a.pk].pk, **{f"{target}_id": linked.pk})
            for a in actions
            for linked in getattr(a, relation).all()
        )
    rows = list(source.indicators.order_by("pk").prefetch_related("targets"))
    new_rows = ContractIndicator.objects.bulk_create(
        ContractIndicator(
            version=copy,
            indicator_id=r.indicator_id,
            theme_id=r.theme_id,
            action=action_map[r.action_id] if r.action_id else None,
        )
        for r in rows
    )
    Target.objects.bulk_create(
        Target(contract_indicator=new, year=t.year, value=t.value)
        for old, new in zip(rows, new_rows, strict=True)
        for t in old.targets.all()
    )
    Commitment.objects.bulk_create(
        Commitment(version=copy, party_role=c.party_role, category=c.category, text=c.text, position=c.position)
        for c in source.commitments.order_by("pk")
    )
    BilateralConvention.objects.bulk_create(
        BilateralConvention(
            version=copy, caisse_id=c.caisse_id, title=c.title, reference=c.reference, signed_on=c.signed_on
        )
        for c in source.conventions.order_by("pk")
    )
    return copy


def sign_version(version: ContractVersion, *, label: str, effective_on: dt.date, content_sha256: str) -> None:
    """The last party has signed `version`: it is frozen (snapshot and hash), in force from `effective_on`, and the
    version it replaces is superseded on that date. The contract shows it from now on."""
    contract = version.contract
    ContractVersion.objects.filter(contract=contract, status=VersionStatus.SIGNED, superseded_on__isnull=True).update(
        superseded_on=effective_on
    )
    version.snapshot = snapshot(version)
    version.content_sha256 = content_sha256
    version.status, version.label, version.effective_on = VersionStatus.SIGNED, label, effective_on
    version.save(update_fields=["snapshot", "content_sha256", "status", "label", "effective_on"])
    contract.current_version = version
    contract.save(update_fields=["current_version", "updated_at"])


def in_force_for_year(year: int, prefix: str = "") -> Q:
    """Conditions on a contract version (reached through `prefix`, e.g. "contract__versions__") for it to be the
    one a year's figures follow: signed, in force on 31/12/Y. Use them in one `filter()` call with the conditions
    on its axes, so that they apply to the same version."""
    last_day = dt.date(year, 12, 31)
    return Q(**{f"{prefix}status": VersionStatus.SIGNED, f"{prefix}effective_on__lte": last_day}) & (
        Q(**{f"{prefix}superseded_on__isnull": True}) | Q(**{f"{prefix}superseded_on__gt": last_day})
    )


def text_to_sign(contract: Contract, *, proposed: bool = False) -> ContractVersion:
    """The version whose document is signed now: with `proposed`, the text of the open amendment (when there is
    one); otherwise the text the contract shows (its draft until signed, then the version in force)."""
    if proposed:
        amendment = contract.amendments.filter(status="ouvert").select_related("version").first()
        if amendment is not None and amendment.version_id:
            return amendment.version
    return contract.current_version


def version_label(version: ContractVersion) -> str:
    return f"Version {version.number} — {version.label}"


def version_for_year(contract: Contract, year: int) -> ContractVersion:
    """The version a report and the figures of `year` follow; a contract not yet signed reads its draft."""
    found = ContractVersion.objects.filter(contract=contract).for_year(year).order_by("-number").first()
    if found is not None:
        return found
    if contract.current_version_id is None:
        raise ContractVersion.DoesNotExist
    # Signed after 31/12/Y (no report is owed then) or not signed: the version the contract shows.
    return contract.current_version


@dataclass(frozen=True)
class Change:
    section: str
    item: str
    field: str
    before: str
    after: str

    @property
    def kind(self) -> str:
        if not self.before:
            return "ajout"
        if not self.after:
            return "suppression"
        return "modification"


def diff(before: dict, after: dict) -> list[Change]:
    """Every field that differs between two snapshots, section by section."""
    changes = []
    for section in after.keys() | before.keys():
        old_items, new_items = before.get(section, {}), after.get(section, {})
        for item in sorted(old_items.keys() | new_items.keys()):
            old, new = old_items.get(item, {}), new_items.get(item, {})
            if not isinstance(old, dict) or not isinstance(new, dict):
                if old != new:
                    changes.append(Change(section, item, "", _text(old), _text(new)))
                continue
            for field in sorted(old.keys() | new.keys()):
                if old.get(field, "") != new.get(field, ""):
                    changes.append(Change(section, item, field, _text(old.get(field, "")), _text(new.get(field, ""))))
    order = list(after.keys())
    return sorted(changes, key=lambda c: (order.index(c.section) if c.section in order else 99, c.item, c.field))


def _text(value) -> str:
    if value in (None, {}, []):
        return ""
    return str(value)
