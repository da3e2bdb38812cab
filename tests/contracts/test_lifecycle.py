"""A contract's life (DESIGN §5): drafting with the parties of R1, consultation (R4–R6), signature (R2–R4),
amendments (R7), termination (R8), and who may do what. Every refusal is checked to change nothing."""

import datetime as dt

import pytest

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.contracts import lifecycle, services, versions
from cpom.contracts.enums import (
    AmendmentKind,
    AmendmentStatus,
    AxisKind,
    ConsultedBody,
    ContractStatus,
    Opinion,
    PartyRole,
    VersionStatus,
)
from cpom.contracts.models import Consultation, Contract, ContractVersion, Termination
from cpom.core.errors import DomainError
from cpom.organisations.models import Approval

from .builders import (
    APPROVAL_END,
    ARS_OPINION,
    CONSULTATION,
    CRPST_OPINION,
    LAST_SIGNATURE,
    NEGOTIATION,
    PDP_CELL,
    PLANNED_END,
    add_action,
    add_approval,
    ars_account,
    assert_names_rule,
    axis,
    build_world,
    complete,
    complete_draft,
    contract_state,
    draft,
    in_consultation,
    make_service,
    make_user,
    organisation,
    own_account,
    party,
    ready,
    refusal,
    scan,
    set_terms,
    sign_all,
    sign_amendment_by_all,
    signed_contract,
    theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference):
    return build_world()


def parties_of(contract: Contract) -> set[tuple[str, str]]:
    return set(contract.parties.values_list("organisation__code", "role"))


def opinion(by, contract, body, given_on, value=Opinion.FAVOURABLE):
    """The CRPST's opinion recorded by `by` with the minutes; the ARS's by the ARS itself."""
    if body == ConsultedBody.ARS:
        return lifecycle.record_opinion(
            by=ars_account(contract), contract=contract, body=body, given_on=given_on, opinion=value
        )
    return lifecycle.record_opinion(
        by=by, contract=contract, body=body, given_on=given_on, opinion=value, document=scan("pv.pdf")
    )


# --- drafting (R1) ----------------------------------------------------------------------------------------------


def test_a_draft_for_a_service_binds_the_service_the_dreets_of_its_region_and_the_carsat_of_its_zone(world):
    contract = draft(world.dreets, world.service)

    assert parties_of(contract) == {
        ("SPSTI-A", PartyRole.SPSTI),
        ("ETAT-53", PartyRole.STATE),
        ("CARSAT-BR", PartyRole.CAISSE),
    }
    assert contract.status == ContractStatus.DRAFT
    assert contract.region_id == "53" and contract.generation == 3
    assert contract.negotiation_started_on == NEGOTIATION
    assert contract.planned_end == APPROVAL_END  # by default the approval's end (R3)
    assert contract.start is None and contract.end is None
    assert not contract.parties.filter(signed_on__isnull=False).exists()


def test_a_caisse_agent_may_open_a_draft_for_a_service_of_its_area_too(world):
    contract = draft(world.caisse, world.service)
    assert parties_of(contract) == {
        ("SPSTI-A", PartyRole.SPSTI),
        ("ETAT-53", PartyRole.STATE),
        ("CARSAT-BR", PartyRole.CAISSE),
    }


def test_a_regional_contract_of_two_services_has_both_services_one_dreets_and_the_union_of_their_caisses(world):
    # Service V is headquartered in Ille-et-Vilaine but approved on Mayenne too: Carsat Pays de la Loire joins.
    vitre = make_service(
        "SPSTI-V",
        "Santé Travail Vitré",
        headquarters="35",
        departments=["35", "53"],
        approval=(dt.date(2023, 6, 1), dt.date(2027, 5, 31)),
    )
    contract = draft(world.dreets, world.service, vitre)

    assert parties_of(contract) == {
        ("SPSTI-A", PartyRole.SPSTI),
        ("SPSTI-V", PartyRole.SPSTI),
        ("ETAT-53", PartyRole.STATE),
        ("CARSAT-BR", PartyRole.CAISSE),
        ("CARSAT-PL", PartyRole.CAISSE),
    }
    assert contract.parties.count() == 5  # the DREETS and Carsat Bretagne once, though both services share them
    assert contract.region_id == "53"
    assert contract.planned_end == dt.date(2027, 5, 31)  # the earliest approval end of the services (R3)


def test_services_of_two_regions_cannot_share_one_contract_r1(world):
    # A Mayenne service (Pays de la Loire) covering Ille-et-Vilaine. Carsat Bretagne does not see it (headquarters
    # outside its departments, issue 16): an administrator, who sees both, meets rule R1.
    mayenne = make_service("SPSTI-M", "Santé Travail Mayenne", headquarters="53", departments=["53", "35"])
    contracts_before = Contract.objects.count()
    admin = User.objects.create_user("admin-r1@cpom.test", "x" * 16, role=Role.ADMIN, organisation=None)

    error = refusal(lifecycle.create_draft, by=admin, services=[world.service, mayenne], generation=3, on=NEGOTIATION)

    assert_names_rule(error, "R1")
    assert error.field == "services"
    assert Contract.objects.count() == contracts_before


def test_a_dreets_agent_cannot_draft_a_contract_for_a_service_outside_its_region(world):
    error = refusal(
        lifecycle.create_draft, by=world.dreets_other, services=[world.service], generation=3, on=NEGOTIATION
    )

    assert "périmètre" in error.message
    assert Contract.objects.count() == 0


