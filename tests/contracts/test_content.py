"""The content of a contract: annexed conventions (R10), indicators and targets (R13), commitments, comments.
Each edit goes through the guard of R7; each refusal leaves the contract as it was."""

import datetime as dt

import pytest

from cpom.accounts.enums import Role
from cpom.contracts import lifecycle, services
from cpom.contracts.enums import AmendmentKind, AxisKind, ContractStatus, PartyRole
from cpom.contracts.models import Commitment, CommitmentTemplate, ContractComment, ContractIndicator
from cpom.indicators.enums import IndicatorLevel, IndicatorScope, ValueType
from cpom.indicators.models import Indicator

from .builders import (
    NEGOTIATION,
    add_action,
    assert_names_rule,
    build_world,
    complete_draft,
    contract_state,
    draft,
    in_consultation,
    make_service,
    make_user,
    organisation,
    ready,
    refusal,
    signed_contract,
    theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference):
    return build_world()


@pytest.fixture
def contract(world):
    """A complete third-generation draft for service A, planned to end on 31/12/2026."""
    return complete_draft(world)


def row(contract, code, theme_code=None):
    return contract.indicators.get(indicator_id=code, theme_id=theme_code)


def targets(contract_indicator) -> dict[int, str]:
    return dict(contract_indicator.targets.values_list("year", "value"))


# --- bilateral conventions (R10) --------------------------------------------------------------------------------


def test_a_bilateral_convention_with_a_caisse_party_to_the_contract_is_annexed(world, contract):
    convention = services.add_convention(
        by=world.caisse,
        contract=contract,
        caisse=organisation("CARSAT-BR"),
        title="  Convention TMS Pros  ",
        reference=" CONV-2023-12 ",
        signed_on=dt.date(2023, 11, 15),
    )

    assert (convention.title, convention.reference, convention.signed_on) == (
        "Convention TMS Pros",
        "CONV-2023-12",
        dt.date(2023, 11, 15),
    )
    assert list(contract.conventions.values_list("caisse__code", flat=True)) == ["CARSAT-BR"]


@pytest.mark.parametrize("code", ["CARSAT-PL", "ETAT-53"])
def test_a_convention_with_an_organisation_that_is_not_a_caisse_party_to_the_contract_is_refused_r10(
    world, contract, code
):
    before = contract_state(contract)

    error = refusal(
        services.add_convention, by=world.dreets, contract=contract, caisse=organisation(code), title="Convention"
    )

    assert "R10" in error.message
    assert error.field == "caisse"
    assert contract_state(contract) == before


def test_the_refusal_of_a_convention_is_tagged_with_rule_r10(world, contract):
    error = refusal(
        services.add_convention, by=world.dreets, contract=contract, caisse=organisation("CARSAT-PL"), title="C"
    )
    assert_names_rule(error, "R10")


def test_a_convention_states_its_object(world, contract):
    before = contract_state(contract)
    error = refusal(
        services.add_convention, by=world.dreets, contract=contract, caisse=organisation("CARSAT-BR"), title=" "
    )
    assert error.field == "title"
    assert contract_state(contract) == before


def test_a_convention_is_not_added_to_a_signed_contract_without_an_amendment_r7(world):
    signed = signed_contract(world)
    before = contract_state(signed)

    error = refusal(
        services.add_convention, by=world.caisse, contract=signed, caisse=organisation("CARSAT-BR"), title="Convention"
    )

    assert_names_rule(error, "R7")
    assert contract_state(signed) == before


# --- targets (R13) ----------------------------------------------------------------------------------------------


def test_yearly_targets_are_stored_and_an_empty_value_removes_one(world, contract):
    accompanied = row(contract, "PDP_SALARIES_ACCOMPAGNES", "PDP")
    version = contract.version

    services.set_targets(by=world.dreets, row=accompanied, targets={2024: "40", 2025: "1\u202f200", 2026: " 80 "})
    assert targets(accompanied) == {2024: "40", 2025: "1200", 2026: "80"}

    services.set_targets(by=world.dreets, row=accompanied, targets={2025: ""})
    assert targets(accompanied) == {2024: "40", 2026: "80"}
    contract.refresh_from_db()
    assert contract.version == version + 2


