"""`manage.py contract` runs the same guarded transitions as the pages and the API."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cpom.contracts.enums import ContractStatus
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("contract", *args, stdout=out)
    return out.getvalue()


def test_the_command_takes_a_contract_from_draft_to_signature(services, dreets_agent, tmp_path):
    contract = make_draft(services["A"], dreets_agent)
    by = ["--by", dreets_agent.email]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan\n%%EOF\n")
    day = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert "En consultation" in run(contract.reference, *by, "consultation")
    with pytest.raises(CommandError, match="R4"):
        run(contract.reference, *by, "sign", "ETAT-53", day, "Directeur régional")
    with pytest.raises(CommandError, match="procès-verbal"):
        run(contract.reference, *by, "opinion", "crpst", day, "favorable")
    run(contract.reference, *by, "opinion", "crpst", day, "favorable", "--document", str(scan))
    with pytest.raises(CommandError, match="joignez le document signé"):
        run(contract.reference, *by, "opinion", "ars", day, "reserve")
    run(contract.reference, *by, "opinion", "ars", day, "reserve", "--document", str(scan))
    with pytest.raises(CommandError, match="joignez le document signé"):
        run(contract.reference, *by, "sign", services["A"].siret, day, "Présidente")
    run(contract.reference, *by, "sign", "ETAT-53", day, "Directeur")  # its own organisation: no document
    for code in (services["A"].siret, "CARSAT-BR"):
        output = run(contract.reference, *by, "sign", code, day, "Directeur", "--document", str(scan))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE
    assert "En vigueur" in output and "signé le" in output


def test_the_command_carries_an_amendment_an_extension_and_a_termination(services, dreets_agent, tmp_path):
    contract = make_draft(services["A"], dreets_agent)
    sign(contract, dreets_agent)
    by = ["--by", dreets_agent.email]
    scan = tmp_path / "avenant.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan\n%%EOF\n")
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert "texte proposé en version 2" in run(contract.reference, *by, "amendment", "Ajout d'une action")
    for code in (services["A"].siret, "ETAT-53", "CARSAT-BR"):
        output = run(contract.reference, *by, "sign-amendment", "1", code, today, "Directeur", "--document", str(scan))
    assert "Avenant n° 1 : Signé par toutes les parties" in output
    contract.refresh_from_db()
    assert contract.current_version.number == 2
    with pytest.raises(CommandError, match="R8"):
        run(contract.reference, *by, "terminate", "ETAT-53", today, today, "", "AR 1")
    run(contract.reference, *by, "terminate", "ETAT-53", today, today, "Fusion des services", "AR 1A 123")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED


def test_the_command_acts_within_the_users_scope_only(services, dreets_agent, dreets_agent_other_region):
    contract = make_draft(services["A"], dreets_agent)
    with pytest.raises(CommandError, match="introuvable dans le périmètre"):
        run(contract.reference, "--by", dreets_agent_other_region.email, "consultation")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
