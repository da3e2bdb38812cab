"""The regional frame of a contracting round, set by the regional cell's pilot of the region only: campaign,
priority themes (prevention themes, validated by the CRPST), thematic groups and their toolbox, regional
indicators. Every refusal leaves the frame as it was."""

import datetime as dt

import pytest

from cpom.accounts.enums import Role
from cpom.contracts import campaigns
from cpom.contracts.enums import AxisKind
from cpom.contracts.models import Campaign, ThematicGroup, ToolboxDocument
from cpom.indicators.enums import IndicatorLevel, IndicatorScope, ValueType
from cpom.indicators.models import Indicator
from cpom.territory.models import Region

from .builders import add_action, build_world, draft, make_service, make_user, organisation, refusal, theme

pytestmark = pytest.mark.django_db

OPENED = dt.date(2023, 9, 1)


@pytest.fixture
def world(reference):
    world = build_world()
    world.other_pilot = make_user("pilote@drieets-idf.test", Role.REGIONAL_PILOT, "ETAT-11")
    return world


@pytest.fixture
def bretagne():
    return Region.objects.get(code="53")


@pytest.fixture
def campaign(world, bretagne):
    return campaigns.open_campaign(by=world.pilot, region=bretagne, generation=3, title="CPOM 3e génération", on=OPENED)


@pytest.fixture
def group(world, campaign):
    return campaigns.add_group(
        by=world.pilot,
        campaign=campaign,
        title="Groupe TMS",
        theme=theme("TMS"),
        pilot=organisation("CARSAT-BR"),
        members=[world.service, organisation("ETAT-53")],
    )


def frame_state(campaign: Campaign) -> dict:
    """The campaign, its themes, groups and documents, re-read from the database."""
    row = Campaign.objects.get(pk=campaign.pk)
    return {
        "campaign": (row.region_id, row.generation, row.title, row.opened_on, row.crpst_validated_on),
        "themes": sorted(row.priority_themes.values_list("code", flat=True)),
        "groups": sorted(
            (
                group.title,
                group.theme_id or "",
                group.pilot_id,
                tuple(sorted(group.members.values_list("pk", flat=True))),
            )
            for group in ThematicGroup.objects.filter(campaign=row)
        ),
        "documents": sorted(
            ToolboxDocument.objects.filter(group__campaign=row).values_list("group__title", "kind", "title", "link")
        ),
        "campaigns": Campaign.objects.count(),
        "indicators": sorted(Indicator.objects.values_list("code", flat=True)),
    }


# Who is refused, and what the refusal says.
NOT_THE_PILOT = {
    "dreets": "cellule régionale",
    "caisse": "cellule régionale",
    "national": "cellule régionale",
    "partner": "cellule régionale",
    "referent": "cellule régionale",
    "other_pilot": "périmètre",
}


# --- campaign ---------------------------------------------------------------------------------------------------


def test_the_regional_pilot_opens_the_campaign_of_its_region(world, bretagne):
    campaign = campaigns.open_campaign(
        by=world.pilot, region=bretagne, generation=3, title="  CPOM 3e génération  ", on=OPENED
    )

    assert (campaign.region_id, campaign.generation, campaign.title, campaign.opened_on) == (
        "53",
        3,
        "CPOM 3e génération",
        OPENED,
    )
    assert campaign.crpst_validated_on is None and not campaign.priority_themes.exists()


@pytest.mark.parametrize("who", sorted(NOT_THE_PILOT))
def test_only_the_regional_pilot_of_the_region_opens_its_campaign(world, bretagne, who):
    error = refusal(
        campaigns.open_campaign, by=getattr(world, who), region=bretagne, generation=3, title="CPOM", on=OPENED
    )
    assert NOT_THE_PILOT[who] in error.message
    assert not Campaign.objects.exists()


def test_a_region_has_one_campaign_per_generation_counted_from_one(world, bretagne, campaign):
    before = frame_state(campaign)

    error = refusal(campaigns.open_campaign, by=world.pilot, region=bretagne, generation=3, title="Bis", on=OPENED)
    assert error.field == "generation" and "existe déjà" in error.message
    error = refusal(campaigns.open_campaign, by=world.pilot, region=bretagne, generation=0, title="Zéro", on=OPENED)
    assert error.field == "generation"
    error = refusal(campaigns.open_campaign, by=world.pilot, region=bretagne, generation=4, title="  ", on=OPENED)
    assert error.field == "title"

    assert frame_state(campaign) == before


def test_each_pilot_sees_the_campaigns_of_its_region_and_the_nation_sees_all(world, bretagne, campaign):
    paris = campaigns.open_campaign(
        by=world.other_pilot, region=Region.objects.get(code="11"), generation=3, title="CPOM IDF", on=OPENED
    )
    assert list(campaigns.campaigns_visible_to(world.pilot)) == [campaign]
    assert list(campaigns.campaigns_visible_to(world.other_pilot)) == [paris]
    assert set(campaigns.campaigns_visible_to(world.national)) == {campaign, paris}


# --- priority themes --------------------------------------------------------------------------------------------


