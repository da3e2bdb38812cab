"""Every page of the registry is scoped (DESIGN §2): a row outside the user's scope answers 404, an action the
role does not grant answers 403, an anonymous visitor is sent to the login page."""

import html
from dataclasses import dataclass

import pytest
from django.urls import reverse

from cpom.accounts.enums import Role
from cpom.core.permissions import Perm
from cpom.core.scope import Scope, ScopeKind
from cpom.organisations.models import Organisation, Spsti

from ..conftest import PERSONAS, assert_no_invalid_variable
from ..factories import SpstiFactory, UserFactory, organisation


@dataclass(frozen=True)
class Rights:
    sees: frozenset[str]  # services among A (35), B (29), IDF (75)
    reads_registry: bool = True
    edits_registry: bool = False


BRETAGNE = frozenset({"A", "B"})
EVERYWHERE = frozenset({"A", "B", "IDF"})
RIGHTS = {
    "spsti_referent": Rights(frozenset({"A"})),
    "other_spsti_referent": Rights(frozenset({"B"})),
    "dreets_agent": Rights(BRETAGNE, edits_registry=True),
    "dreets_agent_other_region": Rights(frozenset({"IDF"}), edits_registry=True),
    "caisse_agent": Rights(BRETAGNE),
    "regional_pilot": Rights(BRETAGNE),
    "ars_reader": Rights(BRETAGNE),
    "social_partner": Rights(frozenset(), reads_registry=False),
    "national": Rights(EVERYWHERE),
    "admin": Rights(EVERYWHERE, edits_registry=True),
}
assert set(RIGHTS) == set(PERSONAS)