@pytest.mark.parametrize("value", ["12,5", "douze", "-3", "1e3"])
def test_a_target_of_an_integer_indicator_is_a_whole_number(world, contract, value):
    accompanied = row(contract, "PDP_SALARIES_ACCOMPAGNES", "PDP")
    services.set_targets(by=world.dreets, row=accompanied, targets={2024: "40"})
    before = contract_state(contract)

    # All or nothing: the valid 2025 target is not stored either.
    error = refusal(services.set_targets, by=world.dreets, row=accompanied, targets={2025: "50", 2026: value})

    assert error.field == "cible_2026"
    assert "nombre entier" in error.message and "salariés accompagnés" in error.message
    assert contract_state(contract) == before
    assert targets(accompanied) == {2024: "40"}


def test_a_text_indicator_takes_a_free_target(world, contract):
    comment = row(contract, "COMMENTAIRE", "PDP")
    services.set_targets(by=world.dreets, row=comment, targets={2025: "Charte PDP signée"})
    assert targets(comment) == {2025: "Charte PDP signée"}


@pytest.mark.parametrize("year", [2023, 2027])
def test_a_target_is_set_for_a_year_of_the_contract_only(world, contract, year):
    # Negotiation opened in 2024, planned end 31/12/2026.
    accompanied = row(contract, "PDP_SALARIES_ACCOMPAGNES", "PDP")
    before = contract_state(contract)

    error = refusal(services.set_targets, by=world.dreets, row=accompanied, targets={year: "10"})

    assert error.field == f"cible_{year}"
    assert "2024–2026" in error.message
    assert contract_state(contract) == before


def test_the_targets_of_a_signed_contract_change_only_through_an_amendment_r7(world):
    signed = signed_contract(world)
    before = contract_state(signed)

    error = refusal(
        services.set_targets, by=world.dreets, row=row(signed, "PDP_SALARIES_ACCOMPAGNES", "PDP"), targets={2025: "9"}
    )

    assert_names_rule(error, "R7")
    assert contract_state(signed) == before


# --- contract-specific indicators (R13) -------------------------------------------------------------------------


def test_a_specific_indicator_joins_the_catalogue_under_the_contract_with_its_level(world, contract):
    prevention = contract.axes.get(kind=AxisKind.PREVENTION).actions.get()

    first = services.add_specific_indicator(
        by=world.dreets,
        contract=contract,
        label="  Nombre de diagnostics ergonomiques réalisés  ",
        level=IndicatorLevel.INTERMEDIATE,
        theme=theme("TMS"),
        action=prevention,
    )
    second = services.add_specific_indicator(
        by=world.caisse, contract=contract, label="Date du séminaire annuel", value_type=ValueType.DATE
    )

    indicator = first.indicator
    assert indicator.code == f"{contract.reference}-01"
    assert indicator.scope == IndicatorScope.CONTRACT
    assert indicator.level == IndicatorLevel.INTERMEDIATE
    assert indicator.label == "Nombre de diagnostics ergonomiques réalisés"
    assert (indicator.value_type, indicator.rule) == (ValueType.INTEGER, ">= 0")
    assert list(indicator.themes.values_list("code", flat=True)) == ["TMS"]
    assert (first.version.contract, first.theme_id, first.action) == (contract, "TMS", prevention)
    assert second.indicator.code == f"{contract.reference}-02"
    assert (second.indicator.value_type, second.indicator.rule, second.indicator.level) == (ValueType.DATE, "", "")


