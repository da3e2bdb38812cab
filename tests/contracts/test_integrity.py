"""Contract integrity (DESIGN §5, R3, R4, R7, R8): a signed contract changes only when every party has signed the
amendment; each party signs and gives its opinion for itself; every report keeps the version it was made under.

Proved through the domain functions, the pages and the API, as the roles that must be refused too."""

import base64
import datetime as dt
import io

import docx
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpom.accounts.enums import Role
from cpom.api.models import ApiToken
from cpom.contracts import lifecycle, services
from cpom.contracts.document import contract_docx
from cpom.contracts.enums import AmendmentKind, AxisKind, EvidenceMethod, VersionStatus
from cpom.contracts.models import AmendmentSignature, Consultation, Contract, ContractVersion, Signature
from cpom.reports.enums import ReportStatus
from cpom.reports.expected import ensure_reports
from cpom.reports.layout import report_layout
from cpom.reports.models import Report, Value
from cpom.steering import consolidation

from .builders import (
    PLANNED_END,
    build_world,
    complete_draft,
    contract_state,
    in_consultation,
    own_account,
    party,
    ready,
    refusal,
    scan,
    sign_amendment_by_all,
    signed_contract,
    theme,
)

pytestmark = pytest.mark.django_db

AMENDED_ON = dt.date(2025, 1, 15)
AMENDMENT_SIGNED = dt.date(2025, 2, 3)


@pytest.fixture
def world(reference):
    return build_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user, *, client=None):
    _token, raw = ApiToken.issue(user=user, label="tests")
    client = client or Client()
    return client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def validated_report(contract, year: int) -> Report:
    """The service's report of `year`, filled on every integer cell of volet 2 and validated."""
    ensure_reports(year)
    report = Report.objects.get(contract=contract, year=year)
    for cell in report_layout(report).cells():
        if cell.indicator.code.startswith("ETAB_"):
            Value.objects.create(report=report, indicator=cell.indicator, theme=cell.theme, integer=7)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.VALIDATED)
    report.refresh_from_db()
    return report


def amended_with_tms_removed(world, contract):
    """Amendment n° 1 opened on 15/01/2025: the TMS action is deleted and the PDP action's objective changed in
    the proposed text."""
    amendment = lifecycle.open_amendment(
        by=world.caisse, contract=contract, kind=AmendmentKind.CHANGE, summary="Recentrage", on=AMENDED_ON
    )
    proposed = amendment.version
    tms = proposed.axes.get(kind=AxisKind.PREVENTION).actions.get(theme_id="TMS")
    services.save_action(
        by=world.caisse,
        axis=tms.axis,
        data=services.ActionData(title="Prévenir les RPS", theme=theme("RPS")),
    )
    services.delete_action(by=world.caisse, action=tms)
    pdp = proposed.axes.get(kind=AxisKind.PDP).actions.get()
    services.save_action(
        by=world.caisse,
        axis=pdp.axis,
        action=pdp,
        data=services.ActionData(title=pdp.title, theme=pdp.theme, objective="Objectif de l'avenant n° 1"),
    )
    return amendment


def visible_text(contract: Contract) -> dict:
    """What every channel shows of the text in force: model, Word file, contract page and API."""
    contract = Contract.objects.get(pk=contract.pk)
    word = docx.Document(io.BytesIO(contract_docx(contract)))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return {
        "themes": sorted(a.theme_id for ax in contract.axes.all() for a in ax.actions.all()),
        "objectives": sorted(a.objective for ax in contract.axes.all() for a in ax.actions.all()),
        "word": "\n".join([p.text for p in word.paragraphs] + cells),
    }


# --- R7: an open amendment changes nothing in force until the last signature -------------------------------------


