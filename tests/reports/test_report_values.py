"""Annual reports: owed by contracts in force, laid out from the contract, checked by the catalogue's rules,
all-or-nothing, versioned against concurrent writes, with the history of every value and a guarded workflow."""

import pytest
from django.utils import timezone

from cpom.core.errors import DomainError
from cpom.reports.enums import Channel, ReportStatus
from cpom.reports.expected import ensure_reports, owed
from cpom.reports.layout import report_layout
from cpom.reports.models import Report, ValueChange
from cpom.reports.services import (
    InvalidValues,
    StaleReport,
    current_values,
    reopen,
    reports_visible_to,
    return_for_correction,
    save_values,
    submit,
    validate,
)
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def report(services, dreets_agent):
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    assert ensure_reports(YEAR) == 1
    return Report.objects.get()


def test_a_signed_contract_owes_one_report_per_service_and_year_and_creating_them_is_idempotent(report):
    assert owed(YEAR) == [(report.contract_id, report.spsti_id)]
    assert owed(YEAR - 5) == []
    assert ensure_reports(YEAR) == 0


def test_the_form_holds_the_contracts_themes_the_six_national_rows_and_the_pdp_block(report):
    layout = report_layout(report)
    assert [theme.code for theme in layout.themes] == ["TMS"]
    assert [indicator.code for indicator, _ in layout.volet2] == [
        "ETAB_FORMES",
        "ETAB_FORMES_COG",
        "ETAB_ACCOMPAGNES",
        "ETAB_ACCOMPAGNES_COG",
        "ETAB_COMMUNICATION",
        "ETAB_COMMUNICATION_COG",
    ]
    blocks = dict(layout.blocks)
    pdp_codes = {cell.indicator.code for cell in blocks["Prévention de la désinsertion professionnelle (PDP)"]}
    assert {"PDP_CELLULE_DATE", "PDP_SALARIES_ACCOMPAGNES", "PDP_SALARIES_PARCOURS", "PDP_REUNIONS"} <= pdp_codes
    assert [a.title for a in layout.actions] == ["Cellule PDP", "Prévenir les TMS"]


def test_values_are_saved_with_their_history(report, spsti_referent):
    save_values(
        by=spsti_referent,
        report=report,
        values={"ETAB_FORMES|TMS": "1 200", "ETAB_FORMES_COG|TMS": "300", "PDP_CELLULE_DATE|PDP": "15/03/" + str(YEAR)},
        version=1,
    )
    report.refresh_from_db()
    assert report.version == 2
    assert current_values(report) == {
        "ETAB_FORMES|TMS": "1200",
        "ETAB_FORMES_COG|TMS": "300",
        "PDP_CELLULE_DATE|PDP": f"15/03/{YEAR}",
    }
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "1250"}, version=2, channel=Channel.API)
    history = list(ValueChange.objects.filter(indicator_id="ETAB_FORMES").values_list("before", "after", "channel"))
    assert history == [("", "1200", "formulaire"), ("1200", "1250", "api")]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"ETAB_FORMES|TMS": "10", "ETAB_FORMES_COG|TMS": "11"}, "ne peut dépasser son total"),
        ({"ETAB_ACCOMPAGNES|TMS": "-3"}, "n'est pas un nombre entier positif"),
        ({"PDP_CELLULE_DATE|PDP": f"02/01/{YEAR + 1}"}, f"postérieure à l'année suivie ({YEAR})"),
        ({"PDP_CELLULE_DATE|PDP": "demain"}, "n'est pas une date au format JJ/MM/AAAA"),
        ({"ETAB_FORMES|RPS": "4"}, "ne fait pas partie du rapport"),
    ],
)
def test_a_value_that_breaks_a_rule_is_refused_naming_indicator_theme_and_rule_and_nothing_is_written(
    report, spsti_referent, values, expected
):
    with pytest.raises(InvalidValues) as refusal:
        save_values(by=spsti_referent, report=report, values=values, version=1)
    assert expected in refusal.value.message
    assert not report.values.exists() and not ValueChange.objects.exists()
    report.refresh_from_db()
    assert report.version == 1