def test_a_draft_names_at_least_one_service(world):
    error = refusal(lifecycle.create_draft, by=world.dreets, services=[], generation=3, on=NEGOTIATION)
    assert error.field == "services"
    assert Contract.objects.count() == 0


def test_a_third_generation_draft_gets_the_pdp_prevention_and_interconnaissance_axes(world):
    contract = draft(world.dreets, world.service, generation=3)
    assert list(contract.axes.values_list("number", "kind")) == [
        (1, AxisKind.PDP),
        (2, AxisKind.PREVENTION),
        (3, AxisKind.INTERCONNAISSANCE),
    ]


def test_an_earlier_generation_draft_gets_the_two_axes_of_its_time(world):
    contract = draft(world.dreets, world.service, generation=2)
    assert list(contract.axes.values_list("kind", flat=True)) == [AxisKind.PREVENTION, AxisKind.PDP]


def test_two_drafts_of_a_region_get_distinct_references(world):
    first = draft(world.dreets, world.service)
    second = draft(world.dreets, world.service)
    assert first.reference == "CPOM-53-G3-001"
    assert second.reference == "CPOM-53-G3-002"


PDP_ROWS = {
    ("COMMENTAIRE", "PDP"),
    ("PDP_CELLULE_DATE", "PDP"),
    ("PDP_SALARIES_ACCOMPAGNES", "PDP"),
    ("PDP_SALARIES_PARCOURS", "PDP"),
}
BRETAGNE_PDP_ROWS = {("PDP_REUNIONS", "PDP"), ("PDP_DOSSIERS", "PDP"), ("PDP_MAINTIENS", "PDP")}
INTERCO_ROWS = {("COMMENTAIRE", "INTERCO")}
BRETAGNE_INTERCO_ROWS = {
    ("CDPRP_REUNIONS", "INTERCO"),
    ("CDPRP_PARTICIPANTS", "INTERCO"),
    ("CDPRP_THEMATIQUES", "INTERCO"),
}


def prevention_rows(code: str) -> set[tuple[str, str]]:
    indicators = ["ETAB_FORMES", "ETAB_ACCOMPAGNES", "ETAB_COMMUNICATION"]
    return {(name, code) for indicator in indicators for name in (indicator, f"{indicator}_COG")} | {
        ("COMMENTAIRE", code)
    }


def indicator_rows(contract: Contract) -> set[tuple[str, str]]:
    return set(contract.indicators.values_list("indicator_id", "theme_id"))


def test_a_draft_follows_the_national_and_regional_indicators_of_the_themes_it_retains(world):
    contract = draft(world.dreets, world.service)
    base = PDP_ROWS | BRETAGNE_PDP_ROWS | INTERCO_ROWS | BRETAGNE_INTERCO_ROWS
    assert indicator_rows(contract) == base

    action = add_action(world.dreets, contract, AxisKind.PREVENTION, "TMS")
    assert indicator_rows(contract) == base | prevention_rows("TMS")

    services.save_action(
        by=world.dreets,
        axis=action.axis,
        action=action,
        data=services.ActionData(title="Risques psychosociaux", theme=theme("RPS")),
    )
    assert indicator_rows(contract) == base | prevention_rows("RPS")

    services.delete_action(by=world.dreets, action=action)
    assert indicator_rows(contract) == base


def test_a_draft_of_another_region_does_not_get_the_bretagne_regional_indicators(world):
    paris = make_service("SPSTI-P", "Santé Travail Paris", headquarters="75")
    contract = draft(world.dreets_other, paris)

    assert parties_of(contract) == {
        ("SPSTI-P", PartyRole.SPSTI),
        ("ETAT-11", PartyRole.STATE),
        ("CRAMIF", PartyRole.CAISSE),
    }
    assert indicator_rows(contract) == PDP_ROWS | INTERCO_ROWS


# --- sending for consultation (R3, R5, R6) ----------------------------------------------------------------------


def test_a_complete_third_generation_draft_goes_to_consultation(world):
    contract = complete_draft(world)
    lifecycle.send_for_consultation(by=world.dreets, contract=contract, on=CONSULTATION)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CONSULTATION


def test_a_third_generation_draft_without_its_pdp_axis_cannot_go_to_consultation_r5(world):
    contract = complete_draft(world)
    axis(contract, AxisKind.PDP).delete()
    before = contract_state(contract)

    error = refusal(lifecycle.send_for_consultation, by=world.dreets, contract=contract, on=CONSULTATION)

    assert_names_rule(error, "R5")
    assert "désinsertion" in error.message
    assert contract_state(contract) == before


def test_a_third_generation_draft_without_a_prevention_action_cannot_go_to_consultation_r5(world):
    contract = draft(world.dreets, world.service)
    add_action(world.dreets, contract, AxisKind.PDP, "PDP")
    set_terms(world.dreets, contract)
    before = contract_state(contract)

    error = refusal(lifecycle.send_for_consultation, by=world.dreets, contract=contract, on=CONSULTATION)

    assert_names_rule(error, "R5")
    assert contract_state(contract) == before


def test_the_prevention_action_must_bear_on_a_priority_theme_of_the_regional_campaign_r5(world):
    from cpom.contracts import campaigns

    campaign = campaigns.open_campaign(
        by=world.pilot, region=world.service.region, generation=3, title="CPOM Bretagne G3", on=dt.date(2023, 9, 1)
    )
    campaigns.set_priority_themes(
        by=world.pilot, campaign=campaign, themes=[theme("TMS"), theme("RC")], crpst_validated_on=dt.date(2023, 10, 1)
    )
    contract = complete(world.dreets, draft(world.dreets, world.service, campaign=campaign), prevention_theme="RPS")
    assert contract.generation == 3 and contract.campaign == campaign
    before = contract_state(contract)

    error = refusal(lifecycle.send_for_consultation, by=world.dreets, contract=contract, on=CONSULTATION)

    assert_names_rule(error, "R5")
    assert "régionale" in error.message
    assert contract_state(contract) == before

    add_action(world.dreets, contract, AxisKind.PREVENTION, "RC")
    lifecycle.send_for_consultation(by=world.dreets, contract=contract, on=CONSULTATION)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CONSULTATION