def test_an_open_amendment_changes_nothing_in_force_until_every_party_has_signed_r7(world):
    contract = signed_contract(world)
    report = validated_report(contract, 2024)
    cells_before = [c.key for c in report_layout(report).cells()]
    values_before = sorted(report.values.values_list("indicator_id", "theme_id", "integer"))
    figures_before = consolidation.tableau1(2024)["53"].themes["TMS"]
    before = visible_text(contract)
    page_before = client_for(world.dreets).get(reverse("contracts:contract_detail", args=[contract.pk])).content
    api_client, auth = api_for(world.dreets)
    api_before = api_client.get(f"/api/contracts/{contract.pk}", **auth).json()

    amendment = amended_with_tms_removed(world, contract)
    parties = list(contract.parties.order_by("pk"))
    for signatory in parties[:-1]:
        lifecycle.sign_amendment(
            by=own_account(signatory), amendment=amendment, party=signatory, signed_on=AMENDED_ON, signatory_title="D"
        )
        assert visible_text(contract) == before
        assert [c.key for c in report_layout(report).cells()] == cells_before
        assert consolidation.tableau1(2024)["53"].themes["TMS"] == figures_before
        assert api_client.get(f"/api/contracts/{contract.pk}", **auth).json()["axes"] == api_before["axes"]
        page = client_for(world.dreets).get(reverse("contracts:contract_detail", args=[contract.pk]) + "?onglet=axes")
        assert "Objectif de l&#x27;avenant n° 1" not in page.content.decode()
        assert "Avenant n° 1 en préparation" in page.content.decode()
    assert b"Objectif de l&#x27;avenant" not in page_before

    lifecycle.sign_amendment(
        by=own_account(parties[-1]),
        amendment=amendment,
        party=parties[-1],
        signed_on=AMENDMENT_SIGNED,
        signatory_title="D",
    )

    after = visible_text(contract)
    assert after["themes"] == ["INTERCO", "PDP", "RPS"] or "TMS" not in after["themes"]
    assert "Objectif de l'avenant n° 1" in after["objectives"] and "Objectif de l'avenant n° 1" in after["word"]
    assert api_client.get(f"/api/contracts/{contract.pk}", **auth).json()["axes"] != api_before["axes"]
    # The 2024 report and the 2024 figures follow the version in force on 31/12/2024: byte for byte the same.
    report.refresh_from_db()
    assert [c.key for c in report_layout(report).cells()] == cells_before
    assert sorted(report.values.values_list("indicator_id", "theme_id", "integer")) == values_before
    assert consolidation.tableau1(2024)["53"].themes["TMS"] == figures_before
    # The 2025 figures follow the amended text: the service no longer retains TMS.
    assert consolidation.tableau1(2025)["53"].themes["TMS"].services_retaining_theme == 0
    assert consolidation.tableau1(2025)["53"].themes["RPS"].services_retaining_theme == 1
    first, second = ContractVersion.objects.filter(contract=contract).order_by("number")
    assert (first.status, first.superseded_on) == (VersionStatus.SIGNED, AMENDMENT_SIGNED)
    assert (second.status, second.effective_on, second.superseded_on) == (VersionStatus.SIGNED, AMENDMENT_SIGNED, None)
    assert len(second.content_sha256) == 64 and second.content_sha256 != first.content_sha256


def test_a_validated_report_keeps_its_form_on_its_page_after_an_amendment(world):
    contract = signed_contract(world)
    report = validated_report(contract, 2024)
    url = reverse("reports:report_detail", args=[report.pk])
    referent = client_for(world.referent)
    before = referent.get(url).content.decode()
    assert "TMS" in before or "troubles musculo" in before.lower()
    amendment = amended_with_tms_removed(world, contract)
    sign_amendment_by_all(world.dreets, amendment, AMENDMENT_SIGNED)
    after = referent.get(url).content.decode()
    assert after.count('name="ETAB_') == before.count('name="ETAB_')
    assert after.lower().count("musculo") == before.lower().count("musculo")


def test_the_proposed_text_is_edited_and_compared_but_never_shown_as_in_force(world):
    contract = signed_contract(world)
    amended_with_tms_removed(world, contract)
    agent = client_for(world.dreets)
    url = reverse("contracts:contract_detail", args=[contract.pk])
    in_force = agent.get(url + "?onglet=axes").content.decode()
    proposed = agent.get(url + "?onglet=axes&texte=avenant").content.decode()
    assert "Prévenir les RPS" not in in_force and "Prévenir les RPS" in proposed
    assert "texte en vigueur" in in_force and "texte proposé" in proposed
    compared = agent.get(reverse("contracts:version_compare", args=[contract.pk])).content.decode()
    assert "Prévenir les RPS" in compared and "Objectif de l&#x27;avenant n° 1" in compared


