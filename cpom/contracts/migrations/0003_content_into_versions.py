"""Moves each contract's content (axes, indicators, commitments, conventions and the general terms) onto a version.

- A contract in negotiation gets its draft (version 1, "projet").
- A signed contract: its latest recorded version becomes the version in force and holds the content, effective from
  the contract's start, so that every report made before this migration keeps the form it had (all of them
  followed the live content). Earlier recorded versions keep their snapshot as text only ("archive").
- An open amendment keeps editing the content in force (that was the defect): its working copy is created as a
  copy of the version in force, so that nothing it changed is lost and nothing of it shows as in force.
"""

import hashlib
import json

from django.db import migrations

CONTENT = ["axis", "contractindicator", "commitment", "bilateralconvention"]
SIGNED = ["en_vigueur", "echu", "denonce"]


def _hash(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def forwards(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ContractVersion = apps.get_model("contracts", "ContractVersion")
    Amendment = apps.get_model("contracts", "Amendment")
    models = {name: apps.get_model("contracts", name) for name in CONTENT}
    for contract in Contract.objects.all().iterator():
        terms = {
            "context": contract.context,
            "general_objectives": contract.general_objectives,
            "pdp_cell_composition": contract.pdp_cell_composition,
        }
        recorded = list(ContractVersion.objects.filter(contract=contract).order_by("number"))
        if contract.status in SIGNED and recorded:
            for earlier in recorded[:-1]:
                earlier.status = "archive"
                earlier.save(update_fields=["status"])
            version = recorded[-1]
            version.status = "signee"
            version.effective_on = contract.start
            version.content_sha256 = _hash(version.snapshot)
            for name, value in terms.items():
                setattr(version, name, value)
            version.save()
        else:
            version = ContractVersion.objects.create(
                contract=contract,
                number=(recorded[-1].number + 1) if recorded else 1,
                label="Projet de contrat",
                status="projet",
                created_on=contract.negotiation_started_on,
                **terms,
            )
        for model in models.values():
            model.objects.filter(contract=contract).update(version=version)
        contract.current_version = version
        contract.save(update_fields=["current_version"])
        for amendment in Amendment.objects.filter(contract=contract, status="ouvert", version__isnull=True):
            amendment.version = _copy(apps, version, amendment)
            amendment.save(update_fields=["version"])


def _copy(apps, source, amendment):
    """A relational copy of `source` as the amendment's working copy (kept minimal: the migration's own copy)."""
    ContractVersion = apps.get_model("contracts", "ContractVersion")
    Axis = apps.get_model("contracts", "Axis")
    Action = apps.get_model("contracts", "Action")
    ContractIndicator = apps.get_model("contracts", "ContractIndicator")
    Target = apps.get_model("contracts", "Target")
    Commitment = apps.get_model("contracts", "Commitment")
    BilateralConvention = apps.get_model("contracts", "BilateralConvention")
    number = ContractVersion.objects.filter(contract=source.contract).order_by("-number").first().number + 1
    copy = ContractVersion.objects.create(
        contract=source.contract,
        number=number,
        label=f"Avenant n° {amendment.number} — projet",
        status="projet",
        created_on=amendment.opened_on,
        context=source.context,
        general_objectives=source.general_objectives,
        pdp_cell_composition=source.pdp_cell_composition,
    )
    actions = {}
    for axis in Axis.objects.filter(version=source):
        old_pk = axis.pk
        axis.pk, axis.version = None, copy
        axis.save()
        for action in Action.objects.filter(axis_id=old_pk):
            links = (list(action.prst_actions.all()), list(action.pps_priorities.all()), list(action.cog_programmes.all()))
            old_action = action.pk
            action.pk, action.axis = None, axis
            action.save()
            action.prst_actions.set(links[0])
            action.pps_priorities.set(links[1])
            action.cog_programmes.set(links[2])
            actions[old_action] = action
    for row in ContractIndicator.objects.filter(version=source):
        targets = list(Target.objects.filter(contract_indicator=row))
        row.pk, row.version = None, copy
        row.action = actions.get(row.action_id)
        row.save()
        Target.objects.bulk_create(Target(contract_indicator=row, year=t.year, value=t.value) for t in targets)
    for model in (Commitment, BilateralConvention):
        for row in model.objects.filter(version=source):
            row.pk, row.version = None, copy
            row.save()
    return copy


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_versioned_content_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