def test_a_specific_indicator_stays_when_the_actions_change(world, contract):
    specific = services.add_specific_indicator(
        by=world.dreets, contract=contract, label="Diagnostics", level=IndicatorLevel.MEANS, theme=theme("TMS")
    )
    action = contract.axes.get(kind=AxisKind.PREVENTION).actions.get()

    services.save_action(
        by=world.dreets, axis=action.axis, action=action, data=services.ActionData(title="RPS", theme=theme("RPS"))
    )

    assert ContractIndicator.objects.filter(pk=specific.pk).exists()
    assert not contract.indicators.filter(theme_id="TMS").exclude(pk=specific.pk).exists()


def test_a_specific_indicator_has_a_known_level_r13(world, contract):
    before = contract_state(contract)
    indicators = Indicator.objects.count()

    error = refusal(
        services.add_specific_indicator, by=world.dreets, contract=contract, label="Diagnostics", level="excellent"
    )

    assert error.field == "level"
    assert "R13" in error.message
    assert contract_state(contract) == before
    assert Indicator.objects.count() == indicators


def test_the_refusal_of_an_unknown_level_is_tagged_with_rule_r13(world, contract):
    error = refusal(
        services.add_specific_indicator, by=world.dreets, contract=contract, label="Diagnostics", level="excellent"
    )
    assert_names_rule(error, "R13")


def test_a_specific_indicator_has_a_label_and_belongs_to_an_action_of_the_contract(world, contract):
    other = complete_draft(world)
    foreign_action = other.axes.get(kind=AxisKind.PREVENTION).actions.get()
    before = contract_state(contract)
    indicators = Indicator.objects.count()

    assert refusal(services.add_specific_indicator, by=world.dreets, contract=contract, label=" ").field == "label"
    error = refusal(
        services.add_specific_indicator, by=world.dreets, contract=contract, label="Diagnostics", action=foreign_action
    )

    assert error.field == "action"
    assert contract_state(contract) == before
    assert Indicator.objects.count() == indicators


# --- comments ---------------------------------------------------------------------------------------------------


def test_the_service_referent_comments_the_draft_of_its_own_contract(world, contract):
    comment = services.add_comment(by=world.referent, contract=contract, text="  Nous proposons deux actions TMS.  ")

    assert (comment.author, comment.text) == (world.referent, "Nous proposons deux actions TMS.")
    in_consultation(world.dreets, contract)
    services.add_comment(by=world.referent, contract=contract, text="Avis du conseil d'administration joint.")
    assert ContractComment.objects.filter(contract=contract).count() == 2


def test_the_service_referent_cannot_comment_a_contract_ready_to_sign_or_signed(world, contract):
    contract = ready(world.dreets, in_consultation(world.dreets, contract))
    signed = signed_contract(world)
    for target in (contract, signed):
        before = contract_state(target)
        error = refusal(services.add_comment, by=world.referent, contract=target, text="Une remarque tardive.")
        assert "projet de contrat" in error.message
        assert contract_state(target) == before
    assert not ContractComment.objects.exists()


def test_a_service_that_is_not_a_party_cannot_comment_the_contract(world, contract):
    finistere = make_service("SPSTI-B", "Santé Travail Finistère", headquarters="29")
    referent_b = make_user("referent@pst29.test", Role.SPSTI_REFERENT, finistere)
    before = contract_state(contract)

    error = refusal(services.add_comment, by=referent_b, contract=contract, text="Et nous ?")

    assert "périmètre" in error.message
    assert contract_state(contract) == before


@pytest.mark.parametrize("who", ["partner", "national"])
def test_roles_without_a_say_in_the_negotiation_cannot_comment(world, contract, who):
    before = contract_state(contract)
    error = refusal(services.add_comment, by=getattr(world, who), contract=contract, text="Remarque")
    assert "rôle" in error.message
    assert contract_state(contract) == before


def test_an_empty_comment_is_refused(world, contract):
    error = refusal(services.add_comment, by=world.referent, contract=contract, text="   ")
    assert error.field == "text"
    assert not ContractComment.objects.exists()


# --- commitments ------------------------------------------------------------------------------------------------