def test_the_proposed_text_is_frozen_once_a_party_has_signed_the_amendment_r7(world):
    contract = signed_contract(world)
    amendment = amended_with_tms_removed(world, contract)
    first = contract.parties.order_by("pk").first()
    lifecycle.sign_amendment(
        by=own_account(first), amendment=amendment, party=first, signed_on=AMENDED_ON, signatory_title="D"
    )
    pdp = amendment.version.axes.get(kind=AxisKind.PDP).actions.get()
    before = contract_state(contract)
    error = refusal(
        services.save_action,
        by=world.dreets,
        axis=pdp.axis,
        action=pdp,
        data=services.ActionData(title="Autre", theme=pdp.theme),
    )
    assert error.rule == "R7" and "a déjà signé" in error.message
    assert contract_state(contract) == before


def test_an_object_of_the_version_in_force_is_not_edited_through_an_amendment_r7(world):
    contract = signed_contract(world)
    lifecycle.open_amendment(
        by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary="Modification", on=AMENDED_ON
    )
    in_force = contract.axes.get(kind=AxisKind.PDP).actions.get()
    before = contract_state(contract)
    error = refusal(services.delete_action, by=world.dreets, action=in_force)
    assert error.rule == "R7" and "texte en vigueur" in error.message
    assert contract_state(contract) == before


# --- each party signs and gives its opinion for itself -----------------------------------------------------------


def test_an_agent_cannot_sign_for_another_party_without_the_signed_document(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)
    for by, code in ((world.dreets, "SPSTI-A"), (world.caisse, "ETAT-53"), (world.dreets, "CARSAT-BR")):
        error = refusal(
            lifecycle.record_signature,
            by=by,
            contract=contract,
            party=party(contract, code),
            signed_on=dt.date(2024, 5, 2),
            signatory_title="Directeur",
        )
        assert error.rule == "partie" and "joignez le document signé" in error.message
    assert contract_state(contract) == before
    assert not Signature.objects.exists()


def test_a_service_signs_only_for_itself(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)
    error = refusal(
        lifecycle.record_signature,
        by=world.referent,
        contract=contract,
        party=party(contract, "ETAT-53"),
        signed_on=dt.date(2024, 5, 2),
        signatory_title="Directeur",
        document=scan(),
    )
    assert error.rule == "partie" and "Seuls les comptes" in error.message
    assert contract_state(contract) == before

    lifecycle.record_signature(
        by=world.referent,
        contract=contract,
        party=party(contract, "SPSTI-A"),
        signed_on=dt.date(2024, 4, 15),
        signatory_title="Présidente du service",
    )
    evidence = Signature.objects.get()
    assert (evidence.recorded_by, evidence.on_behalf, evidence.method) == (
        world.referent,
        False,
        EvidenceMethod.PLATFORM,
    )
    assert len(evidence.content_sha256) == 64


def test_a_paper_signature_is_recorded_on_behalf_with_its_scan_and_says_so(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    lifecycle.record_signature(
        by=world.dreets,
        contract=contract,
        party=party(contract, "CARSAT-BR"),
        signed_on=dt.date(2024, 4, 20),
        signatory_title="Directeur de la Carsat",
        document=scan("signature-carsat.pdf"),
    )
    evidence = Signature.objects.get()
    assert evidence.on_behalf and evidence.method == EvidenceMethod.SCAN
    assert evidence.document_name == "signature-carsat.pdf" and len(evidence.document_sha256) == 64
    assert "pour le compte de la partie" in evidence.capacity


def test_a_document_that_is_neither_a_pdf_nor_an_image_is_refused(world):
    from cpom.contracts.attachments import AttachedDocument

    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)
    error = refusal(
        lifecycle.record_signature,
        by=world.dreets,
        contract=contract,
        party=party(contract, "CARSAT-BR"),
        signed_on=dt.date(2024, 4, 20),
        signatory_title="Directeur",
        document=AttachedDocument(name="signature.exe", data=b"MZ\x90\x00"),
    )
    assert error.field == "document" and "PDF" in error.message
    assert contract_state(contract) == before


