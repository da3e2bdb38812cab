"""Contract pages: what each role sees and may do, in and out of its scope; refusals change nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpom.contracts import lifecycle, services
from cpom.contracts.enums import AxisKind, ContractStatus, PartyRole
from cpom.contracts.models import Contract, ContractComment
from cpom.indicators.models import Theme
from cpom.notifications.models import OutgoingEmail
from tests.conftest import assert_no_invalid_variable
from tests.contracts.builders import ars_account, own_account, scan
from tests.factories import ApprovalFactory, SpstiFactory

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def make_draft(spsti, by, *, on=None) -> Contract:
    contract = lifecycle.create_draft(by=by, services=[spsti], generation=3, on=on or today() - dt.timedelta(days=90))
    axes = {axis.kind: axis for axis in contract.axes.all()}
    services.save_action(
        by=by, axis=axes[AxisKind.PDP], data=services.ActionData(title="Cellule PDP", theme=Theme.objects.get(pk="PDP"))
    )
    services.save_action(
        by=by,
        axis=axes[AxisKind.PREVENTION],
        data=services.ActionData(title="Prévenir les TMS", theme=Theme.objects.get(pk="TMS")),
    )
    text = contract.current_version
    text.pdp_cell_composition = "Un médecin du travail, un infirmier, un chargé de maintien en emploi."
    text.save()
    return contract


def sign(contract: Contract, by) -> Contract:
    lifecycle.send_for_consultation(by=by, contract=contract, on=today() - dt.timedelta(days=60))
    given_on = today() - dt.timedelta(days=30)
    lifecycle.record_opinion(
        by=by, contract=contract, body="crpst", given_on=given_on, opinion="favorable", document=scan("pv.pdf")
    )
    lifecycle.record_opinion(
        by=ars_account(contract), contract=contract, body="ars", given_on=given_on, opinion="favorable"
    )
    for party in contract.parties.all():
        lifecycle.record_signature(
            by=own_account(party),
            contract=contract,
            party=party,
            signed_on=today() - dt.timedelta(days=10),
            signatory_title="Directeur",
        )
    # The e-mails the contract's steps queued (consultation, signatures owed) are tested in tests/notifications;
    # the tests that build on a signed contract count only the messages of their own subject.
    OutgoingEmail.objects.filter(object_kind="contract", object_id=contract.pk).delete()
    contract.refresh_from_db()
    return contract


@pytest.fixture
def contracts(services, dreets_agent, dreets_agent_other_region):
    """A draft and a signed contract for service A (Bretagne), a draft for service B, a signed one in Paris."""
    signed_a = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    return {
        "signed_a": signed_a,
        "draft_a": lifecycle.create_draft(by=dreets_agent, services=[services["A"]], generation=3, on=today()),
        "draft_b": lifecycle.create_draft(by=dreets_agent, services=[services["B"]], generation=3, on=today()),
        "signed_idf": sign(make_draft(services["IDF"], dreets_agent_other_region), dreets_agent_other_region),
    }


def detail(contract, tab=""):
    url = reverse("contracts:contract_detail", args=[contract.pk])
    return f"{url}?onglet={tab}" if tab else url


# Which contracts each role sees (in the list and by opening them).
VISIBLE = {
    "spsti_referent": {"signed_a", "draft_a"},
    "other_spsti_referent": {"draft_b"},
    "dreets_agent": {"signed_a", "draft_a", "draft_b"},
    "dreets_agent_other_region": {"signed_idf"},
    "caisse_agent": {"signed_a", "draft_a", "draft_b"},
    "regional_pilot": {"signed_a", "draft_a", "draft_b"},
    "ars_reader": {"signed_a"},  # drafts in negotiation are not sent to the ARS yet
    "social_partner": {"signed_a"},
    "national": {"signed_a", "draft_a", "draft_b", "signed_idf"},
    "admin": {"signed_a", "draft_a", "draft_b", "signed_idf"},
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_each_role_lists_and_opens_only_the_contracts_of_its_scope(request, persona, contracts, login):
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("contracts:contract_list"))
    assert response.status_code == 200
    listed = {key for key, contract in contracts.items() if contract.reference in response.content.decode()}
    assert listed == VISIBLE[persona]
    for key, contract in contracts.items():
        expected = 200 if key in VISIBLE[persona] else 404
        for tab in ("", "axes", "indicateurs", "engagements", "annexes", "signatures", "historique"):
            page = client.get(detail(contract, tab))
            assert page.status_code == expected, (persona, key, tab)
            if expected == 200:
                assert_no_invalid_variable(page)


def test_anonymous_visitors_are_sent_to_the_login_page(contracts, client):
    response = client.get(reverse("contracts:contract_list"))
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


@pytest.mark.parametrize("persona", ["spsti_referent", "regional_pilot", "ars_reader", "social_partner", "national"])
def test_roles_that_do_not_negotiate_cannot_open_the_editing_pages(request, persona, contracts, login):
    client = login(request.getfixturevalue(persona))
    draft = contracts["draft_a"]
    axis = draft.axes.first()
    for url in [
        reverse("contracts:contract_create"),
        reverse("contracts:general_terms", args=[draft.pk]),
        reverse("contracts:action_create", args=[draft.pk, axis.pk]),
        reverse("contracts:commitments_catalogue", args=[draft.pk]),
        reverse("contracts:indicator_create", args=[draft.pk]),
        reverse("contracts:amendment_create", args=[contracts["signed_a"].pk]),
        reverse("contracts:termination_create", args=[contracts["signed_a"].pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("contracts:send_for_consultation", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


def test_an_agent_of_another_region_gets_404_on_the_editing_pages_of_a_bretagne_contract(
    contracts, dreets_agent_other_region, login
):
    client = login(dreets_agent_other_region)
    draft = contracts["draft_a"]
    assert client.get(reverse("contracts:general_terms", args=[draft.pk])).status_code == 404
    assert client.post(reverse("contracts:send_for_consultation", args=[draft.pk])).status_code == 404


def test_the_dreets_agent_creates_a_draft_whose_parties_come_from_the_registry(services, dreets_agent, login):
    client = login(dreets_agent)
    response = client.post(reverse("contracts:contract_create"), {"services": [services["A"].pk], "generation": "3"})
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(contract)
    assert {(p.organisation.code, p.role) for p in contract.parties.select_related("organisation")} == {
        (services["A"].code, PartyRole.SPSTI),
        ("ETAT-53", PartyRole.STATE),
        ("CARSAT-BR", PartyRole.CAISSE),
    }
    page = client.get(detail(contract))
    assert "Carsat Bretagne" in page.content.decode() and "Étape 1 sur 4" in page.content.decode()


def test_a_draft_for_services_of_two_regions_is_refused_with_rule_r1_and_nothing_is_created(services, admin, login):
    response = login(admin).post(
        reverse("contracts:contract_create"), {"services": [services["A"].pk, services["IDF"].pk], "generation": "3"}
    )
    assert response.status_code == 200
    assert "même région (règle R1)" in response.content.decode()
    assert not Contract.objects.exists()


def test_sending_an_incomplete_third_generation_draft_names_rule_r5_and_keeps_it_in_negotiation(
    contracts, dreets_agent, login
):
    client = login(dreets_agent)
    draft = contracts["draft_a"]
    response = client.post(reverse("contracts:send_for_consultation", args=[draft.pk]), follow=True)
    assert "(R5)" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


def test_a_signature_before_the_opinions_is_refused_with_rule_r4_and_nothing_is_signed(services, dreets_agent, login):
    contract = make_draft(services["A"], dreets_agent)
    lifecycle.send_for_consultation(by=dreets_agent, contract=contract, on=today())
    party = contract.parties.get(role=PartyRole.SPSTI)
    response = login(dreets_agent).post(
        reverse("contracts:signature_create", args=[contract.pk]),
        {"party": party.pk, "signed_on": today().strftime("%d/%m/%Y"), "signatory_title": "Président"},
    )
    # The party list only offers signatures once the contract is ready; the refusal names the rule.
    assert response.status_code == 200
    assert "R4" in response.content.decode()
    party.refresh_from_db()
    assert party.signed_on is None


def test_the_ars_reader_records_the_ars_opinion_of_its_region_only(contracts, dreets_agent, ars_reader, login):
    contract = make_draft(contracts["draft_b"].parties.get(role=PartyRole.SPSTI).organisation.spsti, dreets_agent)
    lifecycle.send_for_consultation(by=dreets_agent, contract=contract, on=today())
    client = login(ars_reader)
    form = client.get(reverse("contracts:opinion_create", args=[contract.pk])).content.decode()
    assert 'value="ars"' in form and 'value="crpst"' not in form
    response = client.post(
        reverse("contracts:opinion_create", args=[contract.pk]),
        {"body": "ars", "given_on": today().strftime("%d/%m/%Y"), "opinion": "reserve", "comment": "Cibles ?"},
    )
    assert response.status_code == 302
    assert contract.consultations.get().opinion == "reserve"
    assert client.get(reverse("contracts:opinion_create", args=[contracts["signed_idf"].pk])).status_code == 404


def test_a_service_comments_its_own_draft_but_not_a_signed_contract(contracts, spsti_referent, login):
    client = login(spsti_referent)
    client.post(reverse("contracts:comment_create", args=[contracts["draft_a"].pk]), {"text": "Ajouter le BTP."})
    assert ContractComment.objects.get().text == "Ajouter le BTP."
    response = client.post(
        reverse("contracts:comment_create", args=[contracts["signed_a"].pk]), {"text": "Trop tard"}, follow=True
    )
    assert "pas un contrat prêt à signer ou signé" in response.content.decode()
    assert ContractComment.objects.count() == 1
    assert (
        client.post(reverse("contracts:comment_create", args=[contracts["draft_b"].pk]), {"text": "x"}).status_code
        == 404
    )


def test_a_signed_contract_cannot_be_edited_outside_an_amendment(contracts, dreets_agent, login):
    client = login(dreets_agent)
    signed = contracts["signed_a"]
    response = client.post(
        reverse("contracts:general_terms", args=[signed.pk]),
        {"title": "Nouveau titre", "pdp_cell_composition": "x", "version": str(signed.version)},
    )
    assert "ne se modifie que par avenant (règle R7)" in response.content.decode()
    signed.refresh_from_db()
    assert signed.title != "Nouveau titre"


def test_an_amendment_through_the_pages_adds_an_action_and_a_new_version_once_every_party_signed(
    contracts, dreets_agent, login
):
    client = login(dreets_agent)
    signed = contracts["signed_a"]
    client.post(
        reverse("contracts:amendment_create", args=[signed.pk]),
        {"kind": "modification", "summary": "Ajout d'une action sur les chutes."},
    )
    amendment = signed.amendments.get()
    axis = amendment.version.axes.get(kind=AxisKind.PREVENTION)  # the proposed text
    signed.refresh_from_db()
    client.post(
        reverse("contracts:action_create", args=[signed.pk, axis.pk]),
        {"title": "Prévenir les chutes", "theme": "CHUTES", "version": str(signed.version)},
    )
    assert amendment.version.axes.get(kind=AxisKind.PREVENTION).actions.filter(theme_id="CHUTES").exists()
    for index, party in enumerate(signed.parties.all()):
        assert signed.versions.filter(status="signee").count() == 1, "applies only once every party signed (R7)"
        scan = SimpleUploadedFile("avenant-signe.pdf", b"%PDF-1.4\n% scan\n%%EOF\n", content_type="application/pdf")
        signed.refresh_from_db()
        response = client.post(
            reverse("contracts:amendment_sign", args=[signed.pk, amendment.pk]),
            {
                "party": party.pk,
                "signed_on": today().strftime("%d/%m/%Y"),
                "signatory_title": f"Signataire {index}",
                "version": str(signed.version),
                **({} if party.organisation_id == dreets_agent.organisation_id else {"document": scan}),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert signed.versions.filter(status="signee").count() == 2
    page = client.get(reverse("contracts:version_compare", args=[signed.pk])).content.decode()
    assert "Prévenir les chutes" in page and "ajout" in page


def test_the_contract_list_filters_by_state_generation_theme_and_end_within_six_months(contracts, national, login):
    client = login(national)
    url = reverse("contracts:contract_list")

    def listed(**params):
        content = client.get(url, params).content.decode()
        return {key for key, contract in contracts.items() if contract.reference in content}

    assert listed(status="en_vigueur") == {"signed_a", "signed_idf"}
    assert listed(status="brouillon") == {"draft_a", "draft_b"}
    assert listed(region="11") == {"signed_idf"}
    assert listed(theme="TMS") == {"signed_a", "signed_idf"}
    assert listed(generation="2") == set()
    assert listed(expiring="on") == set()
    Contract.objects.filter(pk=contracts["signed_a"].pk).update(end=today() + dt.timedelta(days=60))
    assert listed(expiring="on") == {"signed_a"}
    assert listed(q=contracts["draft_b"].reference) == {"draft_b"}


def test_the_contract_list_makes_as_many_queries_for_500_contracts_as_for_20(reference, admin, login):
    client = login(admin)
    spsti = SpstiFactory(department="35", departments=["35"])
    ApprovalFactory(spsti=spsti)

    def create(count):
        for _ in range(count):
            lifecycle.create_draft(by=admin, services=[spsti], generation=3, on=today())

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("contracts:contract_list")).status_code == 200
        return len(context.captured_queries)

    create(20)
    with_20 = queries()
    create(480)
    with_500 = queries()
    print(f"\nRequêtes SQL de la liste des contrats : {with_20} pour 20 contrats, {with_500} pour 500")
    assert with_20 == with_500


def test_the_word_file_downloads_within_scope_only(contracts, dreets_agent, dreets_agent_other_region, login):
    url = reverse("contracts:contract_docx", args=[contracts["signed_a"].pk])
    response = login(dreets_agent).get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response["Content-Disposition"] == f'attachment; filename="{contracts["signed_a"].reference}.docx"'
    assert login(dreets_agent_other_region).get(url).status_code == 404


def test_the_command_writes_the_word_file(contracts, dreets_agent, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    output = tmp_path / "contrat.docx"
    out = StringIO()
    call_command(
        "contract", contracts["signed_a"].reference, "--by", dreets_agent.email, "docx", str(output), stdout=out
    )
    assert output.read_bytes()[:2] == b"PK" and "généré en" in out.getvalue()


def test_version_comparison_opens_on_the_previous_version_against_the_latest(contracts, dreets_agent, login):
    signed = contracts["signed_a"]
    assert signed.versions.count() == 1
    page = login(dreets_agent).get(reverse("contracts:version_compare", args=[signed.pk])).content.decode()
    assert "n'a qu'une version signée" in page and "identiques" not in page


def test_a_signed_contract_is_not_advised_to_tighten_its_themes():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    sizing = SimpleNamespace(
        capacities=[],
        prevention_themes=5,
        advised_prevention_themes=3,
        warning="Le contrat retient 5 thématiques … envisagez de resserrer le contrat sur la PDP.",
    )
    signed = render_to_string("contracts/_sizing.html", {"sizing": sizing, "contract": SimpleNamespace(is_signed=True)})
    draft = render_to_string("contracts/_sizing.html", {"sizing": sizing, "contract": SimpleNamespace(is_signed=False)})
    assert "resserrer" not in signed and "prochain avenant ou du renouvellement" in signed
    assert "resserrer" in draft


def test_the_service_picker_tells_namesakes_apart_and_filters_without_javascript(services, dreets_agent, login):
    import html

    from cpom.organisations.models import Spsti

    client = login(dreets_agent)
    a, b = services["A"], services["B"]
    Spsti.objects.filter(pk=b.pk).update(name=a.name)  # two services with the same name
    url = reverse("contracts:contract_create")
    page = html.unescape(client.get(url).content.decode())
    assert 'type="checkbox"' in page and "service-picker.js" in page
    for service in (a, b):
        siret = service.siret
        assert f"{a.name} — SIRET {siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]} — " in page
    assert "agréé jusqu'au" in page and f"— {a.headquarters_department.code} " in page
    filtered = html.unescape(client.get(url + f"?q={b.siret}").content.decode())
    assert "1 service affiché" in filtered and f"{b.siret[9:]} — " in filtered and f"{a.siret[9:]} — " not in filtered
    response = client.post(url, {"services": [b.pk], "generation": "3"})
    assert response.status_code == 302, "the choice posted is checked against every service in scope"