def test_the_pilot_sets_the_priority_themes_validated_by_the_crpst(world, campaign):
    campaigns.set_priority_themes(
        by=world.pilot, campaign=campaign, themes=[theme("TMS"), theme("RPS")], crpst_validated_on=dt.date(2023, 10, 5)
    )

    campaign.refresh_from_db()
    assert sorted(campaign.priority_themes.values_list("code", flat=True)) == ["RPS", "TMS"]
    assert campaign.crpst_validated_on == dt.date(2023, 10, 5)


@pytest.mark.parametrize("code", ["PDP", "INTERCO", "MUTU"])
def test_priority_themes_are_prevention_themes(world, campaign, code):
    campaigns.set_priority_themes(by=world.pilot, campaign=campaign, themes=[theme("TMS")], crpst_validated_on=None)
    before = frame_state(campaign)

    error = refusal(
        campaigns.set_priority_themes,
        by=world.pilot,
        campaign=campaign,
        themes=[theme("RPS"), theme(code)],
        crpst_validated_on=dt.date(2023, 10, 5),
    )

    assert error.field == "themes"
    assert theme(code).label in error.message and "prévention" in error.message
    assert frame_state(campaign) == before


def test_at_least_one_priority_theme_is_retained_and_not_validated_before_the_campaign_opened(world, campaign):
    before = frame_state(campaign)

    assert (
        refusal(
            campaigns.set_priority_themes, by=world.pilot, campaign=campaign, themes=[], crpst_validated_on=None
        ).field
        == "themes"
    )
    error = refusal(
        campaigns.set_priority_themes,
        by=world.pilot,
        campaign=campaign,
        themes=[theme("TMS")],
        crpst_validated_on=OPENED - dt.timedelta(days=1),
    )
    assert "CRPST" in error.message

    assert frame_state(campaign) == before


@pytest.mark.parametrize("who", sorted(NOT_THE_PILOT))
def test_only_the_regional_pilot_of_the_region_sets_its_priority_themes(world, campaign, who):
    before = frame_state(campaign)
    error = refusal(
        campaigns.set_priority_themes,
        by=getattr(world, who),
        campaign=campaign,
        themes=[theme("TMS")],
        crpst_validated_on=None,
    )
    assert NOT_THE_PILOT[who] in error.message
    assert frame_state(campaign) == before


# --- thematic groups and their toolbox --------------------------------------------------------------------------


def test_the_pilot_forms_a_thematic_group_of_organisations_of_its_region(world, campaign, group):
    assert (group.title, group.theme_id, group.pilot.code) == ("Groupe TMS", "TMS", "CARSAT-BR")
    assert set(group.members.values_list("code", flat=True)) == {"SPSTI-A", "ETAT-53"}


def test_a_thematic_group_takes_no_member_from_another_region(world, campaign):
    paris = make_service("SPSTI-P", "Santé Travail Paris", headquarters="75")
    before = frame_state(campaign)

    for pilot, members in [(organisation("ETAT-53"), [paris]), (organisation("ETAT-11"), [world.service])]:
        error = refusal(
            campaigns.add_group,
            by=world.pilot,
            campaign=campaign,
            title="Groupe",
            theme=None,
            pilot=pilot,
            members=members,
        )
        assert error.field == "members" and "Bretagne" in error.message

    assert frame_state(campaign) == before


@pytest.mark.parametrize("who", sorted(NOT_THE_PILOT))
def test_only_the_regional_pilot_of_the_region_forms_its_groups(world, campaign, who):
    before = frame_state(campaign)
    error = refusal(
        campaigns.add_group,
        by=getattr(world, who),
        campaign=campaign,
        title="Groupe RPS",
        theme=theme("RPS"),
        pilot=organisation("ETAT-53"),
        members=[],
    )
    assert NOT_THE_PILOT[who] in error.message
    assert frame_state(campaign) == before


def test_the_pilot_adds_documents_to_the_toolbox_of_a_group(world, campaign, group):
    document = campaigns.add_document(
        by=world.pilot,
        group=group,
        kind=ToolboxDocument.Kind.METHOD,
        title=" Guide de repérage des TMS ",
        link=" https://example.org/guide-tms.pdf ",
    )
    described = campaigns.add_document(
        by=world.pilot, group=group, kind=ToolboxDocument.Kind.CALENDAR, title="Calendrier", description="Réunions"
    )

    assert (document.title, document.link) == ("Guide de repérage des TMS", "https://example.org/guide-tms.pdf")
    assert set(group.documents.all()) == {document, described}


def test_a_toolbox_document_has_a_title_and_a_link_or_a_description(world, campaign, group):
    before = frame_state(campaign)
    kind = ToolboxDocument.Kind.OTHER
    assert refusal(campaigns.add_document, by=world.pilot, group=group, kind=kind, title=" ").field == "title"
    assert refusal(campaigns.add_document, by=world.pilot, group=group, kind=kind, title="Guide").field == "link"
    assert frame_state(campaign) == before


