"""Signing in with an e-mail address, signing out, resetting a forgotten password, lockout after 5 failures."""

import html
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from cpom.accounts.models import User

from ..conftest import assert_no_invalid_variable
from ..factories import PASSWORD

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
HOME = reverse("workspace:home")
WRONG = "Adresse électronique ou mot de passe incorrect."


def sign_in(client: Client, email: str, password: str, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def signed_in_as(client: Client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def test_the_login_page_asks_for_an_email_address_in_french(client, reference):
    response = client.get(LOGIN)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Connexion à la plateforme CPOM" in content
    assert "Adresse électronique" in content and "Mot de passe" in content
    assert "Mot de passe oublié ?" in content
    assert_no_invalid_variable(response)


def test_a_user_signs_in_with_email_and_password_and_lands_on_the_home_page(client, dreets_agent):
    response = sign_in(client, "agent@dreets-bretagne.test", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert signed_in_as(client) == dreets_agent
    home = client.get(HOME)
    assert "Votre périmètre : la région Bretagne." in home.content.decode()


def test_the_email_address_may_be_typed_with_capitals(client, dreets_agent):
    assert sign_in(client, "Agent@DREETS-Bretagne.test", PASSWORD).status_code == 302
    assert signed_in_as(client) == dreets_agent


def test_after_signing_in_the_user_goes_back_to_the_page_asked_for(client, dreets_agent):
    registry = reverse("organisations:spsti_list")
    assert client.get(registry)["Location"] == f"{LOGIN}?next={registry}"
    response = client.post(LOGIN, {"username": dreets_agent.email, "password": PASSWORD, "next": registry})
    assert response["Location"] == registry


def test_a_signed_in_user_opening_the_login_page_goes_home(dreets_agent, login):
    assert login(dreets_agent).get(LOGIN)["Location"] == HOME


def test_a_wrong_password_is_refused_with_a_french_message(client, dreets_agent):
    response = sign_in(client, dreets_agent.email, "pas-le-bon-mot-de-passe")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG]
    assert WRONG in html.unescape(response.content.decode())
    assert signed_in_as(client) is None


def test_an_unknown_address_gets_the_same_message(client, reference):
    response = sign_in(client, "inconnu@cpom.test", PASSWORD)
    assert response.context["form"].non_field_errors() == [WRONG]


def test_a_deactivated_account_cannot_sign_in(client, dreets_agent):
    dreets_agent.is_active = False
    dreets_agent.save()
    assert sign_in(client, dreets_agent.email, PASSWORD).context["form"].non_field_errors() == [WRONG]
    assert signed_in_as(client) is None


def test_signing_out_is_a_post_that_ends_the_session(dreets_agent, login):
    client = login(dreets_agent)
    assert client.get(LOGOUT).status_code == 405  # a link cannot sign anybody out
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_as(client) is None
    assert client.get(HOME)["Location"] == f"{LOGIN}?next={HOME}"


def test_the_header_offers_to_sign_out_with_a_form(dreets_agent, login):
    content = login(dreets_agent).get(HOME).content.decode()
    assert f'<form method="post" action="{LOGOUT}">' in content
    assert "agent@dreets-bretagne.test" in content  # the account label: its e-mail (the header must not squeeze)


# --- Forgotten password ---------------------------------------------------------------------------------------


def _reset_link(client: Client, email: str) -> str:
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert message.subject == "Plateforme CPOM — choisir un nouveau mot de passe"
    assert f"pour le compte {email} sur la plateforme CPOM" in message.body
    links = re.findall(r"http://testserver(/comptes/mot-de-passe/nouveau/[^/\s]+/[^/\s]+/)", message.body)
    assert len(links) == 1, message.body
    return links[0]


def test_a_forgotten_password_is_replaced_through_the_link_sent_by_email(client, dreets_agent):
    link = _reset_link(client, dreets_agent.email)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    new_password = "Un-nouveau-mot-de-passe-solide-2026"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    dreets_agent.refresh_from_db()
    assert dreets_agent.check_password(new_password)
    assert sign_in(Client(), dreets_agent.email, PASSWORD).status_code == 200  # the old one is refused
    fresh = Client()
    assert sign_in(fresh, dreets_agent.email, new_password).status_code == 302
    assert signed_in_as(fresh) == dreets_agent
    again = client.get(link, follow=True)  # a link works once
    assert again.context["validlink"] is False
    assert "Ce lien n'est plus valable" in html.unescape(again.content.decode())


def test_the_new_password_must_pass_the_french_password_rules(client, dreets_agent):
    form_page = client.get(_reset_link(client, dreets_agent.email), follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "court", "new_password2": "court"})
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in errors
    dreets_agent.refresh_from_db()
    assert dreets_agent.check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, reference):
    response = client.post(reverse("accounts:password_reset"), {"email": "personne@cpom.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.parametrize("url_name", ["password_reset", "password_reset_done", "password_reset_complete", "login"])
def test_the_password_pages_open_without_an_account(client, reference, url_name):
    response = client.get(reverse(f"accounts:{url_name}"))
    assert response.status_code == 200
    assert_no_invalid_variable(response)


# --- Lockout (django-axes) ------------------------------------------------------------------------------------


def test_axes_guards_the_login_in_the_test_settings_too():
    assert settings.AXES_ENABLED is True
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_failed_logins_lock_the_account_from_that_address(client, dreets_agent, regional_pilot):
    for attempt in range(1, 5):
        assert sign_in(client, dreets_agent.email, f"faux-{attempt}").status_code == 200
    fifth = sign_in(client, dreets_agent.email, "faux-5")
    assert fifth.status_code == 429
    assert "Connexion temporairement bloquée" in fifth.content.decode()
    # Locked: even the right password is refused now.
    locked = sign_in(client, dreets_agent.email, PASSWORD)
    assert locked.status_code == 429
    assert signed_in_as(client) is None
    attempt = AccessAttempt.objects.get(username=dreets_agent.email, ip_address="127.0.0.1")
    assert attempt.failures_since_start == 6  # the attempt made while locked counts too
    # The lockout is per account and address: the same account from another address still signs in…
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert sign_in(elsewhere, dreets_agent.email, PASSWORD).status_code == 302
    # …and so does a colleague from the same address (a shared office connection).
    colleague = Client()
    assert sign_in(colleague, regional_pilot.email, PASSWORD).status_code == 302
    assert sign_in(Client(), regional_pilot.email, "une-faute-de-frappe").status_code == 200


def test_a_locked_account_stays_locked_with_the_address_typed_in_capitals(client, dreets_agent):
    for attempt in range(5):
        sign_in(client, dreets_agent.email.upper(), f"faux-{attempt}")
    assert sign_in(client, dreets_agent.email, PASSWORD).status_code == 429


def test_four_failures_then_a_success_reset_the_counter(client, dreets_agent):
    for attempt in range(4):
        sign_in(client, dreets_agent.email, f"faux-{attempt}")
    assert sign_in(client, dreets_agent.email, PASSWORD).status_code == 302
    client.post(LOGOUT)
    for attempt in range(4):
        assert sign_in(client, dreets_agent.email, f"encore-faux-{attempt}").status_code == 200
