"""Personal API tokens: an expiry (one year by default, chosen at creation), a read-only option refused on writes,
and every download of the pages (CSV, XLSX, DOCX) opened by a token with its owner's scope."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpom.api.models import ApiToken
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_lasts_one_year_by_default_and_stops_at_its_expiry(dreets_agent):
    token, key = ApiToken.issue(user=dreets_agent, label="logiciel")
    assert (token.expires_at - timezone.now()).days in (364, 365)
    assert Client().get("/api/contracts", **auth(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/api/contracts", **auth(key)).status_code == 401


def test_the_token_page_chooses_the_expiry_and_the_read_only_option(dreets_agent, login):
    client = login(dreets_agent)
    chosen = timezone.localdate() + dt.timedelta(days=30)
    client.post("/comptes/jetons/", {"label": "Outil", "expires_on": chosen.strftime("%d/%m/%Y"), "read_only": "on"})
    token = ApiToken.objects.get(user=dreets_agent)
    assert token.read_only and timezone.localtime(token.expires_at).date() == chosen
    page = client.get("/comptes/jetons/").content.decode()
    assert "Lecture seule" in page and chosen.strftime("%d/%m/%Y") in page
    too_far = client.post("/comptes/jetons/", {"label": "Trop long", "expires_on": "01/01/2099"})
    assert "Un jeton est valable trois ans au plus." in too_far.content.decode()
    assert ApiToken.objects.filter(user=dreets_agent).count() == 1


def test_a_read_only_token_reads_but_is_refused_on_writes_in_french(dreets_agent, service_a):
    _, key = ApiToken.issue(user=dreets_agent, label="lecture", read_only=True)
    assert Client().get(f"/api/services/{service_a.siret}", **auth(key)).status_code == 200
    response = Client().post(
        "/api/contracts",
        data=json.dumps({"services": [service_a.siret], "generation": 3}),
        content_type="application/json",
        **auth(key),
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Ce jeton est en lecture seule : il ne permet aucune écriture."


def test_every_kind_of_download_opens_with_a_token_within_its_owners_scope(
    services, dreets_agent, dreets_agent_other_region
):
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    _, key = ApiToken.issue(user=dreets_agent, label="exports", read_only=True)
    _, other = ApiToken.issue(user=dreets_agent_other_region, label="exports")
    year = timezone.localdate().year
    docx = Client().get(reverse("contracts:contract_docx", args=[contract.pk]), **auth(key))
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert Client().get(reverse("contracts:contract_docx", args=[contract.pk]), **auth(other)).status_code == 404
    values = Client().get(reverse("reports:values_export"), {"annee": year}, **auth(key))
    assert values.status_code == 200 and values["Content-Type"].startswith("text/csv")
    table = Client().get(
        reverse("steering:regional", args=["53"]), {"tableau": "thematiques", "format": "xlsx"}, **auth(key)
    )
    assert table.status_code == 200 and "spreadsheetml" in table["Content-Type"]
    refused = Client().get(
        reverse("steering:regional", args=["53"]), {"tableau": "thematiques", "format": "csv"}, **auth(other)
    )
    assert refused.status_code == 404


def test_a_token_does_not_open_pages_nor_a_revoked_or_unknown_key_the_downloads(dreets_agent):
    token, key = ApiToken.issue(user=dreets_agent, label="exports")
    assert Client().get(reverse("contracts:contract_list"), **auth(key)).status_code == 302
    token.revoked_at = timezone.now()
    token.save()
    response = Client().get(reverse("reports:values_export"), **auth(key))
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'API invalide, expiré ou révoqué."
