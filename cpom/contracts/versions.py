"""Signed versions of a contract: a snapshot of everything the parties signed, and the differences between two."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from .models import Contract, ContractVersion


def snapshot(contract: Contract) -> dict:
    """Plain data of the contract as it stands: dates, parties, axes and actions, indicators and targets,
    commitments, conventions. Keys are stable labels so that two snapshots compare line by line."""
    parties = {
        str(party.organisation): {
            "qualité": party.get_role_display(),
            "signataire": party.signatory_title,
            "signé le": party.signed_on.strftime("%d/%m/%Y") if party.signed_on else "",
        }
        for party in contract.parties.select_related("organisation")
    }
    axes = {}
    for axis in contract.axes.prefetch_related("actions__theme"):
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
    for row in contract.indicators.select_related("indicator", "theme").prefetch_related("targets"):
        key = row.indicator.label + (f" — {row.theme.label}" if row.theme else "")
        indicators[key] = {"suivi": "oui"} | {f"cible {target.year}": target.value for target in row.targets.all()}
    commitments = {}
    for commitment in contract.commitments.all():
        commitments.setdefault(commitment.get_party_role_display(), []).append(commitment.text)
    return {
        "dates": {
            "entrée en vigueur": _date(contract.start),
            "fin": _date(contract.end),
            "fin prévue": _date(contract.planned_end),
        },
        "parties": parties,
        "axes et actions": axes,
        "indicateurs et cibles": indicators,
        "engagements": {role: "\n".join(texts) for role, texts in commitments.items()},
        "cellule PDP": {"composition minimale": contract.pdp_cell_composition},
        "conventions bilatérales": {
            convention.title: convention.reference for convention in contract.conventions.all()
        },
    }


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def record_version(contract: Contract, *, label: str, on: dt.date) -> ContractVersion:
    number = (contract.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return ContractVersion.objects.create(
        contract=contract, number=number, label=label, created_on=on, snapshot=snapshot(contract)
    )


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
