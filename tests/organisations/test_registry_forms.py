"""Registering a service, editing it and recording an approval through the pages (DREETS agent): the same
rules as the import, a French message on the field, nothing written on refusal."""

import datetime as dt
import html

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cpom.core.errors import DomainError
from cpom.organisations.models import Approval, Organisation, Spsti
from cpom.organisations.services import SpstiData, approval_record, spsti_register, spsti_update

from ..conftest import assert_no_invalid_variable
from ..factories import ApprovalFactory, SpstiFactory, department, next_siret

CREATE = reverse("organisations:spsti_create")
REQUIRED = "Ce champ est obligatoire."
NOT_OFFERED = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."


def service_form(**values) -> dict:
    data = {
        "name": "Santé au travail du pays de Saint-Malo",
        "short_name": "ST Saint-Malo",
        "siret": "732 829 320 00074",
        "category": "interprofessionnel",
        "sector": "",
        "headquarters_department": "35",
        "departments": ["35", "22"],
        "city": "Saint-Malo",
        "address": "1 quai Duguay-Trouin, 35400 Saint-Malo",
        "employees_followed": "18 300",
        "member_companies": "1 200",
    }
    data.update(values)
    return data


def approval_form(**values) -> dict:
    data = {
        "start": "01/01/2025",
        "end": "31/12/2029",
        "zones": ["35"],
        "conditional": "",
        "conditions": "",
        "decision_reference": "Décision DREETS 2025-12",
    }
    data.update(values)
    return data


def _counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), Spsti.objects.count(), Approval.objects.count()


def post_refused(client, url: str, data: dict) -> dict[str, list[str]]:
    """POST, expect the form again (200) with errors, nothing written; returns the errors by field."""
    before = _counts()
    response = client.post(url, data)
    assert response.status_code == 200, response.get("Location")
    assert _counts() == before
    errors = response.context["form"].errors
    content = html.unescape(response.content.decode())
    for messages in errors.values():
        for message in messages:
            assert message in content  # shown to the user, next to its field
    assert_no_invalid_variable(response)
    return {field: list(messages) for field, messages in errors.items()}


@pytest.fixture
def agent(dreets_agent, login):
    return login(dreets_agent)


# --- Registering a service ----------------------------------------------------------------------------------


def test_a_valid_form_registers_the_service_and_shows_its_file_with_its_parties(agent):
    response = agent.post(CREATE, service_form())
    spsti = Spsti.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:spsti_detail", args=[spsti.pk])
    assert (spsti.siret, spsti.region_id, spsti.employees_followed, spsti.member_companies) == (
        "73282932000074",
        "53",
        18_300,
        1_200,
    )
    assert sorted(spsti.departments.values_list("code", flat=True)) == ["22", "35"]
    page = agent.get(response["Location"])
    content = html.unescape(page.content.decode())
    assert "Le service « Santé au travail du pays de Saint-Malo » est inscrit au registre." in content
    assert "<h1>Santé au travail du pays de Saint-Malo</h1>" in content
    assert "Le service de l'État : " in content and ">DREETS Bretagne</a>" in content
    assert "La caisse : " in content and ">Carsat Bretagne</a>" in content
    assert "Consultée avant signature (avis) : Agence régionale de santé — Bretagne." in content
    assert "Aucun agrément enregistré." in content
    assert page.context["parties"].state_office.code == "ETAT-53"


def test_the_covered_departments_default_to_the_headquarters(agent):
    agent.post(CREATE, service_form(departments=[]))
    assert list(Spsti.objects.get().departments.values_list("code", flat=True)) == ["35"]


def test_an_invalid_siret_is_refused_on_its_field(agent):
    assert post_refused(agent, CREATE, service_form(siret="732 829 320 00075")) == {
        "siret": ["Le SIRET « 73282932000075 » n'a pas une clé de contrôle valide (clé de Luhn)."]
    }
    assert post_refused(agent, CREATE, service_form(siret="7328293200")) == {
        "siret": ["Le SIRET « 7328293200 » doit compter exactement 14 chiffres."]
    }


def test_a_siret_already_registered_is_refused_on_its_field(agent, service_a):
    assert post_refused(agent, CREATE, service_form(siret=service_a.siret)) == {
        "siret": ["Un service portant ce SIRET est déjà inscrit au registre."]
    }


