"""Report pages: the list of expected reports, the form derived from the contract, review, value history."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpom.contracts import lifecycle
from cpom.contracts import services as contract_services
from cpom.contracts.enums import AxisKind
from cpom.indicators.models import Theme
from cpom.reports.enums import ReportStatus
from cpom.reports.expected import ensure_reports
from cpom.reports.layout import report_layout
from cpom.reports.models import Report
from cpom.reports.services import current_values, save_values
from tests.conftest import assert_no_invalid_variable
from tests.contracts.builders import sign_amendment_by_all
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def report(services, dreets_agent):
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    return Report.objects.get()


def form_url(report):
    return reverse("reports:report_detail", args=[report.pk])


def test_the_service_lists_and_fills_its_report_then_submits_it(report, spsti_referent, login):
    client = login(spsti_referent)
    listing = client.get(reverse("reports:report_list") + f"?annee={YEAR}").content.decode()
    assert "Non commencé" in listing
    assert f"Suivi annuel {YEAR}</h1>" in listing and f'value="{YEAR}" selected' in listing, (
        "years never get a separator"
    )
    page = client.get(form_url(report))
    assert page.status_code == 200
    assert_no_invalid_variable(page)
    assert "Troubles musculo-squelettiques" in page.content.decode()
    response = client.post(
        form_url(report), {"version": "1", "ETAB_FORMES|TMS": "40", "ETAB_FORMES_COG|TMS": "12", "transmettre": "1"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("reports:report_submit", args=[report.pk])
    confirm = client.get(response["Location"]).content.decode()
    assert "cases encore vides" in confirm and "Confirmer la transmission" in confirm
    assert client.post(response["Location"]).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    receipt = client.get(reverse("reports:report_receipt", args=[report.pk])).content.decode()
    assert f"version <strong>{report.version}</strong>" in receipt and "40" in receipt
    assert current_values(report) == {"ETAB_FORMES|TMS": "40", "ETAB_FORMES_COG|TMS": "12"}
    history = client.get(reverse("reports:value_history", args=[report.pk]) + "?cle=ETAB_FORMES|TMS")
    assert "40" in history.content.decode()


def test_an_of_which_above_its_total_is_shown_on_its_cell_and_nothing_is_saved(report, spsti_referent, login):
    response = login(spsti_referent).post(
        form_url(report), {"version": "1", "ETAB_FORMES|TMS": "10", "ETAB_FORMES_COG|TMS": "12"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in content and "ne peut dépasser son total" in content
    assert "fr-input-group--error" in content
    assert current_values(report) == {}


def test_a_second_writer_gets_a_conflict_with_the_others_changes(report, spsti_referent, login):
    client = login(spsti_referent)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "7"}, version=1)
    response = client.post(form_url(report), {"version": "1", "ETAB_FORMES|TMS": "70"})
    content = response.content.decode()
    assert "Conflit de modification" in content and "« vide » → « 7 »" in content
    assert current_values(report)["ETAB_FORMES|TMS"] == "7"


def test_the_agent_returns_then_validates_and_the_report_is_locked(report, spsti_referent, dreets_agent, login):
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "7"}, version=1)
    service, agent = login(spsti_referent), login(dreets_agent)
    service.post(form_url(report), {"version": "2", "ETAB_FORMES|TMS": "7", "transmettre": "1"})
    service.post(reverse("reports:report_submit", args=[report.pk]))
    agent.post(reverse("reports:report_return", args=[report.pk]), {"comment": "Préciser le nombre COG."})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    service.post(form_url(report), {"version": str(report.version), "ETAB_FORMES|TMS": "8", "transmettre": "1"})
    service.post(reverse("reports:report_submit", args=[report.pk]))
    agent.post(reverse("reports:report_validate", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.VALIDATED
    assert service.post(form_url(report), {"version": str(report.version), "ETAB_FORMES|TMS": "9"}).status_code == 403
    assert current_values(report)["ETAB_FORMES|TMS"] == "8"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_spsti_referent", 404),
        ("dreets_agent_other_region", 404),
        ("social_partner", 403),
        ("ars_reader", 403),
        ("national", 200),
        ("caisse_agent", 200),
    ],
)
def test_a_report_opens_only_within_scope(request, report, login, persona, status):
    assert login(request.getfixturevalue(persona)).get(form_url(report)).status_code == status


def test_only_agents_review(report, spsti_referent, national, login):
    for user in (spsti_referent, national):
        assert login(user).post(reverse("reports:report_validate", args=[report.pk])).status_code == 403


def test_the_form_makes_as_many_queries_for_a_contract_with_six_themes_as_with_one(
    report, services, dreets_agent, spsti_referent, login
):
    client = login(spsti_referent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(form_url(report)).status_code == 200
        return len(context.captured_queries)

    one = queries()
    contract = report.contract
    # The contract is signed: its themes change through an amendment (R7), signed by every party early enough for
    # the report's year to follow it.
    contract.refresh_from_db()
    day = max(contract.start, timezone.localdate() - dt.timedelta(days=1))
    amendment = lifecycle.open_amendment(
        by=dreets_agent, contract=contract, kind="modification", summary="Thèmes", on=day
    )
    axis = amendment.version.axes.get(kind=AxisKind.PREVENTION)
    for code in ("RPS", "RC", "CHUTES", "RR", "CANICULE"):
        contract_services.save_action(
            by=dreets_agent,
            axis=axis,
            data=contract_services.ActionData(title=f"Action {code}", theme=Theme.objects.get(pk=code)),
        )
    sign_amendment_by_all(dreets_agent, amendment, day)
    assert len(report_layout(report).themes) == 6
    six = queries()
    print(f"\nRequêtes SQL du formulaire de rapport : {one} pour 1 thématique, {six} pour 6 thématiques")
    assert one == six


def test_every_field_of_the_report_form_has_its_own_label(report, spsti_referent, login):
    """A screen reader announces the label: three "of which" rows of one theme must not sound alike."""
    import re

    page = login(spsti_referent).get(form_url(report)).content.decode()
    labels = [
        html.unescape(text) for text in re.findall(r'<label class="fr-label fr-sr-only" for="v-[^"]+">([^<]+)', page)
    ]
    assert len(labels) > 10 and len(labels) == len(set(labels))
    assert any("(sur « " in label for label in labels)


def test_identifiers_and_versions_over_a_thousand_go_back_unchanged_in_the_form(report, spsti_referent, login):
    """Numbers are shown with a thousands separator; an action's id or a report's version sent back by the form
    must not be ("1 234" would not match action 1234 and the progress would be silently dropped)."""
    import re

    from cpom.contracts.models import Action
    from cpom.reports.models import ActionProgress

    first = Action.objects.filter(axis__version=report.contract.current_version).first()
    Action.objects.create(id=123_456, axis=first.axis, number=99, title="Action n° 123 456", theme=first.theme)
    Report.objects.filter(pk=report.pk).update(version=1_234)
    client = login(spsti_referent)
    page = client.get(form_url(report)).content.decode()
    assert 'name="avancement-123456"' in page and 'name="version" value="1234"' in page
    assert not re.search(r'name="(avancement|commentaire)-\d+\D\d', page)
    form = {"version": "1234", "ETAB_FORMES|TMS": "4", "avancement-123456": "en_cours", "commentaire-123456": "ok"}
    assert client.post(form_url(report), form).status_code == 302
    assert ActionProgress.objects.get(report=report, action_id=123_456).status == "en_cours"


def test_a_refused_save_keeps_every_progress_action_comment_and_free_comment_typed(report, spsti_referent, login):
    from cpom.reports.layout import report_layout

    actions = report_layout(report.contract).actions
    assert actions, "the contract has actions to report on"
    posted = {"version": "1", "ETAB_FORMES|TMS": "10", "ETAB_FORMES_COG|TMS": "12", "comments": "Texte libre & saisi"}
    for action in actions:
        posted[f"avancement-{action.pk}"] = "en_cours"
        posted[f"commentaire-{action.pk}"] = f"Avancé sur l'action {action.pk}"
    response = login(spsti_referent).post(form_url(report), posted)
    content = html.unescape(response.content.decode())
    assert response.status_code == 200 and "ne peut dépasser son total" in content
    for action in actions:
        assert f"Avancé sur l'action {action.pk}</textarea>" in content
    assert content.count('value="en_cours" selected') == len(actions)
    assert "Texte libre & saisi</textarea>" in content
    assert content.count("fr-alert--error") == 1, "the errors are listed once, not also as a wall of text on top"
    report.refresh_from_db()
    assert current_values(report) == {} and not report.progress.exists() and report.comments == ""


def test_each_indicator_shows_the_legend_of_the_contract_annex_next_to_its_field(report, spsti_referent, login):
    page = html.unescape(login(spsti_referent).get(form_url(report)).content.decode())
    assert "Le nombre total d'établissements formés à la thématique sur l'ensemble des actions de formation" in page
    assert "au moins une visite, mesure ou conseil personnalisé sur la thématique" in page


def test_the_report_list_sorts_by_a_column_and_pages_fifty_at_a_time(
    report, services, dreets_agent, national, login, monkeypatch
):
    from cpom.reports import views as report_views

    sign(make_draft(services["B"], dreets_agent), dreets_agent)
    ensure_reports(YEAR)
    monkeypatch.setattr(report_views, "REPORTS_PER_PAGE", 1)
    client = login(national)
    url = reverse("reports:report_list") + f"?annee={YEAR}"
    first = html.unescape(client.get(url + "&tri=service").content.decode())
    assert 'aria-sort="ascending"><a href="?annee=' in first and "tri=etat" in first and "tri=echeance" in first
    assert "2 rapports — page 1 sur 2" in first and "fr-pagination" in first and "tri=service&page=2" in first
    names = sorted([services["A"].name, services["B"].name], key=str.casefold)
    assert names[0] in first and names[1] not in first
    second = html.unescape(client.get(url + "&tri=service&page=2").content.decode())
    assert names[1] in second and names[0] not in second
    assert client.get(url + "&tri=inconnu&page=9").status_code == 200


def test_a_step_or_a_change_made_by_the_platform_never_reads_par_none(report, spsti_referent, login):
    from cpom.reports.models import ValueChange

    report.events.create(kind="transmission", by=None)
    save_values(by=spsti_referent, report=report, values={"ETAB_FORMES|TMS": "7"}, version=1)
    ValueChange.objects.update(changed_by=None)
    client = login(spsti_referent)
    form = client.get(form_url(report)).content.decode()
    history = client.get(reverse("reports:value_history", args=[report.pk]) + "?cle=ETAB_FORMES|TMS").content.decode()
    for page in (form, history):
        assert "None" not in page and "la plateforme" in page