def test_a_draft_that_does_not_state_the_pdp_cell_composition_cannot_go_to_consultation_r6(world):
    contract = complete(world.dreets, draft(world.dreets, world.service))
    set_terms(world.dreets, contract, pdp_cell="   ")
    before = contract_state(contract)

    error = refusal(lifecycle.send_for_consultation, by=world.dreets, contract=contract, on=CONSULTATION)

    assert_names_rule(error, "R6")
    assert "cellule PDP" in error.message
    assert contract_state(contract) == before


def test_a_draft_planned_to_end_after_the_approval_cannot_go_to_consultation_r3(world):
    contract = complete_draft(world)
    # The approval was cut short after the planned end was chosen.
    Approval.objects.filter(spsti=world.service).update(end=dt.date(2026, 6, 30))
    before = contract_state(contract)

    error = refusal(lifecycle.send_for_consultation, by=world.dreets, contract=contract, on=CONSULTATION)

    assert_names_rule(error, "R3")
    assert "30/06/2026" in error.message
    assert contract_state(contract) == before


def test_a_contract_already_in_consultation_cannot_be_sent_again(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    before = contract_state(contract)
    refusal(lifecycle.send_for_consultation, by=world.dreets, contract=contract, on=CONSULTATION)
    assert contract_state(contract) == before


def test_back_to_negotiation_forgets_the_opinions_but_not_after_a_signature(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    lifecycle.back_to_negotiation(by=world.dreets, contract=contract)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    assert not contract.consultations.exists()

    contract = ready(world.dreets, in_consultation(world.dreets, contract))
    sign(world.dreets, contract, "ETAT-53")
    before = contract_state(contract)
    refusal(lifecycle.back_to_negotiation, by=world.dreets, contract=contract)
    assert contract_state(contract) == before


# --- opinions (R4) ----------------------------------------------------------------------------------------------


def test_the_ars_records_the_opinion_of_the_ars_on_a_contract_of_its_region(world):
    contract = in_consultation(world.dreets, complete_draft(world))

    consultation = opinion(world.ars, contract, ConsultedBody.ARS, ARS_OPINION, Opinion.RESERVED)

    assert (consultation.body, consultation.given_on, consultation.opinion) == (
        ConsultedBody.ARS,
        ARS_OPINION,
        Opinion.RESERVED,
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CONSULTATION  # the CRPST has not spoken yet


def test_the_ars_cannot_record_the_crpst_opinion(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    before = contract_state(contract)

    refusal(
        lifecycle.record_opinion,
        by=world.ars,
        contract=contract,
        body=ConsultedBody.CRPST,
        given_on=CRPST_OPINION,
        opinion=Opinion.FAVOURABLE,
    )

    assert contract_state(contract) == before


def test_the_ars_of_another_region_cannot_record_an_opinion_on_a_bretagne_contract(world):
    ars_idf = make_user("lecteur@ars-idf.test", Role.ARS_READER, "ARS-11")
    contract = in_consultation(world.dreets, complete_draft(world))
    before = contract_state(contract)

    error = refusal(
        lifecycle.record_opinion,
        by=ars_idf,
        contract=contract,
        body=ConsultedBody.ARS,
        given_on=ARS_OPINION,
        opinion=Opinion.FAVOURABLE,
    )

    assert "périmètre" in error.message
    assert contract_state(contract) == before


def test_once_the_crpst_and_the_ars_have_given_their_opinions_the_contract_is_ready_to_sign(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    opinion(world.dreets, contract, ConsultedBody.CRPST, CRPST_OPINION)
    opinion(world.ars, contract, ConsultedBody.ARS, ARS_OPINION, Opinion.UNFAVOURABLE)  # an opinion, not a veto

    contract.refresh_from_db()
    assert contract.status == ContractStatus.READY
    assert set(contract.consultations.values_list("body", flat=True)) == {ConsultedBody.CRPST, ConsultedBody.ARS}


def test_an_opinion_cannot_be_recorded_twice(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    opinion(world.dreets, contract, ConsultedBody.CRPST, CRPST_OPINION)
    before = contract_state(contract)

    error = refusal(
        lifecycle.record_opinion,
        by=world.dreets,
        contract=contract,
        body=ConsultedBody.CRPST,
        given_on=ARS_OPINION,
        opinion=Opinion.UNFAVOURABLE,
    )

    assert error.rule == "R4"
    assert "déjà enregistré" in error.message
    assert contract_state(contract) == before
    assert Consultation.objects.filter(contract=contract).count() == 1


def test_no_opinion_is_recorded_on_a_draft(world):
    contract = complete_draft(world)
    before = contract_state(contract)

    error = refusal(
        lifecycle.record_opinion,
        by=world.dreets,
        contract=contract,
        body=ConsultedBody.CRPST,
        given_on=CRPST_OPINION,
        opinion=Opinion.FAVOURABLE,
    )

    assert error.rule == "R4"
    assert contract_state(contract) == before


def test_the_refusals_of_an_opinion_name_rule_r4_in_their_message(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    opinion(world.dreets, contract, ConsultedBody.CRPST, CRPST_OPINION)
    error = refusal(
        lifecycle.record_opinion,
        by=world.dreets,
        contract=contract,
        body=ConsultedBody.CRPST,
        given_on=ARS_OPINION,
        opinion=Opinion.FAVOURABLE,
    )
    assert_names_rule(error, "R4")


# --- signature (R2, R3, R4) -------------------------------------------------------------------------------------


def sign(by, contract, code, on=LAST_SIGNATURE, title="Directeur"):
    """The party `code` signs from its own account (`by` names who drives the test)."""
    signatory = party(contract, code)
    return lifecycle.record_signature(
        by=own_account(signatory), contract=contract, party=signatory, signed_on=on, signatory_title=title
    )


def test_no_party_signs_before_the_crpst_and_the_ars_have_given_their_opinions_r4(world):
    contract = in_consultation(world.dreets, complete_draft(world))
    opinion(world.dreets, contract, ConsultedBody.CRPST, CRPST_OPINION)
    before = contract_state(contract)

    error = refusal(
        lifecycle.record_signature,
        by=world.dreets,
        contract=contract,
        party=party(contract, "ETAT-53"),
        signed_on=LAST_SIGNATURE,
        signatory_title="Directeur régional",
    )

    assert_names_rule(error, "R4")
    assert "ARS" in error.message
    assert contract_state(contract) == before


def test_no_party_signs_a_draft(world):
    contract = complete_draft(world)
    before = contract_state(contract)
    refusal(
        lifecycle.record_signature,
        by=world.dreets,
        contract=contract,
        party=party(contract, "ETAT-53"),
        signed_on=LAST_SIGNATURE,
        signatory_title="Directeur régional",
    )
    assert contract_state(contract) == before


def test_no_signature_when_the_service_has_no_valid_approval_on_the_signature_date_r3(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)

    error = refusal(
        lifecycle.record_signature,
        by=world.dreets,
        contract=contract,
        party=party(contract, "SPSTI-A"),
        signed_on=APPROVAL_END + dt.timedelta(days=1),
        signatory_title="Directeur",
    )

    assert_names_rule(error, "R3")
    assert "agrément" in error.message
    assert contract_state(contract) == before


def test_a_signature_cannot_precede_the_last_opinion(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)

    error = refusal(
        lifecycle.record_signature,
        by=world.dreets,
        contract=contract,
        party=party(contract, "SPSTI-A"),
        signed_on=ARS_OPINION - dt.timedelta(days=1),
        signatory_title="Directeur",
    )

    assert error.rule == "R4" and error.field == "signed_on"
    assert "02/04/2024" in error.message
    assert contract_state(contract) == before


def test_a_signature_states_the_signatory_title_and_a_party_signs_once(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)
    error = refusal(
        lifecycle.record_signature,
        by=world.dreets,
        contract=contract,
        party=party(contract, "SPSTI-A"),
        signed_on=LAST_SIGNATURE,
        signatory_title="  ",
    )
    assert error.field == "signatory_title"
    assert contract_state(contract) == before

    sign(world.dreets, contract, "SPSTI-A")
    before = contract_state(contract)
    refusal(
        lifecycle.record_signature,
        by=world.dreets,
        contract=contract,
        party=party(contract, "SPSTI-A"),
        signed_on=LAST_SIGNATURE,
        signatory_title="Directeur",
    )
    assert contract_state(contract) == before


def test_the_contract_enters_into_force_at_the_last_signature_and_ends_at_its_planned_end(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))

    sign(world.dreets, contract, "ETAT-53", on=dt.date(2024, 4, 20), title="Directeur régional")
    sign(world.caisse, contract, "CARSAT-BR", on=dt.date(2024, 5, 2), title="Directrice")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.READY  # the service has not signed yet
    assert contract.start is None and not contract.versions.filter(status=VersionStatus.SIGNED).exists()

    sign(world.dreets, contract, "SPSTI-A", on=dt.date(2024, 4, 25), title="Président")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE
    assert contract.start == dt.date(2024, 5, 2)  # the last signature, whatever the order of recording
    assert contract.end == PLANNED_END == contract.planned_end
    version = ContractVersion.objects.get(contract=contract)
    assert version.number == 1 and version.effective_on == dt.date(2024, 5, 2)
    # The signed text: who signed and when is the signature, not the text (its hash covers the text only).
    assert version.snapshot["dates"] == {"fin": "31/12/2026"}
    assert version.snapshot["parties"]["Carsat Bretagne"] == {"qualité": "Caisse régionale"}
    assert version.content_sha256 == versions.content_hash(version.snapshot)
    assert version.snapshot["cellule PDP"] == {"composition minimale": PDP_CELL}


# --- editing a signed contract and amendments (R2, R3, R7) ------------------------------------------------------


def test_the_action_sheets_of_a_signed_contract_change_only_through_an_amendment_r7(world):
    contract = signed_contract(world)
    before = contract_state(contract)

    error = refusal(
        services.save_action,
        by=world.dreets,
        axis=axis(contract, AxisKind.PREVENTION),
        data=services.ActionData(title="Risques psychosociaux", theme=theme("RPS")),
    )

    assert_names_rule(error, "R7")
    assert "avenant" in error.message
    assert contract_state(contract) == before


def test_the_general_terms_of_a_signed_contract_change_only_through_an_amendment_r7(world):
    contract = signed_contract(world)
    before = contract_state(contract)

    error = refusal(
        services.update_general_terms,
        by=world.dreets,
        contract=contract,
        terms=services.GeneralTerms(
            title="Nouveau titre",
            context="",
            general_objectives="",
            pdp_cell_composition=PDP_CELL,
            planned_end=None,
            signature_place="Rennes",
        ),
        on=dt.date(2024, 9, 1),
    )

    assert_names_rule(error, "R7")
    assert contract_state(contract) == before


def test_with_an_open_amendment_the_action_sheets_of_a_signed_contract_may_change(world):
    contract = signed_contract(world)
    lifecycle.open_amendment(
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.CHANGE,
        summary="Ajout d'une action sur les risques psychosociaux",
        on=dt.date(2024, 9, 1),
    )

    add_action(world.dreets, contract, AxisKind.PREVENTION, "RPS", "Prévenir les RPS")

    # The change is made on the amendment's proposed text; the text in force stays as signed (R7).
    proposed = lifecycle.editable_version(contract)
    assert proposed.axes.get(kind=AxisKind.PREVENTION).actions.filter(theme_id="RPS").exists()
    assert not contract.axes.get(kind=AxisKind.PREVENTION).actions.filter(theme_id="RPS").exists()
    assert prevention_rows("RPS") <= set(proposed.indicators.values_list("indicator_id", "theme_id"))


def test_with_an_open_amendment_the_general_terms_of_a_signed_contract_may_change_and_keep_the_planned_end(world):
    contract = signed_contract(world)
    lifecycle.open_amendment(
        by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary="Cellule PDP", on=dt.date(2024, 9, 1)
    )
    contract.refresh_from_db()

    services.update_general_terms(
        by=world.dreets,
        contract=contract,
        terms=services.GeneralTerms(
            title=contract.title,
            context=contract.context,
            general_objectives=contract.general_objectives,
            pdp_cell_composition="Un médecin, deux infirmiers, une assistante sociale.",
            planned_end=contract.planned_end,  # what the page sends back: the field prefilled with the stored value
            signature_place=contract.signature_place,
        ),
        on=dt.date(2024, 9, 2),
    )

    contract.refresh_from_db()
    assert (
        lifecycle.editable_version(contract).pdp_cell_composition
        == "Un médecin, deux infirmiers, une assistante sociale."
    )
    assert contract.pdp_cell_composition == PDP_CELL  # in force until every party signs the amendment (R7)
    assert contract.planned_end == PLANNED_END


def test_the_planned_end_of_a_draft_cannot_pass_the_approval_end_r3_nor_five_years_r2(world):
    contract = draft(world.dreets, world.service)
    before = contract_state(contract)

    error = refusal(set_terms, by=world.dreets, contract=contract, planned_end=APPROVAL_END + dt.timedelta(days=1))
    assert_names_rule(error, "R3")
    assert contract_state(contract) == before

    error = refusal(set_terms, by=world.dreets, contract=contract, planned_end=dt.date(2029, 2, 1))
    assert_names_rule(error, "R2")
    assert contract_state(contract) == before


def test_a_draft_cannot_be_amended_r7(world):
    contract = complete_draft(world)
    before = contract_state(contract)

    error = refusal(
        lifecycle.open_amendment,
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.CHANGE,
        summary="Modification",
        on=dt.date(2024, 2, 1),
    )

    assert_names_rule(error, "R7")
    assert contract_state(contract) == before


def test_only_one_amendment_is_open_at_a_time_r7(world):
    contract = signed_contract(world)
    lifecycle.open_amendment(
        by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary="Premier", on=dt.date(2024, 9, 1)
    )
    before = contract_state(contract)

    error = refusal(
        lifecycle.open_amendment,
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.EXTENSION,
        summary="Second",
        new_end=dt.date(2027, 6, 30),
        on=dt.date(2024, 9, 2),
    )

    assert error.rule == "R7"
    assert "déjà en cours" in error.message
    assert contract_state(contract) == before


def test_an_extension_cannot_take_the_contract_beyond_five_years_from_its_start_r2(world):
    contract = signed_contract(world)
    before = contract_state(contract)

    error = refusal(
        lifecycle.open_amendment,
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.EXTENSION,
        summary="Prolongation",
        new_end=dt.date(2029, 5, 2),  # the 5th anniversary of 02/05/2024: one day too many
        on=dt.date(2026, 6, 1),
    )

    assert_names_rule(error, "R2")
    assert "01/05/2029" in error.message
    assert contract_state(contract) == before


def test_an_extension_may_reach_the_eve_of_the_fifth_anniversary_once_the_approval_is_renewed(world):
    contract = signed_contract(world)
    add_approval(world.service, dt.date(2025, 1, 1), dt.date(2029, 12, 31), zones=["35"])  # renewal

    amendment = lifecycle.open_amendment(
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.EXTENSION,
        summary="Prolongation jusqu'au terme des 5 ans",
        new_end=dt.date(2029, 5, 1),
        on=dt.date(2026, 6, 1),
    )

    assert amendment.new_end == dt.date(2029, 5, 1)


def test_an_extension_cannot_take_the_contract_beyond_the_approval_end_r3(world):
    contract = signed_contract(world)
    before = contract_state(contract)

    error = refusal(
        lifecycle.open_amendment,
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.EXTENSION,
        summary="Prolongation",
        new_end=APPROVAL_END + dt.timedelta(days=1),
        on=dt.date(2026, 6, 1),
    )

    assert_names_rule(error, "R3")
    assert contract_state(contract) == before


def test_an_extension_states_a_later_end(world):
    contract = signed_contract(world)
    before = contract_state(contract)
    for new_end in (None, PLANNED_END):
        error = refusal(
            lifecycle.open_amendment,
            by=world.dreets,
            contract=contract,
            kind=AmendmentKind.EXTENSION,
            summary="Prolongation",
            new_end=new_end,
            on=dt.date(2026, 6, 1),
        )
        assert error.field == "new_end"
        assert contract_state(contract) == before


def test_an_extension_applies_only_once_every_party_has_signed_it_r7(world):
    contract = signed_contract(world)
    amendment = lifecycle.open_amendment(
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.EXTENSION,
        summary="Prolongation de six mois",
        new_end=dt.date(2027, 6, 30),
        on=dt.date(2026, 6, 1),
    )
    parties = list(contract.parties.order_by("pk"))

    for signatory in parties[:-1]:
        lifecycle.sign_amendment(
            by=own_account(signatory),
            amendment=amendment,
            party=signatory,
            signed_on=dt.date(2026, 6, 10),
            signatory_title="D",
        )
        contract.refresh_from_db()
        amendment.refresh_from_db()
        assert contract.end == PLANNED_END
        assert amendment.status == AmendmentStatus.OPEN
        assert contract.versions.filter(status=VersionStatus.SIGNED).count() == 1

    lifecycle.sign_amendment(
        by=world.caisse, amendment=amendment, party=parties[-1], signed_on=dt.date(2026, 6, 20), signatory_title="D"
    )

    contract.refresh_from_db()
    amendment.refresh_from_db()
    assert contract.end == dt.date(2027, 6, 30)
    assert contract.status == ContractStatus.IN_FORCE and contract.start == LAST_SIGNATURE
    assert (amendment.status, amendment.applied_on) == (AmendmentStatus.APPLIED, dt.date(2026, 6, 20))
    first, second = contract.versions.order_by("number")
    assert second.number == 2 and second.effective_on == dt.date(2026, 6, 20)
    assert (first.superseded_on, second.status) == (dt.date(2026, 6, 20), VersionStatus.SIGNED)
    assert "Avenant n° 1" in second.label
    changes = versions.diff(first.snapshot, second.snapshot)
    assert [(c.section, c.item, c.before, c.after) for c in changes] == [("dates", "fin", "31/12/2026", "30/06/2027")]


def test_a_party_signs_an_amendment_once_and_not_before_it_was_opened(world):
    contract = signed_contract(world)
    amendment = lifecycle.open_amendment(
        by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary="Modification", on=dt.date(2026, 6, 1)
    )
    state = party(contract, "SPSTI-A")
    before = contract_state(contract)
    error = refusal(
        lifecycle.sign_amendment,
        by=world.dreets,
        amendment=amendment,
        party=state,
        signed_on=dt.date(2026, 5, 31),
        signatory_title="Directeur",
    )
    assert error.field == "signed_on"
    assert contract_state(contract) == before

    lifecycle.sign_amendment(
        by=world.referent, amendment=amendment, party=state, signed_on=dt.date(2026, 6, 2), signatory_title="Directeur"
    )
    before = contract_state(contract)
    refusal(
        lifecycle.sign_amendment,
        by=world.dreets,
        amendment=amendment,
        party=state,
        signed_on=dt.date(2026, 6, 3),
        signatory_title="Directeur",
    )
    assert contract_state(contract) == before


def test_the_last_signature_of_an_extension_is_refused_if_the_approval_no_longer_covers_it_r3(world):
    contract = signed_contract(world)
    amendment = lifecycle.open_amendment(
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.EXTENSION,
        summary="Prolongation",
        new_end=dt.date(2027, 6, 30),
        on=dt.date(2026, 6, 1),
    )
    parties = list(contract.parties.order_by("pk"))
    for signatory in parties[:-1]:
        lifecycle.sign_amendment(
            by=own_account(signatory),
            amendment=amendment,
            party=signatory,
            signed_on=dt.date(2026, 6, 10),
            signatory_title="D",
        )
    Approval.objects.filter(spsti=world.service).update(end=dt.date(2027, 3, 31))  # the approval was cut short
    before = contract_state(contract)

    error = refusal(
        lifecycle.sign_amendment,
        by=world.dreets,
        amendment=amendment,
        party=parties[-1],
        signed_on=dt.date(2026, 6, 20),
        signatory_title="D",
    )

    assert_names_rule(error, "R3")
    assert contract_state(contract) == before


def test_once_the_amendment_is_applied_the_contract_is_locked_again_r7(world):
    contract = signed_contract(world)
    amendment = lifecycle.open_amendment(
        by=world.dreets, contract=contract, kind=AmendmentKind.CHANGE, summary="Modification", on=dt.date(2026, 6, 1)
    )
    add_action(world.dreets, contract, AxisKind.PREVENTION, "RPS")
    sign_amendment_by_all(world.dreets, amendment, dt.date(2026, 6, 10))
    before = contract_state(contract)

    error = refusal(
        services.save_action,
        by=world.dreets,
        axis=axis(contract, AxisKind.PREVENTION),
        data=services.ActionData(title="Chutes", theme=theme("CHUTES")),
    )

    assert_names_rule(error, "R7")
    assert contract_state(contract) == before
    first, second = contract.versions.order_by("number")
    assert "Action 2.2" not in first.snapshot["axes et actions"]
    assert second.snapshot["axes et actions"]["Action 2.2"]["thématique"] == "Risques psychosociaux"


# --- termination (R8) -------------------------------------------------------------------------------------------


def terminate(world, contract, **overrides):
    arguments = {
        "by": world.dreets,
        "contract": contract,
        "party": party(contract, "SPSTI-A"),
        "notified_on": dt.date(2025, 3, 1),
        "effective_on": dt.date(2025, 6, 1),
        "reason": "Fusion du service avec un service voisin, après tentative de conciliation.",
        "registered_letter_reference": "1A 234 567 8901 2",
    }
    return lifecycle.terminate(**(arguments | overrides))


@pytest.mark.parametrize("missing", ["reason", "registered_letter_reference"])
def test_a_termination_states_its_reason_and_the_registered_letter_r8(world, missing):
    contract = signed_contract(world)
    before = contract_state(contract)

    error = refusal(terminate, world=world, contract=contract, **{missing: "  "})

    assert_names_rule(error, "R8")
    assert error.field == missing
    assert contract_state(contract) == before


@pytest.mark.parametrize(
    ("notified_on", "effective_on"),
    [
        (dt.date(2025, 3, 1), dt.date(2025, 2, 28)),  # takes effect before it is notified
        (dt.date(2025, 3, 1), PLANNED_END + dt.timedelta(days=1)),  # after the contract's end
        (dt.date(2024, 4, 1), LAST_SIGNATURE - dt.timedelta(days=1)),  # before the contract's start
    ],
)
def test_a_termination_takes_effect_during_the_contract_and_not_before_its_notification(
    world, notified_on, effective_on
):
    contract = signed_contract(world)
    before = contract_state(contract)

    error = refusal(terminate, world=world, contract=contract, notified_on=notified_on, effective_on=effective_on)

    assert error.field == "effective_on"
    assert contract_state(contract) == before


def test_a_termination_ends_the_contract_on_its_effective_date_and_records_a_version(world):
    contract = signed_contract(world)

    termination = terminate(world, contract)

    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert contract.start == LAST_SIGNATURE and contract.end == dt.date(2025, 6, 1)
    assert termination.party == party(contract, "SPSTI-A")
    assert termination.registered_letter_reference == "1A 234 567 8901 2"
    assert termination.notified_on == dt.date(2025, 3, 1)
    # A termination changes no text: the version in force stays the last one signed.
    assert list(contract.versions.values_list("number", "status")) == [(1, VersionStatus.SIGNED)]


def test_only_a_contract_in_force_can_be_terminated_r8(world):
    contract = complete_draft(world)
    before = contract_state(contract)
    error = refusal(terminate, world=world, contract=contract)
    assert_names_rule(error, "R8")
    assert contract_state(contract) == before

    contract = signed_contract(world)
    terminate(world, contract)
    before = contract_state(contract)
    error = refusal(terminate, world=world, contract=contract, effective_on=dt.date(2025, 5, 1))
    assert_names_rule(error, "R8")
    assert contract_state(contract) == before
    assert Termination.objects.filter(contract=contract).count() == 1


def test_a_termination_on_the_day_the_contract_took_effect_is_refused_in_french(world):
    contract = signed_contract(world)
    before = contract_state(contract)

    error = refusal(
        terminate, world=world, contract=contract, notified_on=dt.date(2024, 4, 1), effective_on=LAST_SIGNATURE
    )

    assert error.field == "effective_on"
    assert contract_state(contract) == before


def test_an_amendment_left_open_cannot_be_applied_to_a_terminated_contract(world):
    contract = signed_contract(world)
    amendment = lifecycle.open_amendment(
        by=world.dreets,
        contract=contract,
        kind=AmendmentKind.EXTENSION,
        summary="Prolongation",
        new_end=dt.date(2027, 6, 30),
        on=dt.date(2025, 1, 10),
    )
    try:
        terminate(world, contract)
    except Exception:  # refusing the termination while an amendment is open is a correct outcome too
        return
    contract.refresh_from_db()
    before = contract_state(contract)

    with pytest.raises(DomainError):
        sign_amendment_by_all(world.dreets, amendment, dt.date(2025, 7, 1))

    assert contract_state(contract) == before
    assert contract.end == dt.date(2025, 6, 1)


# --- who may do what --------------------------------------------------------------------------------------------

NON_NEGOTIATORS = ["partner", "ars", "national", "referent", "pilot"]


@pytest.mark.parametrize("who", NON_NEGOTIATORS)
def test_roles_that_do_not_negotiate_cannot_draft_a_contract(world, who):
    error = refusal(
        lifecycle.create_draft, by=getattr(world, who), services=[world.service], generation=3, on=NEGOTIATION
    )
    assert "rôle" in error.message
    assert Contract.objects.count() == 0


@pytest.mark.parametrize("who", NON_NEGOTIATORS)
def test_roles_that_do_not_negotiate_cannot_record_a_signature(world, who):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)

    user = getattr(world, who)
    for code in ("SPSTI-A", "ETAT-53", "CARSAT-BR"):
        if party(contract, code).organisation_id == user.organisation_id:
            continue  # a service director signs for its own service (tested in test_integrity)
        refusal(
            lifecycle.record_signature,
            by=user,
            contract=contract,
            party=party(contract, code),
            signed_on=LAST_SIGNATURE,
            signatory_title="Directeur",
        )

    assert contract_state(contract) == before


@pytest.mark.parametrize("who", NON_NEGOTIATORS)
def test_roles_that_do_not_negotiate_cannot_move_a_contract_along(world, who):
    contract = complete_draft(world)
    signed = signed_contract(world)
    states = (contract_state(contract), contract_state(signed))
    by = getattr(world, who)

    refusal(lifecycle.send_for_consultation, by=by, contract=contract, on=CONSULTATION)
    refusal(lifecycle.open_amendment, by=by, contract=signed, kind=AmendmentKind.CHANGE, summary="x", on=ARS_OPINION)
    refusal(terminate, world=world, contract=signed, by=by)

    assert (contract_state(contract), contract_state(signed)) == states


def test_a_dreets_agent_of_another_region_cannot_act_on_a_bretagne_contract(world):
    other = world.dreets_other
    draft_contract = complete_draft(world)
    consulted = in_consultation(world.dreets, complete_draft(world))
    signed = signed_contract(world)
    states = [contract_state(c) for c in (draft_contract, consulted, signed)]

    attempts = [
        lambda: lifecycle.send_for_consultation(by=other, contract=draft_contract, on=CONSULTATION),
        lambda: add_action(other, draft_contract, AxisKind.PREVENTION, "RPS"),
        lambda: set_terms(other, draft_contract),
        lambda: opinion(other, consulted, ConsultedBody.CRPST, CRPST_OPINION),
        lambda: lifecycle.back_to_negotiation(by=other, contract=consulted),
        lambda: lifecycle.open_amendment(
            by=other, contract=signed, kind=AmendmentKind.CHANGE, summary="x", on=dt.date(2025, 1, 1)
        ),
        lambda: terminate(world, signed, by=other),
    ]
    for attempt in attempts:
        error = refusal(attempt)
        assert "périmètre" in error.message

    assert [contract_state(c) for c in (draft_contract, consulted, signed)] == states


def test_a_dreets_agent_of_another_region_cannot_sign_a_bretagne_contract(world):
    contract = ready(world.dreets, in_consultation(world.dreets, complete_draft(world)))
    before = contract_state(contract)
    error = refusal(
        lifecycle.record_signature,
        by=world.dreets_other,
        contract=contract,
        party=party(contract, "ETAT-53"),
        signed_on=LAST_SIGNATURE,
        signatory_title="Directeur",
    )
    assert "périmètre" in error.message
    assert contract_state(contract) == before


# --- who sees which contract ------------------------------------------------------------------------------------


@pytest.fixture
def landscape(world):
    """Contracts across three regions: Bretagne (draft and signed for A, draft for B), a Mayenne service whose
    approval zone reaches Ille-et-Vilaine (so Carsat Bretagne is a party), a Loire-Atlantique one, and Paris."""
    finistere = make_service("SPSTI-B", "Santé Travail Finistère", headquarters="29")
    mayenne = make_service("SPSTI-M", "Santé Travail Mayenne", headquarters="53", departments=["53", "35"])
    nantes = make_service("SPSTI-N", "Santé Travail Nantes", headquarters="44")
    paris = make_service("SPSTI-P", "Santé Travail Paris", headquarters="75")
    dreets_pl = make_user("agent@dreets-pdl.test", Role.DREETS_AGENT, "ETAT-52")
    contracts = {
        "draft_a": draft(world.dreets, world.service),
        "signed_a": signed_contract(world),
        "draft_b": draft(world.dreets, finistere),
        "draft_m": draft(dreets_pl, mayenne),
        "draft_n": draft(dreets_pl, nantes),
        "signed_p": signed_by(world.dreets_other, paris),
    }
    assert ("CARSAT-BR", PartyRole.CAISSE) in parties_of(contracts["draft_m"])
    return contracts


def signed_by(by, spsti):
    return sign_all(by, ready(by, in_consultation(by, complete(by, draft(by, spsti)))))


VISIBLE = {
    "dreets": {"draft_a", "signed_a", "draft_b"},
    "dreets_other": {"signed_p"},
    "caisse": {"draft_a", "signed_a", "draft_b", "draft_m"},
    "referent": {"draft_a", "signed_a"},
    "ars": {"signed_a"},  # contracts sent for its opinion and beyond, not drafts in negotiation
    "pilot": {"draft_a", "signed_a", "draft_b"},
    "partner": {"signed_a"},
    "national": {"draft_a", "signed_a", "draft_b", "draft_m", "draft_n", "signed_p"},
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_sees_only_the_contracts_of_its_scope(world, landscape, who):
    names = {contract.pk: name for name, contract in landscape.items()}
    visible = Contract.objects.visible_to(getattr(world, who))
    assert {names[pk] for pk in visible.values_list("pk", flat=True)} == VISIBLE[who]


def test_a_national_social_partner_sees_the_signed_contracts_of_every_region(world, landscape):
    cnpst = make_user("membre@cnpst.test", Role.SOCIAL_PARTNER, "CNPST")
    visible = set(Contract.objects.visible_to(cnpst).values_list("pk", flat=True))
    assert visible == {landscape["signed_a"].pk, landscape["signed_p"].pk}


def test_an_anonymous_visitor_sees_no_contract(world, landscape):
    from django.contrib.auth.models import AnonymousUser

    assert not Contract.objects.visible_to(AnonymousUser()).exists()
    assert not Contract.objects.visible_to(None).exists()


def test_a_caisse_agent_acts_on_a_contract_it_is_party_to_outside_its_region_but_not_on_others(world, landscape):
    lifecycle.check_editable(by=world.caisse, contract=landscape["draft_m"])
    before = contract_state(landscape["draft_n"])
    error = refusal(lifecycle.check_editable, by=world.caisse, contract=landscape["draft_n"])
    assert "périmètre" in error.message
    error = refusal(add_action, by=world.caisse, contract=landscape["draft_n"], kind=AxisKind.PDP, theme_code="PDP")
    assert "périmètre" in error.message
    assert contract_state(landscape["draft_n"]) == before
    assert organisation("CARSAT-BR") not in [p.organisation for p in landscape["draft_n"].parties.all()]