@pytest.mark.parametrize("code", ["99", "75"], ids=["inconnu", "autre-région"])
def test_an_unknown_department_or_one_outside_the_region_is_not_offered(agent, code):
    assert post_refused(agent, CREATE, service_form(headquarters_department=code, departments=[code])) == {
        "headquarters_department": [NOT_OFFERED],
        "departments": [f"Sélectionnez un choix valide. {code} n’en fait pas partie."],
    }


def test_a_sector_service_must_name_its_sector(agent):
    assert post_refused(agent, CREATE, service_form(category="sectoriel")) == {
        "sector": ["Un service sectoriel doit préciser son secteur."]
    }
    agent.post(CREATE, service_form(category="sectoriel", sector="BTP"))
    assert Spsti.objects.get().sector == "BTP"


def test_counts_must_be_whole_numbers_and_required_fields_filled(agent):
    errors = post_refused(agent, CREATE, service_form(employees_followed="beaucoup", member_companies="-5", name=""))
    assert errors == {
        "name": [REQUIRED],
        "employees_followed": ["« beaucoup » n'est pas un nombre entier positif ou nul."],
        "member_companies": ["« -5 » n'est pas un nombre entier positif ou nul."],
    }


# --- Editing a service --------------------------------------------------------------------------------------


def test_the_edit_form_starts_from_the_service_and_saves_the_changes(agent, service_a):
    url = reverse("organisations:spsti_update", args=[service_a.pk])
    form = agent.get(url).context["form"]
    assert form.initial["siret"] == service_a.siret
    assert form.initial["departments"] == ["35"]
    data = service_form(name="PST 35", siret=service_a.siret, departments=["35", "56"], employees_followed="20 000")
    response = agent.post(url, data)
    assert response.status_code == 302
    service_a.refresh_from_db()
    assert (service_a.name, service_a.employees_followed) == ("PST 35", 20_000)
    assert sorted(service_a.departments.values_list("code", flat=True)) == ["35", "56"]
    assert "Les modifications sont enregistrées." in agent.get(response["Location"]).content.decode()


def test_an_edit_cannot_take_the_siret_of_another_service_or_an_invalid_one(agent, service_a, service_b):
    url = reverse("organisations:spsti_update", args=[service_a.pk])
    assert post_refused(agent, url, service_form(siret=service_b.siret)) == {
        "siret": ["Un service portant ce SIRET est déjà inscrit au registre."]
    }
    assert post_refused(agent, url, service_form(siret="12345678901234"))["siret"] == [
        "Le SIRET « 12345678901234 » n'a pas une clé de contrôle valide (clé de Luhn)."
    ]
    service_a.refresh_from_db()
    assert service_a.name == "Prévention Santé Travail Ille-et-Vilaine"


def test_an_agent_cannot_move_a_service_to_another_region(agent, service_a):
    url = reverse("organisations:spsti_update", args=[service_a.pk])
    errors = post_refused(agent, url, service_form(siret=service_a.siret, headquarters_department="44"))
    assert errors["headquarters_department"] == [NOT_OFFERED]


# --- Recording an approval ----------------------------------------------------------------------------------


@pytest.fixture
def unapproved(reference):
    return SpstiFactory(name="Service sans agrément", department="35", departments=["35", "22"])


def test_a_valid_approval_is_recorded_and_shown_on_the_file(agent, unapproved):
    url = reverse("organisations:approval_create", args=[unapproved.pk])
    assert agent.get(url).context["form"].initial["zones"] == ["22", "35"]
    response = agent.post(url, approval_form(zones=["35", "22"], conditional="on", conditions="Recruter."))
    assert response.status_code == 302
    approval = unapproved.approvals.get()
    assert (approval.start, approval.end) == (dt.date(2025, 1, 1), dt.date(2029, 12, 31))
    assert (approval.conditional, approval.conditions, approval.decision_reference) == (
        True,
        "Recruter.",
        "Décision DREETS 2025-12",
    )
    assert sorted(approval.zones.values_list("code", flat=True)) == ["22", "35"]
    content = html.unescape(agent.get(response["Location"]).content.decode())
    assert "L'agrément est enregistré." in content
    assert "<td>01/01/2025</td>" in content and "<td>31/12/2029</td>" in content
    assert "<td>Oui : Recruter.</td>" in content


def test_an_approval_date_may_be_typed_in_iso_format(agent, unapproved):
    url = reverse("organisations:approval_create", args=[unapproved.pk])
    assert agent.post(url, approval_form(start="2025-01-01", end="2029-12-31")).status_code == 302