def _assert_status(response, expected: int, url: str, persona: str) -> None:
    assert response.status_code == expected, f"{persona} sur {url} : {response.status_code} au lieu de {expected}"
    if expected == 200:
        assert_no_invalid_variable(response)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_reads_the_registry_within_its_scope_only(persona, services, as_persona):
    client, rights = as_persona(persona), RIGHTS[persona]
    url = reverse("organisations:spsti_list")
    response = client.get(url)
    if not rights.reads_registry:
        _assert_status(response, 403, url, persona)
        return
    _assert_status(response, 200, url, persona)
    listed = {spsti.pk for spsti in response.context["page_obj"]}
    assert listed == {services[key].pk for key in rights.sees}
    content = response.content.decode()
    for key, spsti in services.items():
        assert (spsti.name in content) == (key in rights.sees), f"{persona} : {spsti.name}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_opens_only_the_service_files_of_its_scope(persona, services, as_persona):
    client, rights = as_persona(persona), RIGHTS[persona]
    for key, spsti in services.items():
        url = reverse("organisations:spsti_detail", args=[spsti.pk])
        expected = 403 if not rights.reads_registry else 200 if key in rights.sees else 404
        _assert_status(client.get(url), expected, url, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_dreets_agent_and_the_administrator_register_edit_and_approve(persona, services, as_persona):
    client, rights = as_persona(persona), RIGHTS[persona]
    create = reverse("organisations:spsti_create")
    _assert_status(client.get(create), 200 if rights.edits_registry else 403, create, persona)
    _assert_status(client.post(create, {}), 200 if rights.edits_registry else 403, create, persona)
    for key, spsti in services.items():
        expected = 403 if not rights.edits_registry else 200 if key in rights.sees else 404
        for name in ("organisations:spsti_update", "organisations:approval_create"):
            url = reverse(name, args=[spsti.pk])
            _assert_status(client.get(url), expected, url, persona)
            _assert_status(client.post(url, {}), expected, url, persona)  # an empty form: refused, not saved


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_role_sees_the_institutions(persona, services, as_persona):
    client = as_persona(persona)
    url = reverse("organisations:organisation_list")
    response = client.get(url)
    _assert_status(response, 200, url, persona)
    listed = {organisation.code for group in response.context["groups"].values() for organisation in group}
    assert {"ETAT-53", "ETAT-11", "CARSAT-BR", "CRAMIF", "ARS-53", "CRPST-53", "DGT", "CNAM", "CNPST"} <= listed
    assert len(listed) == 18 * 3 + 21 + 3  # every institution; the services are in the registry, not here
    content = response.content.decode()
    for name in ("DREETS Bretagne", "DRIEETS Île-de-France", "Carsat Bretagne", "Direction générale du travail"):
        assert name in content
    caisse = Organisation.objects.get(code="CARSAT-BR")
    url = reverse("organisations:organisation_detail", args=[caisse.pk])
    _assert_status(client.get(url), 200, url, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_organisation_page_of_a_service_leads_to_its_file_within_scope_only(persona, services, as_persona):
    client, rights = as_persona(persona), RIGHTS[persona]
    visible = rights.sees if rights.reads_registry else BRETAGNE  # social partners: their region, counts only
    for key, spsti in services.items():
        url = reverse("organisations:organisation_detail", args=[spsti.pk])
        response = client.get(url)
        if key in visible:
            assert response.status_code == 302, f"{persona} {url}"
            assert response["Location"] == reverse("organisations:spsti_detail", args=[spsti.pk])
        else:
            _assert_status(response, 404, url, persona)


@pytest.mark.parametrize(
    ("persona", "count", "listed"),
    [
        ("dreets_agent", 2, True),
        ("caisse_agent", 2, True),
        ("social_partner", 2, False),  # the count only: social partners open no service file
        ("dreets_agent_other_region", 0, False),
        ("national", 2, True),
    ],
)
def test_a_caisse_page_counts_the_services_of_its_departments_within_the_reader_scope(
    persona, count, listed, services, as_persona
):
    caisse = Organisation.objects.get(code="CARSAT-BR")
    response = as_persona(persona).get(reverse("organisations:organisation_detail", args=[caisse.pk]))
    content = html.unescape(response.content.decode())
    assert response.context["related_count"] == count
    if count:
        assert f"{count} services en activité." in content
    assert "22 — Côtes-d'Armor ; 29 — Finistère ; 35 — Ille-et-Vilaine ; 56 — Morbihan" in content
    assert (services["A"].name in content) == listed
    assert (services["B"].name in content) == listed
    assert services["IDF"].name not in content


@pytest.mark.parametrize(
    "url_name",
    [
        "workspace:home",
        "organisations:spsti_list",
        "organisations:spsti_create",
        "organisations:organisation_list",
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(url_name, client, reference):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_an_anonymous_visitor_cannot_open_a_service_file_or_post_a_form(client, service_a):
    for name in ("spsti_detail", "spsti_update", "approval_create"):
        url = reverse(f"organisations:{name}", args=[service_a.pk])
        assert client.get(url)["Location"].startswith(reverse("accounts:login"))
        assert client.post(url, {"name": "Piraté"})["Location"].startswith(reverse("accounts:login"))
    assert Spsti.objects.get(pk=service_a.pk).name == service_a.name


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_admin_site_opens_for_the_administrator_role_only(persona, services, as_persona):
    client = as_persona(persona)
    response = client.get("/gestion/")
    if persona == "admin":
        assert response.status_code == 200
        for url in ("/gestion/organisations/spsti/", "/gestion/accounts/user/", "/gestion/territory/department/"):
            assert client.get(url).status_code == 200, url
        assert client.get(f"/gestion/organisations/spsti/{services['A'].pk}/change/").status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == "/gestion/login/?next=/gestion/"
        assert client.get("/gestion/accounts/user/").status_code == 302


def test_the_admin_site_sends_an_anonymous_visitor_to_a_login_page(client, reference):
    assert client.get("/gestion/")["Location"] == "/gestion/login/?next=/gestion/"


@pytest.mark.parametrize(
    ("persona", "registry", "admin_site"),
    [("social_partner", False, False), ("dreets_agent", True, False), ("admin", True, True)],
)
def test_the_menu_shows_only_the_pages_the_role_opens(persona, registry, admin_site, as_persona):
    items = {item["label"] for item in as_persona(persona).get(reverse("workspace:home")).context["nav_items"]}
    assert ("Registre des services" in items) == registry
    assert ("Gestion" in items) == admin_site
    assert {"Accueil", "Institutions"} <= items


def test_a_caisse_agent_sees_the_services_headquartered_in_its_departments_only(
    services, caisse_agent, dreets_agent, login
):
    """DESIGN §2 (issue 16): named data only for services whose headquarters are in the caisse's departments.
    Headquartered in Loire-Atlantique (Pays de la Loire), this service also covers Ille-et-Vilaine: not named."""
    nantes = SpstiFactory(name="Service de Nantes et de Rennes", department="44", departments=["44", "35"])
    url = reverse("organisations:spsti_detail", args=[nantes.pk])
    assert login(caisse_agent).get(url).status_code == 404
    assert login(dreets_agent).get(url).status_code == 404  # not in the region of DREETS Bretagne
    assert nantes not in Spsti.objects.visible_to(caisse_agent)
    assert Spsti.objects.visible_to(caisse_agent).count() == 2


def test_the_scope_of_each_role_comes_from_its_organisation(services, request):
    scopes = {name: request.getfixturevalue(name).scope for name in PERSONAS}
    assert scopes["spsti_referent"] == Scope(ScopeKind.SPSTI, region_code="53", spsti_id=services["A"].pk)
    assert scopes["dreets_agent"] == Scope(ScopeKind.REGION, region_code="53")
    assert scopes["dreets_agent_other_region"] == Scope(ScopeKind.REGION, region_code="11")
    assert scopes["caisse_agent"] == Scope(ScopeKind.DEPARTMENTS, department_codes=frozenset({"22", "29", "35", "56"}))
    assert scopes["regional_pilot"] == scopes["ars_reader"] == scopes["social_partner"] == scopes["dreets_agent"]
    assert scopes["national"] == scopes["admin"] == Scope(ScopeKind.NATION)


def test_an_account_attached_to_the_wrong_kind_of_organisation_sees_nothing(services):
    # Saved without full_clean (e.g. by a script): the scope still refuses to guess.
    misfiled = UserFactory(role=Role.DREETS_AGENT, organisation=organisation("CARSAT-BR"))
    assert misfiled.scope == Scope.nothing()
    assert not Spsti.objects.visible_to(misfiled).exists()


def test_an_inactive_account_has_no_permission(services):
    user = UserFactory(role=Role.DREETS_AGENT, organisation=organisation("ETAT-53"), is_active=False)
    assert not any(user.can(perm) for perm in Perm)
