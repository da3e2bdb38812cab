"""Every change of a contract and of a registry service is journaled (who, when, before → after), readable by
agents only; a contract form opened on an older version is refused with what changed meanwhile."""

import datetime as dt

import pytest
from django.urls import reverse

from cpom.contracts import lifecycle
from cpom.contracts import services as content
from cpom.contracts.models import Contract
from cpom.core.errors import DomainError
from cpom.core.models import Change, ChangeAction, SubjectKind
from cpom.organisations import services as registry
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def entries(contract: Contract) -> list[Change]:
    return list(Change.objects.filter(subject_kind=SubjectKind.CONTRACT, subject_id=contract.pk).order_by("pk"))


def terms(contract: Contract, **changes) -> content.GeneralTerms:
    values = {
        name: getattr(contract, name)
        for name in ("title", "context", "general_objectives", "pdp_cell_composition", "planned_end")
    }
    return content.GeneralTerms(**(values | {"signature_place": contract.signature_place} | changes))


def test_content_changes_are_journaled_with_author_and_before_after(services, dreets_agent):
    contract = make_draft(services["A"], dreets_agent)
    content.update_general_terms(
        by=dreets_agent, contract=contract, terms=terms(contract, title="CPOM PST 35 — 2026-2030"), on=TODAY
    )
    last = entries(contract)[-1]
    assert (last.by, last.action, last.what) == (dreets_agent, ChangeAction.UPDATED, "Dispositions générales")
    [title] = last.changes
    assert title["apres"] == "CPOM PST 35 — 2026-2030" and title["avant"] == contract.title
    assert last.subject_version == Contract.objects.get(pk=contract.pk).version


def test_a_deleted_action_keeps_its_content_in_the_journal(services, dreets_agent):
    contract = make_draft(services["A"], dreets_agent)
    action = contract.axes.get(kind="prevention").actions.get()
    content.delete_action(by=dreets_agent, action=action)
    last = entries(contract)[-1]
    assert last.action == ChangeAction.DELETED
    assert any(item["avant"] == action.title and item["apres"] == "" for item in last.changes)


def test_each_step_of_the_lifecycle_is_journaled(services, dreets_agent):
    contract = sign(make_draft(services["A"], dreets_agent), dreets_agent)
    steps = [c.what for c in entries(contract) if c.action == ChangeAction.TRANSITION]
    assert steps[0] == "Ouverture de la négociation" and "Envoi en consultation (CRPST et ARS)" in steps
    assert any(step.startswith("Avis ") for step in steps)
    assert steps[-1].endswith(": entrée en vigueur")
    [state] = [c for c in entries(contract)[-1].changes if c["champ"] == "État"]
    assert state["apres"] == "En vigueur" and state["avant"] != "En vigueur"


def test_registry_changes_are_journaled(services, dreets_agent):
    spsti = services["A"]
    data = registry.SpstiData(
        siret=spsti.siret,
        name="Prévention Santé Travail 35",
        headquarters_department=spsti.headquarters_department,
        employees_followed=spsti.employees_followed + 1000,
        member_companies=spsti.member_companies,
        departments=list(spsti.departments.all()),
        short_name=spsti.short_name,
        category=spsti.category,
        sector=spsti.sector,
        city=spsti.city,
        address=spsti.address,
    )
    before = spsti.employees_followed
    registry.spsti_update(by=dreets_agent, spsti=spsti, data=data)
    [change] = Change.objects.filter(subject_kind=SubjectKind.SERVICE, subject_id=spsti.pk)
    assert {item["champ"] for item in change.changes} == {"nom", "salariés suivis"}
    [employees] = [item for item in change.changes if item["champ"] == "salariés suivis"]
    assert (employees["avant"], employees["apres"]) == (str(before), str(before + 1000))
    assert change.by == dreets_agent


def test_the_journal_is_shown_to_agents_and_hidden_from_services(services, dreets_agent, spsti_referent, login):
    contract = make_draft(services["A"], dreets_agent)
    url = reverse("contracts:contract_detail", args=[contract.pk]) + "?onglet=historique"
    assert "Journal des modifications" in login(dreets_agent).get(url).content.decode()
    assert "Journal des modifications" not in login(spsti_referent).get(url).content.decode()
    spsti_url = reverse("organisations:spsti_detail", args=[services["A"].pk])
    assert "Historique de la fiche" in login(dreets_agent).get(spsti_url).content.decode()
    assert "Historique de la fiche" not in login(spsti_referent).get(spsti_url).content.decode()


def test_a_form_opened_on_an_older_version_is_refused_with_the_other_change(
    services, dreets_agent, login, caisse_agent
):
    contract = make_draft(services["A"], dreets_agent)
    url = reverse("contracts:general_terms", args=[contract.pk])
    client = login(dreets_agent)
    seen = Contract.objects.get(pk=contract.pk).version
    assert f'name="version" value="{seen}"' in client.get(url).content.decode()
    content.update_general_terms(
        by=dreets_agent, contract=contract, terms=terms(contract, context="Contexte A"), on=TODAY
    )
    form = {
        "title": "Mon intitulé",
        "context": "Contexte B",
        "general_objectives": "",
        "pdp_cell_composition": "",
        "planned_end": "",
        "signature_place": "",
        "version": str(seen),
    }
    page = client.post(url, form)
    text = page.content.decode()
    assert page.status_code == 200 and "modifié depuis que vous avez ouvert cette page" in text
    assert "« Contexte A »" in text, "the other writer's change is named"
    assert Contract.objects.get(pk=contract.pk).context == "Contexte A", "nothing overwritten"
    current = Contract.objects.get(pk=contract.pk).version
    assert f'name="version" value="{current}"' in text, "the form now carries the current version"
    assert client.post(url, form | {"version": str(current)}).status_code == 302
    assert Contract.objects.get(pk=contract.pk).context == "Contexte B"


def test_a_stale_delete_is_refused(services, dreets_agent, login):
    contract = make_draft(services["A"], dreets_agent)
    action = contract.axes.get(kind="prevention").actions.get()
    seen = Contract.objects.get(pk=contract.pk).version
    content.update_general_terms(by=dreets_agent, contract=contract, terms=terms(contract, context="X"), on=TODAY)
    url = reverse("contracts:action_delete", args=[contract.pk, action.pk])
    login(dreets_agent).post(url, {"version": str(seen)})
    assert contract.axes.get(kind="prevention").actions.filter(pk=action.pk).exists()
    with pytest.raises(DomainError, match="ne dit pas quelle version"):
        lifecycle.check_version(contract, None)  # a form that does not say which version it changes
