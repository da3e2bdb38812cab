"""Compliance watch: services without a contract, contracts ending soon, stranded approvals, missing opinions,
late reports — within the agent's scope."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cpom.contracts import lifecycle
from cpom.contracts.models import Contract
from cpom.organisations.models import Approval
from cpom.reports.models import Report
from cpom.steering.watch import watch
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def landscape(services, dreets_agent):
    signed = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    consulting = make_draft(services["B"], dreets_agent)
    lifecycle.send_for_consultation(by=dreets_agent, contract=consulting, on=TODAY)
    Report.objects.create(contract=signed, spsti=services["A"], year=TODAY.year - 1)
    return {"signed": signed, "consulting": consulting}


def test_the_watch_lists_what_needs_attention_in_the_region(landscape, services, dreets_agent):
    found = watch(dreets_agent, TODAY)
    assert [s.pk for s in found.services_without_contract] == [services["B"].pk]
    assert found.contracts_ending_soon == []
    assert [c.pk for c in found.consultations_missing] == [landscape["consulting"].pk]
    assert found.approvals_ending_before_contract == []
    late = watch(dreets_agent, dt.date(TODAY.year, 7, 1) if TODAY.month < 7 else TODAY).late_reports
    assert [r.spsti_id for r in late] == [services["A"].pk]


def test_an_approval_cut_short_and_a_contract_ending_soon_are_flagged(landscape, services, dreets_agent):
    contract = landscape["signed"]
    Contract.objects.filter(pk=contract.pk).update(end=TODAY + dt.timedelta(days=90))
    Approval.objects.filter(spsti=services["A"]).update(end=TODAY + dt.timedelta(days=30))
    found = watch(dreets_agent, TODAY)
    assert [c.pk for c in found.contracts_ending_soon] == [contract.pk]
    assert [p.contract_id for p in found.approvals_ending_before_contract] == [contract.pk]


def test_the_watch_page_stays_within_scope(
    landscape, services, dreets_agent, dreets_agent_other_region, national, login
):
    page = login(dreets_agent).get(reverse("steering:watch")).content.decode()
    assert services["B"].name in page and services["IDF"].name not in page
    other = login(dreets_agent_other_region).get(reverse("steering:watch")).content.decode()
    assert services["B"].name not in other and services["IDF"].name in other
    assert login(national).get(reverse("steering:watch")).status_code == 403


def test_the_watch_tables_download_within_scope(landscape, services, dreets_agent, dreets_agent_other_region, login):
    url = reverse("steering:watch") + "?tableau=sans-contrat&format=csv"
    mine = login(dreets_agent).get(url).content.decode("utf-8-sig")
    assert services["B"].name in mine and services["B"].siret in mine
    other = login(dreets_agent_other_region).get(url).content.decode("utf-8-sig")
    assert services["B"].name not in other and services["IDF"].name in other