@pytest.mark.parametrize("who", sorted(NOT_THE_PILOT))
def test_only_the_regional_pilot_of_the_region_fills_the_toolbox(world, campaign, group, who):
    before = frame_state(campaign)
    error = refusal(
        campaigns.add_document,
        by=getattr(world, who),
        group=group,
        kind=ToolboxDocument.Kind.METHOD,
        title="Guide",
        link="https://example.org/guide.pdf",
    )
    assert NOT_THE_PILOT[who] in error.message
    assert frame_state(campaign) == before


# --- regional indicators ----------------------------------------------------------------------------------------


def test_the_pilot_adds_a_regional_indicator_to_the_catalogue(world, bretagne):
    total = campaigns.add_regional_indicator(
        by=world.pilot,
        region=bretagne,
        code=" tms_diagnostics ",
        label="  Nombre de diagnostics TMS  ",
        themes=[theme("TMS"), theme("RPS")],
        level=IndicatorLevel.RESULT,
    )
    part = campaigns.add_regional_indicator(
        by=world.pilot, region=bretagne, code="TMS_DIAG_BTP", label="dont BTP", themes=[theme("TMS")], parent=total
    )

    assert (total.code, total.label, total.scope, total.region_id) == (
        "TMS_DIAGNOSTICS",
        "Nombre de diagnostics TMS",
        IndicatorScope.REGIONAL,
        "53",
    )
    assert (total.value_type, total.level, total.rule) == (ValueType.INTEGER, IndicatorLevel.RESULT, ">= 0")
    assert sorted(total.themes.values_list("code", flat=True)) == ["RPS", "TMS"]
    assert (part.parent, part.rule, part.level) == (total, "<= parent", IndicatorLevel.MEANS)


@pytest.mark.parametrize("code", ["ETAB_FORMES", "pdp_reunions", " CDPRP_REUNIONS "])
def test_a_regional_indicator_code_is_unique_in_the_catalogue(world, bretagne, code):
    before = sorted(Indicator.objects.values_list("code", "label"))

    error = refusal(
        campaigns.add_regional_indicator,
        by=world.pilot,
        region=bretagne,
        code=code,
        label="Doublon",
        themes=[theme("TMS")],
    )

    assert error.field == "code" and "déjà pris" in error.message
    assert sorted(Indicator.objects.values_list("code", "label")) == before


def test_a_regional_indicator_code_added_twice_is_refused_the_second_time(world, bretagne):
    campaigns.add_regional_indicator(by=world.pilot, region=bretagne, code="TMS_X", label="X", themes=[theme("TMS")])
    before = sorted(Indicator.objects.values_list("code", "label"))

    error = refusal(
        campaigns.add_regional_indicator,
        by=world.pilot,
        region=bretagne,
        code="tms_x",
        label="Y",
        themes=[theme("RPS")],
    )

    assert error.field == "code"
    assert sorted(Indicator.objects.values_list("code", "label")) == before
    assert Indicator.objects.get(code="TMS_X").label == "X"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"code": "TMS-DIAG"}, "code"),
        ({"code": "  "}, "code"),
        ({"label": " "}, "label"),
        ({"themes": []}, "themes"),
        ({"parent": "COMMENTAIRE"}, "parent"),
    ],
)
def test_a_regional_indicator_has_a_clean_code_a_label_themes_and_a_numeric_total(world, bretagne, arguments, field):
    before = sorted(Indicator.objects.values_list("code", flat=True))
    values = {"code": "TMS_DIAG", "label": "Diagnostics", "themes": [theme("TMS")], "parent": None} | arguments
    if isinstance(values["parent"], str):
        values["parent"] = Indicator.objects.get(code=values["parent"])

    error = refusal(campaigns.add_regional_indicator, by=world.pilot, region=bretagne, **values)

    assert error.field == field
    assert sorted(Indicator.objects.values_list("code", flat=True)) == before


@pytest.mark.parametrize("who", sorted(NOT_THE_PILOT))
def test_only_the_regional_pilot_of_the_region_adds_its_regional_indicators(world, bretagne, who):
    error = refusal(
        campaigns.add_regional_indicator,
        by=getattr(world, who),
        region=bretagne,
        code="TMS_DIAG",
        label="Diagnostics",
        themes=[theme("TMS")],
    )
    assert NOT_THE_PILOT[who] in error.message
    assert not Indicator.objects.filter(code="TMS_DIAG").exists()


def test_a_regional_indicator_reaches_the_drafts_of_its_region_only(world, bretagne):
    campaigns.add_regional_indicator(
        by=world.pilot, region=bretagne, code="TMS_DIAG", label="Diagnostics", themes=[theme("TMS")]
    )
    paris = make_service("SPSTI-P", "Santé Travail Paris", headquarters="75")
    rennes_contract = draft(world.dreets, world.service)
    paris_contract = draft(world.dreets_other, paris)

    for contract, by in ((rennes_contract, world.dreets), (paris_contract, world.dreets_other)):
        add_action(by, contract, AxisKind.PREVENTION, "TMS")

    assert rennes_contract.indicators.filter(indicator_id="TMS_DIAG", theme_id="TMS").exists()
    assert not paris_contract.indicators.filter(indicator_id="TMS_DIAG").exists()
    assert paris_contract.indicators.filter(indicator_id="ETAB_FORMES", theme_id="TMS").exists()