def test_the_theme_is_named_in_a_refusal(report, spsti_referent):
    with pytest.raises(InvalidValues) as refusal:
        save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "x"}, version=1)
    assert "(Troubles musculo-squelettiques)" in refusal.value.message


def test_lowering_a_total_under_its_of_which_is_refused(report, spsti_referent):
    save_values(
        by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "10", "ETAB_FORMES_COG|TMS": "8"}, version=1
    )
    with pytest.raises(InvalidValues, match="dépasse son total"):
        save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "5"}, version=2)
    assert current_values(report)["ETAB_FORMES|TMS"] == "10"


def test_a_stale_write_is_refused_with_the_other_changes_and_never_overwrites(report, spsti_referent):
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "10"}, version=1)
    with pytest.raises(StaleReport) as conflict:
        save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "99"}, version=1)
    assert "modifié par quelqu'un d'autre" in conflict.value.message
    assert [(c.before, c.after) for c in conflict.value.changes] == [("", "10")]
    assert current_values(report)["ETAB_FORMES|TMS"] == "10"


def test_the_workflow_submit_return_resubmit_validate_then_locked_and_reopened_with_a_reason(
    report, spsti_referent, dreets_agent, caisse_agent
):
    with pytest.raises(DomainError, match="vide"):
        submit(by=spsti_referent, report=report)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "10"}, version=1)
    with pytest.raises(DomainError, match="Seuls les agents"):
        validate(by=spsti_referent, report=report)
    submit(by=spsti_referent, report=report)
    with pytest.raises(DomainError, match="corriger"):
        return_for_correction(by=dreets_agent, report=report, comment=" ")
    report = return_for_correction(by=dreets_agent, report=report, comment="Le nombre formé semble faible.")
    assert report.status == ReportStatus.RETURNED
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "100"}, version=report.version)
    report = submit(by=spsti_referent, report=report)
    report = validate(by=caisse_agent, report=report)
    assert report.status == ReportStatus.VALIDATED
    with pytest.raises(DomainError, match="verrouillé"):
        save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "1"}, version=report.version)
    with pytest.raises(DomainError, match="motivée"):
        reopen(by=dreets_agent, report=report, reason="")
    report = reopen(by=dreets_agent, report=report, reason="Erreur de saisie signalée par le service.")
    assert report.status == ReportStatus.RETURNED
    assert [e.kind for e in report.events.all()] == [
        "transmission",
        "renvoi",
        "transmission",
        "validation",
        "reouverture",
    ]


def test_reports_are_visible_only_within_scope(
    report,
    spsti_referent,
    other_spsti_referent,
    dreets_agent,
    dreets_agent_other_region,
    caisse_agent,
    social_partner,
    national,
):
    assert list(reports_visible_to(spsti_referent)) == [report]
    assert list(reports_visible_to(other_spsti_referent)) == []
    assert list(reports_visible_to(dreets_agent)) == [report]
    assert list(reports_visible_to(dreets_agent_other_region)) == []
    assert list(reports_visible_to(caisse_agent)) == [report]
    assert list(reports_visible_to(social_partner)) == []
    assert list(reports_visible_to(national)) == [report]


def test_another_service_cannot_write_a_report(report, other_spsti_referent):
    with pytest.raises(DomainError, match="Seul le service concerné"):
        save_values(by=other_spsti_referent, report=report, values={"ETAB_FORMES|TMS": "1"}, version=1)


def test_only_the_dreets_reopens_a_validated_report(report, spsti_referent, caisse_agent, dreets_agent):
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "1"}, version=1)
    submit(by=spsti_referent, report=report)
    validate(by=caisse_agent, report=report)
    with pytest.raises(DomainError, match="revient à la DREETS"):
        reopen(by=caisse_agent, report=report, reason="Erreur")
    assert reopen(by=dreets_agent, report=report, reason="Erreur").status == ReportStatus.RETURNED
