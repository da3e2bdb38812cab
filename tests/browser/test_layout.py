"""Every main page of every role, at a desk (1280×900) and on a phone (390×844): no sideways scroll, no raw "None"
or "---------" left by a template. Prints the widths and the national dashboard's height (run with -s)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from cpom.contracts.models import Campaign, Contract
from cpom.contracts.views import TABS as CONTRACT_TABS
from cpom.demo.generator import load_demo
from cpom.organisations.models import Organisation, Spsti
from cpom.reference.loader import load_reference
from cpom.reports.models import Report

from .conftest import signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"bureau": {"width": 1280, "height": 900}, "téléphone": {"width": 390, "height": 844}}
RAW = re.compile(r"\bNone\b|-{9}")


def _pages() -> dict[str | None, list[str]]:
    year = dt.date.today().year - 1
    pst35 = Spsti.objects.get(code="SPSTI-PST35")
    contract = Contract.objects.get(parties__organisation__code="SPSTI-PST35", generation=3)
    campaign = Campaign.objects.get(region_id="53", generation=3)
    report = Report.objects.get(spsti__code="SPSTI-PST35", year=year)
    detail = reverse("contracts:contract_detail", args=[contract.pk])
    contract_tabs = [f"{detail}?onglet={tab}" for tab, _ in CONTRACT_TABS]
    report_pages = [
        reverse("reports:report_list") + f"?annee={year}",
        reverse("reports:report_detail", args=[report.pk]),
        reverse("reports:value_history", args=[report.pk]) + "?cle=ETAB_FORMES|TMS",
    ]
    national = reverse("steering:national") + f"?annee={year}"
    regional = reverse("steering:regional", args=["53"]) + f"?annee={year}"
    return {
        None: [
            reverse("accounts:login"),
            reverse("core:accessibility"),
            reverse("core:legal"),
            reverse("steering:open_data"),
        ],
        "dreets-bretagne@cpom.test": [
            reverse("workspace:home"),
            reverse("organisations:spsti_list"),
            reverse("organisations:spsti_detail", args=[pst35.pk]),
            reverse("organisations:organisation_list"),
            reverse("organisations:organisation_detail", args=[Organisation.objects.get(code="CARSAT-BR").pk]),
            reverse("contracts:contract_list"),
            *contract_tabs,
            reverse("contracts:version_compare", args=[contract.pk]),
            reverse("contracts:contract_create"),
            reverse("contracts:contract_create") + "?q=35",
            reverse("organisations:approval_create", args=[pst35.pk]),
            reverse("organisations:spsti_create"),
            reverse("core:glossary"),
            reverse("contracts:campaign_list"),
            reverse("contracts:campaign_detail", args=[campaign.pk]),
            *report_pages,
            reverse("reports:campaign_list"),
            regional,
            reverse("steering:watch"),
            reverse("api_tokens:token_list"),
        ],
        "pst35@cpom.test": [
            reverse("workspace:home"),
            reverse("organisations:spsti_detail", args=[pst35.pk]),
            *contract_tabs,
            *report_pages,
            reverse("reports:values_import"),
            reverse("steering:restitution", args=[pst35.pk]) + f"?annee={year}",
        ],
        "pilote-bretagne@cpom.test": [
            reverse("workspace:home"),
            reverse("contracts:campaign_detail", args=[campaign.pk]),
            reverse("contracts:regional_indicator_create", args=[campaign.pk]),
        ],
        "carsat-bretagne@cpom.test": [reverse("workspace:home"), reverse("reports:report_list") + f"?annee={year}"],
        "crpst-bretagne@cpom.test": [reverse("workspace:home"), regional],
        "cnpst@cpom.test": [reverse("workspace:home"), national],
        "dgt@cpom.test": [
            reverse("workspace:home"),
            national,
            *[f"{national}&vue={view}" for view in ("couverture", "completude", "indicateurs", "avancement")],
            reverse("steering:national_bilan") + f"?annee={year}",
            regional,
            reverse("steering:regional_bilan", args=["53"]) + f"?annee={year}",
            reverse("reports:report_list") + f"?annee={year}",
        ],
        "admin@cpom.test": [reverse("workspace:home"), reverse("organisations:spsti_list")],
    }


@pytest.fixture
def landscape(transactional_db):
    load_reference()
    load_demo(seed=2026, every_contract=False)


MEASURE = """() => ({
    width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    height: document.documentElement.scrollHeight,
    text: document.body.innerText,
})"""


def test_no_page_scrolls_sideways_or_shows_a_raw_code_at_a_desk_or_on_a_phone(browser, live_server, landscape):
    problems, checked, rows = [], 0, []
    for email, paths in _pages().items():
        for size_name, size in SIZES.items():
            context = signed_in_context(browser, live_server, email, viewport=size)
            page = context.new_page()
            for path in paths:
                response = page.goto(live_server.url + path)
                assert response.status == 200, f"{email} {path} → {response.status}"
                seen = page.evaluate(MEASURE)
                checked += 1
                rows.append(f"{size_name:10} {seen['width']:>5} × {seen['height']:>6}  {email or 'anonyme'} {path}")
                if seen["width"] > seen["viewport"]:
                    problems.append(f"{size_name} {email} {path}: {seen['width']} px de large")
                raw = RAW.search(seen["text"])
                if raw:
                    around = seen["text"][max(0, raw.start() - 60) : raw.end() + 20].replace("\n", " ")
                    problems.append(f"{size_name} {email} {path}: « {around} »")
            context.close()
    print(f"\n{checked} pages vérifiées\n" + "\n".join(rows) + "\n" + "\n".join(problems))
    assert problems == []


def test_the_service_picker_filters_as_she_types_and_passes_axe(browser, live_server, landscape):
    from .conftest import axe_violations

    context = signed_in_context(browser, live_server, "dreets-bretagne@cpom.test", viewport=SIZES["bureau"])
    page = context.new_page()
    page.goto(live_server.url + reverse("contracts:contract_create"))
    total = page.locator("#service-choices input[type=checkbox]").count()
    assert total > 2
    page.get_by_label("Rechercher un service").fill("775 201 984")  # the start of PST 35's SIRET
    from playwright.sync_api import expect

    expect(page.locator("#service-count")).to_have_text(re.compile(r"^1 service affiché"))
    visible = page.locator("#service-choices input[type=checkbox]:visible")
    assert visible.count() == 1
    assert "Prévention Santé Travail 35" in page.locator("#service-choices label:visible").first.inner_text()
    assert axe_violations(page) == []
    context.close()
