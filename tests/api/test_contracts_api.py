"""The contracts API: token authentication, the same scope as the pages, rule refusals as 422 in French."""

import base64
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cpom.api.models import ApiToken
from cpom.contracts.enums import ContractStatus, PartyRole
from cpom.contracts.models import Contract
from tests.contracts.builders import own_account
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _, key = ApiToken.issue(user=user, label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def api():
    return Client()


def test_the_api_refuses_a_request_without_a_valid_token(api, services):
    assert api.get("/api/contracts").status_code == 401
    assert api.get("/api/contracts", HTTP_AUTHORIZATION="Bearer cpom_deadbeef_nope").status_code == 401


def test_a_revoked_token_no_longer_opens_the_api(api, dreets_agent):
    token, key = ApiToken.issue(user=dreets_agent, label="logiciel")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert api.get("/api/contracts", **headers).status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert api.get("/api/contracts", **headers).status_code == 401


def test_the_openapi_document_describes_the_contract_operations(api):
    document = api.get("/api/openapi.json").json()
    assert "/api/contracts/{contract_id}/signatures" in document["paths"]
    assert document["info"]["title"] == "API de la plateforme CPOM"


def test_a_token_sees_the_contracts_of_its_users_scope_only(api, services, dreets_agent, dreets_agent_other_region):
    mine = make_draft(services["A"], dreets_agent)
    theirs = make_draft(services["IDF"], dreets_agent_other_region)
    headers = bearer(dreets_agent)
    listed = api.get("/api/contracts", **headers).json()
    assert [row["reference"] for row in listed["results"]] == [mine.reference]
    assert listed["count"] == 1
    assert api.get(f"/api/contracts/{theirs.pk}", **headers).status_code == 404
    detail = api.get(f"/api/contracts/{mine.pk}", **headers).json()
    assert {p["role"] for p in detail["parties"]} == {"spsti", "etat", "caisse"}
    assert [axis["kind"] for axis in detail["axes"]] == ["pdp", "prevention", "interconnaissance"]


def test_the_lifecycle_runs_through_the_api_and_a_refusal_names_its_rule_and_changes_nothing(
    api, services, dreets_agent
):
    headers = bearer(dreets_agent)
    contract = make_draft(services["A"], dreets_agent)
    url = f"/api/contracts/{contract.pk}"
    assert api.post(f"{url}/consultation", **headers).status_code == 200
    party = contract.parties.get(role=PartyRole.SPSTI)
    signature = {"party": party.pk, "signed_on": today().isoformat(), "signatory_title": "Président"}
    refused = api.post(f"{url}/signatures", signature, content_type="application/json", **headers)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "R4" and "R4" in refused.json()["detail"]
    party.refresh_from_db()
    assert party.signed_on is None
    minutes = {"name": "pv.pdf", "content_base64": base64.b64encode(b"%PDF-1.4\n% pv\n%%EOF\n").decode()}
    for body in ("crpst", "ars"):
        response = api.post(
            f"{url}/opinions",
            {"body": body, "given_on": today().isoformat(), "opinion": "favorable", "document": minutes},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 201
    for party in contract.parties.all():
        # Each party signs from an account of its own (here through its own token).
        signature["party"] = party.pk
        signer = bearer(own_account(party))
        assert api.post(f"{url}/signatures", signature, content_type="application/json", **signer).status_code == 201
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE and contract.start == today()


def test_a_read_only_role_cannot_sign_through_the_api(api, services, dreets_agent, national):
    contract = make_draft(services["A"], dreets_agent)
    response = api.post(f"/api/contracts/{contract.pk}/consultation", **bearer(national))
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_an_amendment_and_the_version_diff_through_the_api(api, services, dreets_agent):
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    headers = bearer(dreets_agent)
    url = f"/api/contracts/{contract.pk}"
    too_long = api.post(
        f"{url}/amendments",
        {"kind": "prolongation", "summary": "Prolonger", "new_end": (today() + dt.timedelta(days=6 * 365)).isoformat()},
        content_type="application/json",
        **headers,
    )
    assert too_long.status_code == 422 and too_long.json()["rule"] in {"R2", "R3"}
    assert not contract.amendments.exists()
    Contract.objects.filter(pk=contract.pk).update(end=contract.end - dt.timedelta(days=400))
    new_end = contract.end - dt.timedelta(days=100)
    opened = api.post(
        f"{url}/amendments",
        {"kind": "prolongation", "summary": "Prolonger", "new_end": new_end.isoformat()},
        content_type="application/json",
        **headers,
    )
    assert opened.status_code == 201
    for party in contract.parties.all():
        signed = api.post(
            f"{url}/amendments/1/signatures",
            {"party": party.pk, "signed_on": today().isoformat(), "signatory_title": "Directeur"},
            content_type="application/json",
            **bearer(own_account(party)),
        )
        assert signed.status_code == 201
    changes = api.get(f"{url}/versions/diff?before=1&after=2", **headers).json()
    assert {(c["item"], c["after"]) for c in changes} >= {("fin", new_end.strftime("%d/%m/%Y"))}


def test_the_token_page_shows_a_new_key_once_and_revokes_it(services, dreets_agent, login):
    client = login(dreets_agent)
    response = client.post("/comptes/jetons/", {"label": "Logiciel métier"})
    content = response.content.decode()
    assert "cpom_" in content and "il ne sera plus jamais affiché" in content
    token = ApiToken.objects.get(user=dreets_agent)
    assert token.key_hash not in content
    client.post(f"/comptes/jetons/{token.pk}/revoquer/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "cpom_" not in client.get("/comptes/jetons/").content.decode().replace("cpom_" + token.prefix, "")
