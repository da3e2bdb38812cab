"""Pages every visitor reaches: the public statements (accessibility, legal notice, personal data), the home
page of a signed-in user with the figures of its scope, and error pages in French."""

import html

import pytest
from django.urls import reverse

from cpom.core.dates import add_years

from ..conftest import assert_no_invalid_variable
from ..factories import ApprovalFactory, SpstiFactory, today

PUBLIC = ["core:accessibility", "core:legal", "core:personal_data", "accounts:login"]


@pytest.mark.parametrize("url_name", PUBLIC)
def test_the_public_pages_open_without_an_account(client, reference, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert '<html lang="fr"' in content
    # The footer links to the statements and states the accessibility status on every page.
    assert "Accessibilité : non conforme" in content
    for name in ("core:accessibility", "core:legal", "core:personal_data"):
        assert f'href="{reverse(name)}"' in content
    assert_no_invalid_variable(response)


def test_the_accessibility_statement_says_the_platform_is_not_compliant(client, reference):
    content = html.unescape(client.get(reverse("core:accessibility")).content.decode())
    assert "<title>Déclaration d'accessibilité — Plateforme CPOM</title>" in content
    assert "La plateforme CPOM est <strong>non conforme</strong> avec le référentiel général d'amélioration" in content
    assert "RGAA) version 4.1 : aucun audit de conformité n'a encore été réalisé." in content
    assert "Défenseur des droits" in content
    assert "totalement conforme" not in content and "partiellement conforme" not in content


def test_the_legal_notice_and_the_personal_data_page_say_what_they_must(client, reference):
    legal = html.unescape(client.get(reverse("core:legal")).content.decode())
    assert "Direction générale du travail" in legal
    personal = html.unescape(client.get(reverse("core:personal_data")).content.decode())
    assert "seuls des chiffres agrégés par service y sont enregistrés (règle R14)" in personal
    assert "Journal des connexions" in personal and "Durée de conservation" in personal


def test_the_home_page_is_for_signed_in_users(client, reference):
    # The platform is not public: the home page sends an anonymous visitor to the login page.
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


@pytest.mark.parametrize(
    ("persona", "scope_line", "services_count", "employees"),
    [
        ("national", "Votre périmètre : la France entière.", 4, 18_300_000 + 50_000 * 3),
        ("dreets_agent", "Votre périmètre : la région Bretagne.", 3, 18_300_000 + 50_000 * 2),
        ("social_partner", "Votre périmètre : la région Bretagne.", 3, 18_300_000 + 50_000 * 2),
        ("caisse_agent", "Votre périmètre : les départements de votre caisse.", 3, 18_300_000 + 50_000 * 2),
        ("spsti_referent", "Votre périmètre : votre service.", 1, 18_300_000),
    ],
)
def test_the_home_page_gives_the_figures_of_the_user_scope(
    persona, scope_line, services_count, employees, services, as_persona
):
    # Bretagne: A (approved, 18 300 000 employees), B (approved) and one expired; Paris: one approved service.
    expired = SpstiFactory(name="Service expiré", department="56")
    ApprovalFactory(spsti=expired, start=add_years(today(), -6), end=add_years(today(), -1))
    response = as_persona(persona).get(reverse("workspace:home"))
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert scope_line in content
    summary = response.context["summary"]
    assert (summary.services, summary.employees) == (services_count, employees)
    assert summary.expired == (0 if persona == "spsti_referent" else 1)
    assert summary.approved == services_count - summary.expired
    assert "Le registre en chiffres" in content
    assert_no_invalid_variable(response)


def test_a_page_outside_the_scope_answers_a_french_404(idf_service, dreets_agent, login):
    response = login(dreets_agent).get(reverse("organisations:spsti_detail", args=[idf_service.pk]))
    assert response.status_code == 404
    content = html.unescape(response.content.decode())
    assert '<html lang="fr"' in content
    assert "<h1>Page introuvable</h1>" in content
    assert idf_service.name not in content


def test_an_action_refused_to_the_role_answers_a_french_403(regional_pilot, login):
    response = login(regional_pilot).get(reverse("organisations:spsti_create"))
    assert response.status_code == 403
    content = html.unescape(response.content.decode())
    assert "<h1>Accès refusé</h1>" in content
    assert "Votre rôle ne donne pas accès à cette page." in content


def test_an_unknown_address_answers_a_french_404_to_an_anonymous_visitor(client, reference):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_the_glossary_explains_the_acronyms_and_every_page_gives_a_support_contact(client):
    from django.conf import settings

    page = client.get(reverse("core:glossary")).content.decode()
    for term in ("PDP", "COG", "CDPRP", "CRPST", "PRST"):
        assert f">{term}</dt>" in page
    assert f"mailto:{settings.SUPPORT_EMAIL}" in page and 'href="/glossaire/"' in page
