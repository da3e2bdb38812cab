"""`manage.py contract` runs the same guarded transitions as the pages and the API."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cpom.contracts.enums import ContractStatus
from tests.contracts.test_pages import make_draft

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("contract", *args, stdout=out)
    return out.getvalue()


def test_the_command_takes_a_contract_from_draft_to_signature(services, dreets_agent):
    contract = make_draft(services["A"], dreets_agent)
    by = ["--by", dreets_agent.email]
    day = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert "En consultation" in run(contract.reference, *by, "consultation")
    with pytest.raises(CommandError, match="R4"):
        run(contract.reference, *by, "sign", "ETAT-53", day, "Directeur régional")
    run(contract.reference, *by, "opinion", "crpst", day, "favorable")
    run(contract.reference, *by, "opinion", "ars", day, "reserve")
    for code in (services["A"].siret, "ETAT-53", "CARSAT-BR"):
        output = run(contract.reference, *by, "sign", code, day, "Directeur")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE
    assert "En vigueur" in output and "signé le" in output


def test_the_command_acts_within_the_users_scope_only(services, dreets_agent, dreets_agent_other_region):
    contract = make_draft(services["A"], dreets_agent)
    with pytest.raises(CommandError, match="introuvable dans le périmètre"):
        run(contract.reference, "--by", dreets_agent_other_region.email, "consultation")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
