"""Every page of the registry passes axe-core (WCAG 2.1 A/AA rules) in a real Chromium, for each kind of user."""

import datetime as dt

import pytest
from django.urls import reverse

from cpom.accounts.models import User
from cpom.contracts import lifecycle
from cpom.contracts.models import Campaign, Contract
from cpom.contracts.views import TABS as CONTRACT_TABS
from cpom.demo.generator import load_demo
from cpom.organisations.models import Organisation, Spsti
from cpom.reference.loader import load_reference
from cpom.reports.models import Report

from .conftest import axe_violations, signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def open_context(email: str | None):
        contexts.append(_open_as(browser, live_server, email))
        return contexts[-1]

    yield open_context
    for context in contexts:
        context.close()


def _open_as(browser, live_server, email: str | None):
    return signed_in_context(browser, live_server, email)


def _check(context, live_server, paths: list[str]) -> dict[str, list]:
    """axe violations per page; also fails on any console error, such as a Content-Security-Policy violation."""
    failures = {}
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    for path in paths:
        errors.clear()
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{path} → {response.status}"
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.title(), f"{path} sans titre"
        violations = axe_violations(page)
        if violations:
            failures[path] = violations
        if errors:
            failures[path + " (console)"] = list(errors)
    return failures


@pytest.fixture
def landscape(transactional_db):
    load_reference()
    load_demo(seed=2026, every_contract=False)


def test_public_pages_pass_axe(open_as, live_server, landscape):
    paths = [
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
        reverse("core:accessibility"),
        reverse("core:legal"),
        reverse("core:personal_data"),
        reverse("steering:open_data"),
        reverse("core:schemas"),
    ]
    assert _check(open_as(None), live_server, paths) == {}


def test_registry_pages_pass_axe_for_the_dreets_agent(open_as, live_server, landscape):
    pst35 = Spsti.objects.get(code="SPSTI-PST35")
    caisse = Organisation.objects.get(code="CARSAT-BR")
    paths = [
        reverse("workspace:home"),
        reverse("organisations:spsti_list"),
        reverse("organisations:spsti_list") + "?status=echeance&q=sant",
        reverse("organisations:spsti_detail", args=[pst35.pk]),
        reverse("organisations:spsti_create"),
        reverse("organisations:spsti_update", args=[pst35.pk]),
        reverse("organisations:approval_create", args=[pst35.pk]),
        reverse("organisations:organisation_list"),
        reverse("organisations:organisation_detail", args=[caisse.pk]),
        reverse("reports:review_desk", args=[Report.objects.filter(spsti=pst35).order_by("-year").first().pk]),
        reverse("reports:report_list"),
        reverse("notifications:preferences"),
    ]
    assert _check(open_as("dreets-bretagne@cpom.test"), live_server, paths) == {}


def test_contract_and_campaign_pages_pass_axe_for_the_dreets_agent(open_as, live_server, landscape):
    contract = Contract.objects.get(parties__organisation__code="SPSTI-PST35", generation=3)
    campaign = Campaign.objects.get(region_id="53", generation=3)
    detail = reverse("contracts:contract_detail", args=[contract.pk])
    paths = [
        reverse("contracts:contract_list"),
        reverse("contracts:contract_list") + "?status=en_vigueur&expiring=on",
        *[f"{detail}?onglet={tab}" for tab, _ in CONTRACT_TABS],
        reverse("contracts:version_compare", args=[contract.pk]),
        reverse("contracts:contract_create"),
        reverse("contracts:amendment_create", args=[contract.pk]),
        reverse("contracts:termination_create", args=[contract.pk]),
        reverse("contracts:campaign_list"),
        reverse("contracts:campaign_detail", args=[campaign.pk]),
        reverse("api_tokens:token_list"),
    ]
    assert _check(open_as("dreets-bretagne@cpom.test"), live_server, paths) == {}


