"""Consolidated figures against a hand-computed example (DESIGN §7).

Bretagne: services A (35) and B (29) under contract, C (56) approved without contract; Paris: one service.
A's contract retains TMS, B's TMS and RPS, Paris's TMS. Reports: A validated, B submitted, Paris validated.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpom.contracts import services as content
from cpom.contracts.enums import AxisKind
from cpom.indicators.models import Theme
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report
from cpom.reports.services import save_values, submit, validate
from cpom.steering.consolidation import NATIONAL, completeness, coverage, tableau1
from tests.contracts.test_pages import make_draft, sign
from tests.factories import ApprovalFactory, SpstiFactory

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def year_of_reports(services, dreets_agent, dreets_agent_other_region, admin):
    service_c = SpstiFactory(department="56", departments=["56"])
    ApprovalFactory(spsti=service_c)
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    draft_b = make_draft(services["B"], dreets_agent)
    content.save_action(
        by=dreets_agent,
        axis=draft_b.axes.get(kind=AxisKind.PREVENTION),
        data=content.ActionData(title="RPS", theme=Theme.objects.get(pk="RPS")),
    )
    sign(draft_b, dreets_agent)
    sign(make_draft(services["IDF"], dreets_agent_other_region), dreets_agent_other_region)
    ensure_reports(YEAR)
    reports = {r.spsti_id: r for r in Report.objects.filter(year=YEAR)}
    figures = {
        services["A"].pk: {
            "ETAB_ACCOMPAGNES|TMS": "10",
            "PDP_CELLULE_DATE|PDP": f"01/03/{YEAR}",
            "PDP_SALARIES_ACCOMPAGNES|PDP": "40",
            "PDP_SALARIES_PARCOURS|PDP": "15",
        },
        services["B"].pk: {
            "ETAB_ACCOMPAGNES|TMS": "5",
            "ETAB_ACCOMPAGNES|RPS": "7",
            "PDP_SALARIES_ACCOMPAGNES|PDP": "20",
            "PDP_SALARIES_PARCOURS|PDP": "5",
        },
        services["IDF"].pk: {
            "ETAB_ACCOMPAGNES|TMS": "100",
            "PDP_CELLULE_DATE|PDP": f"15/06/{YEAR}",
            "PDP_SALARIES_ACCOMPAGNES|PDP": "60",
            "PDP_SALARIES_PARCOURS|PDP": "30",
        },
    }
    for spsti_id, values in figures.items():
        report = reports[spsti_id]
        save_values(by=None, report=report, values=values, version=1)
        submit(by=None, report=report)
        if spsti_id != services["B"].pk:
            validate(by=admin, report=report)


def test_tableau1_counts_validated_reports_only_by_default(year_of_reports):
    figures = tableau1(YEAR)
    bretagne, paris, nation = figures["53"], figures["11"], figures[NATIONAL]
    assert (bretagne.themes["TMS"].total_services, bretagne.themes["TMS"].services_retaining_theme) == (3, 2)
    assert bretagne.themes["TMS"].establishments_supported == 10
    assert (bretagne.themes["RPS"].services_retaining_theme, bretagne.themes["RPS"].establishments_supported) == (1, 0)
    assert bretagne.themes["RC"].services_retaining_theme == 0
    assert (bretagne.services_with_pdp_cell, bretagne.employees_supported_pdp) == (1, 40)
    assert bretagne.employees_in_coordinated_pathway == 15
    assert (paris.themes["TMS"].total_services, paris.themes["TMS"].establishments_supported) == (1, 100)
    assert (nation.themes["TMS"].total_services, nation.themes["TMS"].services_retaining_theme) == (4, 3)
    assert nation.themes["TMS"].establishments_supported == 110
    assert (nation.services_with_pdp_cell, nation.employees_supported_pdp) == (2, 100)
    assert nation.employees_in_coordinated_pathway == 45


def test_the_switch_adds_submitted_reports(year_of_reports):
    figures = tableau1(YEAR, include_submitted=True)
    assert figures["53"].themes["TMS"].establishments_supported == 15
    assert figures["53"].themes["RPS"].establishments_supported == 7
    assert (figures["53"].employees_supported_pdp, figures["53"].employees_in_coordinated_pathway) == (60, 20)
    assert figures["53"].services_with_pdp_cell == 1, "B gave no PDP cell date"
    assert figures[NATIONAL].themes["TMS"].establishments_supported == 115


def test_completeness_timeliness_and_coverage(year_of_reports):
    deadline = dt.date(YEAR + 1, 6, 30)
    bretagne = completeness(YEAR, deadline=deadline, region_id="53")
    assert (bretagne.owed, bretagne.submitted_or_validated, bretagne.on_time) == (2, 2, 2)
    assert completeness(YEAR, deadline=dt.date(YEAR - 1, 1, 1)).on_time == 0
    assert coverage(YEAR) == {"53": {3: (2, 3)}, "11": {3: (1, 1)}}


def test_the_national_table_costs_the_same_queries_with_more_data(year_of_reports, services, dreets_agent):
    with CaptureQueriesContext(connection) as before:
        tableau1(YEAR)
    extra = SpstiFactory(department="22", departments=["22"])
    ApprovalFactory(spsti=extra)
    sign(make_draft(extra, dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    with CaptureQueriesContext(connection) as after:
        tableau1(YEAR)
    assert len(before.captured_queries) == len(after.captured_queries)


def test_the_service_theme_matrix_and_action_progress(year_of_reports, services, spsti_referent):
    from cpom.reports.models import ActionProgress
    from cpom.steering.consolidation import action_progress, service_theme_matrix

    matrix = {row.service: row.themes for row in service_theme_matrix(YEAR, "53")}
    assert matrix[services["A"].name] == {"TMS": 10}
    assert matrix[services["B"].name] == {"TMS": None, "RPS": None}, "B's report is only submitted"
    with_submitted = {row.service: row.themes for row in service_theme_matrix(YEAR, "53", include_submitted=True)}
    assert with_submitted[services["B"].name] == {"TMS": 5, "RPS": 7}
    report = Report.objects.get(spsti=services["A"], year=YEAR)
    action = report.contract.axes.get(kind=AxisKind.PREVENTION).actions.get()
    ActionProgress.objects.create(report=report, action=action, status="en_cours")
    assert action_progress(YEAR, "53") == {"en_cours": 1}


def test_one_region_alone_gives_the_same_figures_as_in_the_national_table(year_of_reports):
    for include_submitted in (False, True):
        national = tableau1(YEAR, include_submitted=include_submitted)
        for code in ("53", "11"):
            alone = tableau1(YEAR, include_submitted=include_submitted, region_id=code)
            assert alone[code] == national[code]
            assert alone[NATIONAL] == national[code], "the total of one region is that region"