def test_an_approval_ending_before_it_starts_is_refused_on_the_end_date(agent, unapproved):
    url = reverse("organisations:approval_create", args=[unapproved.pk])
    assert post_refused(agent, url, approval_form(start="01/01/2025", end="01/01/2025")) == {
        "end": ["L'agrément ne peut pas prendre fin (01/01/2025) avant ou le jour de son début (01/01/2025)."]
    }


def test_an_approval_longer_than_five_years_is_refused_on_the_end_date(agent, unapproved):
    url = reverse("organisations:approval_create", args=[unapproved.pk])
    assert post_refused(agent, url, approval_form(start="01/01/2025", end="01/01/2030")) == {
        "end": [
            "Un agrément dure au plus 5 ans : commencé le 01/01/2025, il doit prendre fin au plus tard le 31/12/2029."
        ]
    }


def test_a_conditional_approval_must_state_its_conditions_and_cover_a_zone(agent, unapproved):
    url = reverse("organisations:approval_create", args=[unapproved.pk])
    assert post_refused(agent, url, approval_form(conditional="on", zones=[])) == {
        "zones": [REQUIRED],
        "conditions": ["Un agrément conditionnel doit énoncer ses conditions."],
    }


def test_an_impossible_date_is_refused(agent, unapproved):
    url = reverse("organisations:approval_create", args=[unapproved.pk])
    assert post_refused(agent, url, approval_form(start="31/02/2025")) == {"start": ["Saisissez une date valide."]}


def test_an_approval_overlapping_the_current_one_is_refused(agent, service_a):
    current = service_a.approvals.get()
    url = reverse("organisations:approval_create", args=[service_a.pk])
    start = current.end - dt.timedelta(days=10)
    end = start + dt.timedelta(days=700)
    errors = post_refused(agent, url, approval_form(start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}"))
    assert errors == {
        "start": [f"Cet agrément chevauche l'agrément du {current.start:%d/%m/%Y} au {current.end:%d/%m/%Y}."]
    }
    # The day after the current one ends is fine.
    next_start = current.end + dt.timedelta(days=1)
    next_end = next_start + dt.timedelta(days=365)
    response = agent.post(url, approval_form(start=f"{next_start:%d/%m/%Y}", end=f"{next_end:%d/%m/%Y}"))
    assert response.status_code == 302
    assert service_a.approvals.count() == 2


# --- The same rules, called directly (the import and the API call these functions) -------------------------


def _data(**values) -> SpstiData:
    fields = {
        "siret": next_siret(),
        "name": "Service",
        "headquarters_department": department("35"),
        "employees_followed": 1000,
        "member_companies": 100,
    }
    fields.update(values)
    return SpstiData(**fields)


@pytest.mark.parametrize("persona", ["regional_pilot", "caisse_agent", "spsti_referent", "national"])
def test_a_role_without_the_edit_permission_is_refused_by_the_service_layer(persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(DomainError, match="^Votre rôle ne permet pas de modifier le registre des services.$"):
        spsti_register(by=user, data=_data())
    assert not Spsti.objects.filter(name="Service").exists()


def test_an_agent_cannot_register_a_service_of_another_region(dreets_agent):
    with pytest.raises(DomainError) as error:
        spsti_register(by=dreets_agent, data=_data(headquarters_department=department("75")))
    assert error.value.field == "headquarters_department"
    assert error.value.message.startswith("Le département 75 — Paris n'appartient pas à votre région")


def test_an_agent_cannot_edit_or_approve_a_service_of_another_region(dreets_agent, idf_service):
    with pytest.raises(DomainError, match="n'appartient pas à votre région"):
        spsti_update(by=dreets_agent, spsti=idf_service, data=_data(headquarters_department=department("75")))
    with pytest.raises(DomainError, match="n'appartient pas à votre région"):
        approval_record(
            by=dreets_agent,
            spsti=idf_service,
            start=dt.date(2031, 1, 1),
            end=dt.date(2032, 1, 1),
            zones=[department("75")],
        )


def test_the_database_refuses_an_approval_ending_before_it_starts(service_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalFactory(spsti=service_a, start=dt.date(2040, 1, 2), end=dt.date(2040, 1, 1))


def test_approval_dates_are_dsfr_date_inputs_that_keep_what_was_typed(agent, unapproved):
    url = reverse("organisations:approval_create", args=[unapproved.pk])
    page = agent.post(url, approval_form(start="01/01/2025", end="01/01/2030")).content.decode()
    assert 'type="date"' in page and 'value="2025-01-01"' in page and 'value="2030-01-01"' in page