def test_the_editing_forms_of_a_draft_and_of_the_frame_pass_axe(open_as, live_server, landscape):
    admin = User.objects.get(email="admin@cpom.test")
    draft = lifecycle.create_draft(
        by=admin, services=[Spsti.objects.get(code="SPSTI-53-002")], generation=3, on=dt.date.today()
    )
    axis = draft.axes.first()
    campaign = Campaign.objects.get(region_id="53", generation=3)
    paths = [
        reverse("contracts:general_terms", args=[draft.pk]),
        reverse("contracts:action_create", args=[draft.pk, axis.pk]),
        reverse("contracts:commitments_catalogue", args=[draft.pk]),
        reverse("contracts:indicator_create", args=[draft.pk]),
        reverse("contracts:convention_create", args=[draft.pk]),
        reverse("contracts:contract_detail", args=[draft.pk]) + "?onglet=historique",
    ]
    assert _check(open_as("dreets-bretagne@cpom.test"), live_server, paths) == {}
    pilot_paths = [
        reverse("contracts:priority_themes", args=[campaign.pk]),
        reverse("contracts:group_create", args=[campaign.pk]),
        reverse("contracts:regional_indicator_create", args=[campaign.pk]),
    ]
    assert _check(open_as("pilote-bretagne@cpom.test"), live_server, pilot_paths) == {}


def test_the_pages_of_a_service_referent_and_of_a_social_partner_pass_axe(open_as, live_server, landscape):
    pst35 = Spsti.objects.get(code="SPSTI-PST35")
    report = Report.objects.filter(spsti=pst35).order_by("-year").first()
    referent_paths = [
        reverse("workspace:home"),
        reverse("organisations:spsti_detail", args=[pst35.pk]),
        reverse("reports:report_receipt", args=[report.pk]),
        reverse("notifications:preferences"),
    ]
    assert _check(open_as("pst35@cpom.test"), live_server, referent_paths) == {}
    assert _check(open_as("crpst-bretagne@cpom.test"), live_server, ["/"]) == {}


def test_a_form_error_is_announced_next_to_its_field(open_as, live_server, landscape):
    context = open_as("dreets-bretagne@cpom.test")
    page = context.new_page()
    page.goto(live_server.url + reverse("organisations:spsti_create"))
    page.get_by_label("SIRET").first.fill("12345678901234")
    page.locator("form button[type=submit]").last.click()
    assert "clé de contrôle" in page.content()
    assert axe_violations(page) == []


def test_the_axe_check_does_report_a_broken_page(browser):
    page = browser.new_page()
    page.set_content('<html lang="fr"><head><title>t</title></head><body><img src="x.png"></body></html>')
    violations = {violation["id"] for violation in axe_violations(page)}
    page.close()
    assert "image-alt" in violations


def test_report_pages_pass_axe_and_the_form_flags_a_broken_rule_as_she_types(open_as, live_server, landscape):
    from cpom.reports.models import Report

    year = dt.date.today().year - 1
    report = Report.objects.get(spsti__code="SPSTI-PST35", year=year)
    detail = reverse("reports:report_detail", args=[report.pk])
    agent_paths = [
        reverse("reports:report_list") + f"?annee={year}",
        detail,
        reverse("reports:value_history", args=[report.pk]) + "?cle=ETAB_FORMES|TMS",
        reverse("reports:campaign_list"),
    ]
    assert _check(open_as("dreets-bretagne@cpom.test"), live_server, agent_paths) == {}
    # Reopen it so that the service can edit, then type an "of which" above its total.
    admin = User.objects.get(email="admin@cpom.test")
    from cpom.reports import services as report_services

    report_services.reopen(by=admin, report=report, reason="Essai")
    context = open_as("pst35@cpom.test")
    service_paths = [detail, reverse("reports:excel_upload", args=[report.pk]), reverse("reports:values_import")]
    assert _check(context, live_server, service_paths) == {}
    page = context.new_page()
    page.goto(live_server.url + detail)
    page.fill("#v-etab_formestms", "10")
    page.fill("#v-etab_formes_cogtms", "25")
    assert page.locator("#live-problems").is_visible()
    assert "dépasse son total" in page.locator("#live-problems").inner_text()
    assert page.locator("#v-etab_formes_cogtms").get_attribute("aria-invalid") == "true"
    page.fill("#v-etab_formes_cogtms", "5")
    remaining = page.locator("#live-problems").inner_text()
    assert not page.locator("#live-problems").is_visible(), remaining