def test_commitments_taken_from_the_catalogue_are_not_duplicated(world, contract):
    catalogue = list(CommitmentTemplate.objects.all())
    assert len(catalogue) > 10

    added = services.add_commitments_from_catalogue(by=world.dreets, contract=contract, templates=catalogue)
    assert added == len(catalogue)
    commitments = list(contract.commitments.values_list("party_role", "category", "text"))
    assert sorted(commitments) == sorted((t.party_role, t.category, t.text) for t in catalogue)

    again = services.add_commitments_from_catalogue(by=world.caisse, contract=contract, templates=catalogue[:5])
    assert again == 0
    assert contract.commitments.count() == len(catalogue)


def test_commitments_from_the_catalogue_come_after_those_already_written(world, contract):
    own = services.save_commitment(
        by=world.dreets,
        contract=contract,
        party_role=PartyRole.SPSTI,
        category="general",
        text="Présenter le bilan au conseil d'administration.",
    )
    templates = list(CommitmentTemplate.objects.filter(party_role=PartyRole.CAISSE)[:2])

    services.add_commitments_from_catalogue(by=world.dreets, contract=contract, templates=templates)

    positions = dict(Commitment.objects.filter(version__contract=contract).values_list("text", "position"))
    assert positions[own.text] == 1
    assert sorted(positions[t.text] for t in templates) == [2, 3]


def test_commitments_of_a_signed_contract_change_only_through_an_amendment_r7(world):
    signed = signed_contract(world)
    before = contract_state(signed)

    error = refusal(
        services.add_commitments_from_catalogue,
        by=world.dreets,
        contract=signed,
        templates=list(CommitmentTemplate.objects.all()),
    )

    assert_names_rule(error, "R7")
    assert contract_state(signed) == before

    lifecycle.open_amendment(
        by=world.dreets, contract=signed, kind=AmendmentKind.CHANGE, summary="Engagements", on=dt.date(2025, 1, 6)
    )
    assert services.add_commitments_from_catalogue(
        by=world.dreets, contract=signed, templates=list(CommitmentTemplate.objects.all()[:1])
    )


# --- axes and action sheets -------------------------------------------------------------------------------------


def test_a_free_axis_is_numbered_after_the_three_axes_of_the_frame(world, contract):
    added = services.add_axis(by=world.dreets, contract=contract, title="  Communication  ")
    assert (added.number, added.kind, added.title) == (4, AxisKind.OTHER, "Communication")


def test_an_action_of_the_prevention_axis_bears_on_a_risk(world, contract):
    before = contract_state(contract)
    error = refusal(
        services.save_action,
        by=world.dreets,
        axis=contract.axes.get(kind=AxisKind.PREVENTION),
        data=services.ActionData(title="Sans thème", theme=None),
    )
    assert error.field == "theme"
    assert contract_state(contract) == before


def test_a_content_edit_outside_negotiation_is_refused_until_the_contract_goes_back_to_negotiation(world, contract):
    in_consultation(world.dreets, contract)
    before = contract_state(contract)

    error = refusal(add_action, by=world.dreets, contract=contract, kind=AxisKind.PREVENTION, theme_code="RPS")
    assert "négociation" in error.message
    assert contract_state(contract) == before

    lifecycle.back_to_negotiation(by=world.dreets, contract=contract)
    contract.refresh_from_db()
    add_action(world.dreets, contract, AxisKind.PREVENTION, "RPS")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_a_regional_draft_lists_the_actions_and_indicators_once_for_both_services(world):
    vitre = make_service("SPSTI-V", "Santé Travail Vitré", headquarters="35")
    contract = draft(world.dreets, world.service, vitre, on=NEGOTIATION)
    add_action(world.dreets, contract, AxisKind.PREVENTION, "TMS")
    rows = list(contract.indicators.values_list("indicator_id", "theme_id"))
    assert len(rows) == len(set(rows))
    assert ("ETAB_FORMES", "TMS") in rows