def test_only_the_ars_gives_the_ars_opinion_unless_its_letter_is_attached_r4(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    before = contract_state(contract)
    for by in (world.caisse, world.dreets):
        error = refusal(
            lifecycle.record_opinion,
            by=by,
            contract=contract,
            body="ars",
            given_on=dt.date(2024, 4, 2),
            opinion="favorable",
        )
        assert error.rule == "partie" and "ARS" in error.message
    assert contract_state(contract) == before

    lifecycle.record_opinion(
        by=world.caisse,
        contract=contract,
        body="ars",
        given_on=dt.date(2024, 4, 2),
        opinion="favorable",
        document=scan("courrier-ars.pdf"),
    )
    opinion = Consultation.objects.get(body="ars")
    assert opinion.on_behalf and opinion.method == EvidenceMethod.LETTER and opinion.recorded_by == world.caisse


def test_the_crpst_opinion_needs_its_minutes_and_the_ars_records_its_own(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    error = refusal(
        lifecycle.record_opinion,
        by=world.dreets,
        contract=contract,
        body="crpst",
        given_on=dt.date(2024, 3, 20),
        opinion="favorable",
    )
    assert error.rule == "R4" and "procès-verbal" in error.message
    error = refusal(
        lifecycle.record_opinion,
        by=world.ars,
        contract=contract,
        body="crpst",
        given_on=dt.date(2024, 3, 20),
        opinion="favorable",
        document=scan(),
    )
    assert "secrétariat" in error.message
    lifecycle.record_opinion(
        by=world.ars, contract=contract, body="ars", given_on=dt.date(2024, 4, 2), opinion="reserve"
    )
    own = Consultation.objects.get(body="ars")
    assert not own.on_behalf and own.method == EvidenceMethod.PLATFORM


def test_signing_for_another_party_is_refused_through_the_api_and_the_page(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)
    client, auth = api_for(world.caisse)
    payload = {"party": party(contract, "SPSTI-A").pk, "signed_on": "2024-05-02", "signatory_title": "Directeur"}
    answer = client.post(f"/api/contracts/{contract.pk}/signatures", payload, content_type="application/json", **auth)
    assert answer.status_code == 422 and answer.json()["rule"] == "partie"
    page = client_for(world.caisse).post(
        reverse("contracts:signature_create", args=[contract.pk]),
        payload | {"signed_on": "02/05/2024", "version": str(contract.version)},
    )
    assert page.status_code == 200 and "joignez le document signé" in page.content.decode()
    assert contract_state(contract) == before
    # With the scan, through the API: accepted, recorded on behalf.
    encoded = base64.b64encode(scan().data).decode()
    answer = client.post(
        f"/api/contracts/{contract.pk}/signatures",
        payload | {"document": {"name": "scan.pdf", "content_base64": encoded}},
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 201
    assert Signature.objects.get().on_behalf


def test_a_service_director_signs_from_the_contract_page(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    director = client_for(world.referent)
    page = director.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert reverse("contracts:signature_create", args=[contract.pk]) in page
    form = director.get(reverse("contracts:signature_create", args=[contract.pk])).content.decode()
    assert "ETAT-53" not in form and "Prévention Santé Travail 35" in form
    answer = director.post(
        reverse("contracts:signature_create", args=[contract.pk]),
        {
            "party": party(contract, "SPSTI-A").pk,
            "signed_on": "15/04/2024",
            "signatory_title": "Présidente",
            "version": str(contract.version),
        },
    )
    assert answer.status_code == 302
    assert party(contract, "SPSTI-A").signed_on == dt.date(2024, 4, 15)


def test_amendment_signatures_follow_the_same_rule(world):
    contract = signed_contract(world)
    amendment = lifecycle.open_amendment(
        by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary="Modification", on=AMENDED_ON
    )
    error = refusal(
        lifecycle.sign_amendment,
        by=world.dreets,
        amendment=amendment,
        party=party(contract, "SPSTI-A"),
        signed_on=AMENDED_ON,
        signatory_title="D",
    )
    assert error.rule == "partie"
    assert not AmendmentSignature.objects.exists()


# --- who reads what ------------------------------------------------------------------------------------------------


def test_the_crpst_members_read_a_contract_under_consultation_in_their_region(world):
    draft_contract = complete_draft(world)
    member = client_for(world.partner)
    url = reverse("contracts:contract_detail", args=[draft_contract.pk])
    assert member.get(url).status_code == 404  # a draft in negotiation: not yet
    in_consultation(world.dreets, draft_contract)
    assert member.get(url).status_code == 200
    assert world.partner.role == Role.SOCIAL_PARTNER


# --- R3 at every step, R8 and owed reports -------------------------------------------------------------------------


def test_r3_is_checked_at_consultation_even_without_a_planned_end(world):
    contract = complete_draft(world)
    Contract.objects.filter(pk=contract.pk).update(planned_end=None)
    world.service.approvals.update(end=dt.date(2024, 2, 1))
    contract.refresh_from_db()
    before = contract_state(contract)
    error = refusal(lifecycle.send_for_consultation, by=world.dreets, contract=contract, on=dt.date(2024, 3, 1))
    assert error.rule == "R3"
    assert contract_state(contract) == before


def test_a_termination_removes_the_reports_no_longer_owed_and_completeness_follows_r8(world):
    contract = signed_contract(world)
    ensure_reports(2025)
    ensure_reports(2026)
    submitted = Report.objects.get(contract=contract, year=2026)
    Report.objects.filter(pk=submitted.pk).update(status=ReportStatus.SUBMITTED)
    deadline = dt.date(2027, 6, 30)
    assert consolidation.completeness(2026, deadline=deadline).owed == 1
    lifecycle.terminate(
        by=world.dreets,
        contract=contract,
        party=party(contract, "ETAT-53"),
        notified_on=dt.date(2025, 9, 1),
        effective_on=dt.date(2025, 12, 1),
        reason="Fusion",
        registered_letter_reference="AR 1A 42",
    )
    assert Report.objects.filter(contract=contract, year=2025).exists()  # still owed: in force during 2025
    assert Report.objects.filter(pk=submitted.pk).exists()  # submitted: kept, no longer counted as owed
    assert consolidation.completeness(2026, deadline=deadline).owed == 0
    assert consolidation.completeness(2025, deadline=deadline).owed == 1


def test_an_untouched_draft_of_a_later_year_is_removed_by_a_termination(world):
    contract = signed_contract(world)
    ensure_reports(2026)
    lifecycle.terminate(
        by=world.dreets,
        contract=contract,
        party=party(contract, "ETAT-53"),
        notified_on=dt.date(2025, 9, 1),
        effective_on=dt.date(2025, 12, 1),
        reason="Fusion",
        registered_letter_reference="AR 1A 42",
    )
    assert not Report.objects.filter(contract=contract, year=2026).exists()


# --- optimistic locking without exceptions --------------------------------------------------------------------------


def test_a_contract_form_without_its_version_is_refused_and_changes_nothing(world):
    contract = complete_draft(world)
    before = contract_state(contract)
    answer = client_for(world.dreets).post(
        reverse("contracts:general_terms", args=[contract.pk]),
        {"title": "Titre changé", "context": "", "general_objectives": "", "pdp_cell_composition": "x"},
    )
    assert answer.status_code == 200 and "ne dit pas quelle version" in answer.content.decode()
    assert contract_state(contract) == before


def test_deleting_an_action_with_reported_progress_is_refused_in_french_never_a_500(world):
    from cpom.reports.models import ActionProgress

    contract = complete_draft(world)
    action = contract.axes.get(kind=AxisKind.PDP).actions.get()
    ensure_reports(2024)  # no report for a draft: make one by hand to prove the guard
    report = Report.objects.create(contract=contract, spsti=world.service, year=2024)
    ActionProgress.objects.create(report=report, action=action, status="en_cours")
    answer = client_for(world.dreets).post(
        reverse("contracts:action_delete", args=[contract.pk, action.pk]), {"version": str(contract.version)}
    )
    assert answer.status_code == 302
    assert type(action).objects.filter(pk=action.pk).exists()


# --- the page and the report form do not grow with the number of versions -------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_contract_page_and_report_form_queries_do_not_grow_with_amendments(world):
    contract = signed_contract(world)
    report = validated_report(contract, 2024)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.DRAFT)
    agent, director = client_for(world.dreets), client_for(world.referent)
    page = reverse("contracts:contract_detail", args=[contract.pk])
    form = reverse("reports:report_detail", args=[report.pk])

    def amend(count: int, start: dt.date):
        for n in range(count):
            day = start + dt.timedelta(days=n)
            amendment = lifecycle.open_amendment(
                by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary=f"Avenant {n}", on=day
            )
            sign_amendment_by_all(world.dreets, amendment, day)

    amend(1, dt.date(2025, 1, 10))
    one = (_queries(agent, page), _queries(director, form))
    amend(19, dt.date(2025, 2, 1))
    twenty = (_queries(agent, page), _queries(director, form))
    assert ContractVersion.objects.filter(contract=contract).count() == 21
    print(f"\n[mesure] requêtes (page du contrat, formulaire de rapport) : 1 avenant {one}, 20 avenants {twenty}")
    assert one == twenty, (one, twenty)
    assert contract.end == PLANNED_END


# --- signature evidence: the PDF to sign, signed outside and uploaded back (PAdES, pyHanko) -------------------------


@pytest.fixture(scope="module")
def authority():
    from .test_pdf_evidence import Authority

    return Authority()


def test_a_pades_signed_pdf_of_the_text_is_accepted_through_the_page_and_a_tampered_one_refused(world, authority):
    from .test_pdf_evidence import append_text
    from .test_pdf_evidence import sign as pades_sign

    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    agent = client_for(world.dreets)
    answer = agent.get(reverse("contracts:contract_pdf", args=[contract.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    signed = pades_sign(answer.content, authority.signer("Marie Dupont, présidente de PST 35"))
    url = reverse("contracts:signature_create", args=[contract.pk])
    form = {
        "party": party(contract, "SPSTI-A").pk,
        "signed_on": "15/04/2024",
        "signatory_title": "Marie Dupont, présidente",
        "version": str(contract.version),
    }
    before = contract_state(contract)
    tampered = io.BytesIO(append_text(signed))
    tampered.name = "contrat-signe.pdf"
    page = agent.post(url, form | {"document": tampered})
    assert page.status_code == 200 and "ne couvre pas tout le document" in page.content.decode()
    assert contract_state(contract) == before

    upload = io.BytesIO(signed)
    upload.name = "contrat-signe.pdf"
    assert agent.post(url, form | {"document": upload}).status_code == 302
    evidence = Signature.objects.get()
    assert evidence.on_behalf and evidence.method == EvidenceMethod.PADES
    assert evidence.verification["signatures"][0]["signataire"] == "Marie Dupont, présidente de PST 35"
    assert evidence.verification["content_sha256"] == evidence.content_sha256


def test_a_pades_pdf_of_another_version_is_refused_through_the_api(world, authority):
    from .test_pdf_evidence import sign as pades_sign

    contract = signed_contract(world)
    amendment = lifecycle.open_amendment(
        by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary="Modification", on=AMENDED_ON
    )
    pdp = amendment.version.axes.get(kind=AxisKind.PDP).actions.get()
    services.save_action(
        by=world.dreets,
        axis=pdp.axis,
        action=pdp,
        data=services.ActionData(title=pdp.title, theme=pdp.theme, objective="Objectif de l'avenant"),
    )
    client, auth = api_for(world.dreets)
    in_force = client.get(f"/api/contracts/{contract.pk}/pdf", **auth)
    proposed = client.get(f"/api/contracts/{contract.pk}/pdf?avenant=true", **auth)
    assert in_force.status_code == proposed.status_code == 200
    payload = {"party": party(contract, "SPSTI-A").pk, "signed_on": "2025-01-20", "signatory_title": "Présidente"}

    def post(pdf: bytes):
        document = {"name": "avenant.pdf", "content_base64": base64.b64encode(pdf).decode()}
        return client.post(
            f"/api/contracts/{contract.pk}/amendments/1/signatures",
            payload | {"document": document},
            content_type="application/json",
            **auth,
        )

    wrong = post(pades_sign(in_force.content, authority.signer("Marie Dupont")))
    assert wrong.status_code == 422 and "ne correspond pas" in wrong.json()["detail"]
    assert not AmendmentSignature.objects.exists()
    right = post(pades_sign(proposed.content, authority.signer("Marie Dupont")))
    assert right.status_code == 201
    assert AmendmentSignature.objects.get().method == EvidenceMethod.PADES