def test_dashboard_pages_pass_axe(open_as, live_server, landscape):
    year = dt.date.today().year - 1
    national = reverse("steering:national") + f"?annee={year}"
    tabs = [f"{national}&vue={view}" for view in ("couverture", "completude", "indicateurs", "avancement")]
    regional = reverse("steering:regional", args=["53"]) + f"?annee={year}&transmis=1"
    bilans = [
        reverse("steering:national_bilan") + f"?annee={year}",
        reverse("steering:regional_bilan", args=["53"]) + f"?annee={year}",
    ]
    assert _check(open_as("dgt@cpom.test"), live_server, [national, *tabs, regional, *bilans]) == {}
    assert _check(open_as("dreets-bretagne@cpom.test"), live_server, [reverse("steering:watch")]) == {}
    assert _check(open_as("crpst-bretagne@cpom.test"), live_server, [regional]) == {}


def test_the_restitution_of_a_service_passes_axe(open_as, live_server, landscape):
    pst35 = Spsti.objects.get(code="SPSTI-PST35")
    url = reverse("steering:restitution", args=[pst35.pk]) + f"?annee={dt.date.today().year - 1}"
    assert _check(open_as("pst35@cpom.test"), live_server, [url]) == {}


def test_the_dashboard_charts_draw_offline_without_errors(open_as, live_server, landscape):
    year = dt.date.today().year - 1
    page = open_as("dgt@cpom.test").new_page()
    errors, outside = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request))
    page.goto(live_server.url + reverse("steering:national") + f"?annee={year}")
    page.wait_for_selector("map-chart svg path", timeout=10_000)
    fill = "paths => paths.map(p => getComputedStyle(p).fill)"
    assert page.eval_on_selector_all("map-chart svg path.FR-BRE", fill) != page.eval_on_selector_all(
        "map-chart svg path.FR-IDF", fill
    ), "in this demo only Bretagne has services under contract: it is coloured apart"
    page.goto(live_server.url + reverse("steering:national") + f"?annee={year}&vue=indicateurs")
    page.wait_for_selector("line-chart canvas", timeout=10_000)
    page.goto(live_server.url + reverse("steering:regional", args=["53"]) + f"?annee={year}")
    page.wait_for_selector("bar-chart canvas", timeout=10_000)
    assert errors == [] and outside == []


def test_the_second_factor_pages_pass_axe(open_as, live_server, landscape):
    """The enrolment page, before and after asking for a key (the key and the code field)."""
    context = open_as("dreets-bretagne@cpom.test")
    assert _check(context, live_server, [reverse("accounts:two_factor")]) == {}
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:two_factor"))
    page.get_by_role("button", name="Activer la double authentification").click()
    page.wait_for_selector("#code")
    assert axe_violations(page) == []


def test_the_people_and_invitation_pages_pass_axe_for_a_manager(open_as, live_server, landscape):
    """Issue 17: the pages of an organisation's manager, and the page of an invitation link."""
    from cpom.accounts import invitations

    manager = User.objects.get(email="dreets-bretagne@cpom.test")
    manager.is_manager = True
    manager.save(update_fields=["is_manager"])
    colleague = User.objects.filter(organisation=manager.organisation).exclude(pk=manager.pk).first() or manager
    links = []
    invitations.invite(
        by=manager,
        email="invitee@dreets-bretagne.test",
        organisation=manager.organisation,
        role="agent_dreets",
        link=links.append,
    )
    paths = [
        reverse("accounts:people"),
        reverse("accounts:invite"),
        reverse("accounts:person", args=[colleague.pk]),
    ]
    assert _check(open_as("dreets-bretagne@cpom.test"), live_server, paths) == {}
    link = reverse("accounts:invitation_accept", args=[links[0]])
    assert _check(open_as(None), live_server, [link, reverse("accounts:invitation_accept", args=["perime"])]) == {}


def test_the_login_page_with_the_proconnect_button_passes_axe(open_as, live_server, transactional_db, settings):
    settings.PROCONNECT_CLIENT_ID = "plateforme-cpom"
    settings.PROCONNECT_AUTHORIZATION_ENDPOINT = "https://proconnect.invalid/authorize"
    assert _check(open_as(None), live_server, [reverse("accounts:login")]) == {}
