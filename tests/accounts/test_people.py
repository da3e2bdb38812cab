"""Invitations and each organisation managing its own people (issue 17)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpom.accounts import invitations, people
from cpom.accounts.enums import Role
from cpom.accounts.models import Invitation, User
from cpom.api.models import ApiToken
from cpom.core.errors import DomainError
from cpom.core.models import Change, SubjectKind
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/comptes/invitation/[\w-]+/)")
NEW_PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture
def dreets_manager(reference):
    return UserFactory(
        email="chef@dreets-bretagne.test", role=Role.DREETS_AGENT, organisation=organisation("ETAT-53"), is_manager=True
    )


@pytest.fixture
def director(service_a):
    return UserFactory(email="direction@pst35.test", role=Role.SPSTI_REFERENT, organisation=service_a, is_manager=True)


def _link(message) -> str:
    return LINK.search(message.body)[1]


def _invite(client, **data):
    return client.post(reverse("accounts:invite"), data)


# --- Invitations ---------------------------------------------------------------------------------------------------
def test_an_administrator_invites_a_person_who_chooses_a_password_through_a_single_use_link(admin, login):
    response = _invite(
        login(admin),
        email="Nouvelle.Agente@Dreets-Bretagne.test",
        organisation=organisation("ETAT-53").pk,
        role=Role.DREETS_AGENT,
        is_manager="on",
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:people")
    [message] = mail.outbox
    assert message.to == ["nouvelle.agente@dreets-bretagne.test"]
    assert "72" not in message.subject and "Agent de DREETS" in message.body
    assert message.alternatives and "ouvrir mon compte" in message.alternatives[0][0]
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == dt.timedelta(hours=72)
    assert not User.objects.filter(email="nouvelle.agente@dreets-bretagne.test").exists()  # no account before

    visitor = Client()
    page = visitor.get(_link(message))
    assert page.status_code == 200 and "Choisir un mot de passe" in page.content.decode()
    done = visitor.post(
        _link(message),
        {"first_name": "Nina", "last_name": "Le Goff", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert done.status_code == 302
    user = User.objects.get(email="nouvelle.agente@dreets-bretagne.test")
    assert (user.role, user.organisation.code, user.is_manager, user.get_full_name()) == (
        Role.DREETS_AGENT,
        "ETAT-53",
        True,
        "Nina Le Goff",
    )
    assert user.check_password(NEW_PASSWORD)
    assert visitor.get(reverse("workspace:home")).status_code == 200  # signed in
    # single use: the link no longer opens anything
    again = Client().get(_link(message))
    assert "n’est plus valable" in again.content.decode()
    assert Change.objects.filter(subject_kind=SubjectKind.ACCOUNT, subject_id=user.pk).exists()
    assert Change.objects.filter(subject_kind=SubjectKind.INVITATION, subject_id=invitation.pk, by=admin).exists()


def test_a_weak_password_or_two_different_ones_are_refused_and_nothing_is_opened(admin):
    invitations.invite(
        by=admin, email="x@cpom.test", organisation=None, role=Role.ADMIN, link=lambda s: f"http://testserver/{s}"
    )
    secret = mail.outbox[0].body.split("http://testserver/")[1].split()[0]
    url = reverse("accounts:invitation_accept", args=[secret])
    weak = Client().post(url, {"first_name": "A", "last_name": "B", "password": "court", "password_again": "court"})
    differ = Client().post(
        url, {"first_name": "A", "last_name": "B", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"}
    )
    assert weak.status_code == differ.status_code == 200
    assert "identiques" in differ.content.decode()
    assert not User.objects.filter(email="x@cpom.test").exists()


def test_a_link_is_valid_72_hours(admin):
    invitation = invitations.invite(
        by=admin, email="tard@cpom.test", organisation=None, role=Role.ADMIN, link=lambda s: s
    )
    secret = mail.outbox[0].body.split("page :")[1].split()[0]
    assert invitations.find(secret) == invitation
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert invitations.find(secret) is None
    with pytest.raises(DomainError, match="plus valable"):
        invitations.accept(invitation, password=NEW_PASSWORD)


def test_resending_replaces_the_link_and_cancelling_kills_it(dreets_manager, login):
    client = login(dreets_manager)
    _invite(client, email="a@dreets-bretagne.test", role=Role.DREETS_AGENT)
    invitation = Invitation.objects.get()
    first = _link(mail.outbox[0])
    assert client.post(reverse("accounts:invitation_resend", args=[invitation.pk])).status_code == 302
    second = _link(mail.outbox[1])
    assert first != second
    assert "n’est plus valable" in Client().get(first).content.decode()
    assert "Choisir un mot de passe" in Client().get(second).content.decode()
    assert client.post(reverse("accounts:invitation_cancel", args=[invitation.pk])).status_code == 302
    assert "n’est plus valable" in Client().get(second).content.decode()
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert [c.what for c in Change.objects.filter(subject_kind=SubjectKind.INVITATION).order_by("pk")] == [
        "Invitation de a@dreets-bretagne.test",
        "Invitation de a@dreets-bretagne.test renvoyée",
        "Invitation de a@dreets-bretagne.test annulée",
    ]


def test_a_second_invitation_or_an_existing_account_is_refused(dreets_manager, dreets_agent):
    invitations.invite(
        by=dreets_manager,
        email="b@dreets-bretagne.test",
        organisation=dreets_manager.organisation,
        role=Role.DREETS_AGENT,
        link=str,
    )
    for email in ("b@dreets-bretagne.test", dreets_agent.email.upper()):
        with pytest.raises(DomainError):
            invitations.invite(
                by=dreets_manager,
                email=email,
                organisation=dreets_manager.organisation,
                role=Role.DREETS_AGENT,
                link=str,
            )
    assert len(mail.outbox) == 1


# --- Who may invite whom -------------------------------------------------------------------------------------------
def test_a_dreets_manager_invites_into_his_dreets_only(dreets_manager, login):
    response = _invite(
        login(dreets_manager), email="c@dreets-bretagne.test", role=Role.REGIONAL_PILOT, organisation="999"
    )
    assert response.status_code == 302
    assert Invitation.objects.get().organisation.code == "ETAT-53"  # the organisation field is not his to choose
    with pytest.raises(DomainError, match="votre propre organisation"):
        invitations.invite(
            by=dreets_manager,
            email="d@drieets-idf.test",
            organisation=organisation("ETAT-11"),
            role=Role.DREETS_AGENT,
            link=str,
        )
    with pytest.raises(DomainError, match="administrateur"):
        invitations.invite(
            by=dreets_manager, email="e@cpom.test", organisation=dreets_manager.organisation, role=Role.ADMIN, link=str
        )


def test_a_service_director_cannot_invite_into_another_service_nor_grant_an_agent_role(director, service_b, login):
    client = login(director)
    form = client.get(reverse("accounts:invite")).content.decode()
    assert "agent_dreets" not in form and "referent_spsti" in form
    refused = _invite(client, email="f@pst35.test", role=Role.DREETS_AGENT)
    assert refused.status_code == 200 and not Invitation.objects.exists()
    with pytest.raises(DomainError):
        invitations.invite(
            by=director, email="f@pst35.test", organisation=director.organisation, role=Role.DREETS_AGENT, link=str
        )
    with pytest.raises(DomainError, match="votre propre organisation"):
        invitations.invite(
            by=director, email="g@pst29.test", organisation=service_b, role=Role.SPSTI_REFERENT, link=str
        )
    assert _invite(client, email="f@pst35.test", role=Role.SPSTI_REFERENT).status_code == 302


def test_an_agent_who_is_not_a_manager_invites_nobody(dreets_agent, login):
    client = login(dreets_agent)
    assert client.get(reverse("accounts:people")).status_code == 403
    assert _invite(client, email="h@cpom.test", role=Role.DREETS_AGENT).status_code == 403
    with pytest.raises(DomainError):
        invitations.invite(
            by=dreets_agent, email="h@cpom.test", organisation=dreets_agent.organisation, role="agent_dreets", link=str
        )


# --- Roles and deactivation ------------------------------------------------------------------------------------------
def test_a_manager_changes_a_role_in_his_organisation_and_the_journal_says_so(dreets_manager, regional_pilot, login):
    client = login(dreets_manager)
    response = client.post(
        reverse("accounts:person", args=[regional_pilot.pk]), {"action": "role", "role": Role.DREETS_AGENT}
    )
    assert response.status_code == 302
    regional_pilot.refresh_from_db()
    assert regional_pilot.role == Role.DREETS_AGENT
    [change] = Change.objects.filter(subject_kind=SubjectKind.ACCOUNT, subject_id=regional_pilot.pk)
    assert change.by == dreets_manager
    assert {"champ": "rôle", "avant": "Pilote de la cellule régionale", "apres": "Agent de DREETS"} in change.changes
    page = client.get(reverse("accounts:person", args=[regional_pilot.pk])).content.decode()
    assert "Pilote de la cellule régionale" in page  # the journal on the page


def test_a_manager_cannot_touch_an_account_of_another_organisation(dreets_manager, dreets_agent_other_region, login):
    client = login(dreets_manager)
    url = reverse("accounts:person", args=[dreets_agent_other_region.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "deactivate"}).status_code == 404
    dreets_agent_other_region.refresh_from_db()
    assert dreets_agent_other_region.is_active
    with pytest.raises(DomainError):
        people.set_active(by=dreets_manager, person=dreets_agent_other_region, active=False)


def test_a_manager_cannot_change_his_own_account_nor_give_a_role_foreign_to_the_organisation(
    dreets_manager, dreets_agent
):
    with pytest.raises(DomainError, match="propre compte"):
        people.set_active(by=dreets_manager, person=dreets_manager, active=False)
    with pytest.raises(DomainError):
        people.change_role(by=dreets_manager, person=dreets_agent, role=Role.SPSTI_REFERENT, is_manager=False)
    with pytest.raises(DomainError):
        people.change_role(by=dreets_manager, person=dreets_agent, role=Role.ADMIN, is_manager=False)
    dreets_agent.refresh_from_db()
    assert dreets_agent.role == Role.DREETS_AGENT


def test_a_deactivated_account_loses_its_session_and_its_api_tokens_at_once(dreets_manager, dreets_agent, login):
    _, key = ApiToken.issue(user=dreets_agent, label="logiciel")
    session = login(dreets_agent)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/contracts").status_code == 200
    assert session.get(reverse("workspace:home")).status_code == 200

    response = login(dreets_manager).post(reverse("accounts:person", args=[dreets_agent.pk]), {"action": "deactivate"})

    assert response.status_code == 302
    assert api.get("/api/contracts").status_code == 401
    assert session.get(reverse("workspace:home")).status_code == 302  # back to the sign-in page
    change = Change.objects.get(subject_kind=SubjectKind.ACCOUNT, subject_id=dreets_agent.pk)
    assert change.what.startswith("Désactivation") and change.by == dreets_manager
    people.set_active(by=dreets_manager, person=dreets_agent, active=True)
    assert api.get("/api/contracts").status_code == 200


def test_the_people_page_lists_my_organisation_only_in_a_few_queries(
    dreets_manager, dreets_agent, regional_pilot, dreets_agent_other_region, login, django_assert_max_num_queries
):
    invitations.invite(
        by=dreets_manager,
        email="i@dreets-bretagne.test",
        organisation=dreets_manager.organisation,
        role="agent_dreets",
        link=str,
    )
    client = login(dreets_manager)
    with django_assert_max_num_queries(16):  # the page, and the navigation's to-do counters of an agent
        page = client.get(reverse("accounts:people"))
    text = page.content.decode()
    assert dreets_agent.email in text and regional_pilot.email in text and "i@dreets-bretagne.test" in text
    assert dreets_agent_other_region.email not in text


def test_the_account_menu_shows_people_to_managers_only(dreets_manager, dreets_agent, login):
    assert reverse("accounts:people") in login(dreets_manager).get(reverse("workspace:home")).content.decode()
    assert reverse("accounts:people") not in login(dreets_agent).get(reverse("workspace:home")).content.decode()
