"""Issue 16, items 6 and 10: the lockout behind a reverse proxy, and the rate limit of password-reset e-mails."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from cpom.accounts import resets
from cpom.accounts.models import PasswordResetRequest
from cpom.core.clientip import client_ip

from ..factories import PASSWORD
from .test_login import sign_in, signed_in_as

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"  # every request reaches the application from the reverse proxy
RESET = reverse("accounts:password_reset")


def behind_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{client_address}")


@pytest.fixture
def trusted_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1


def test_the_proxy_header_is_ignored_unless_the_setting_trusts_it(settings):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert settings.TRUSTED_PROXY_HEADER == ""
    assert client_ip(request) == PROXY, "off by default: a client cannot choose its address"


def test_with_a_trusted_proxy_the_address_it_appended_is_the_clients(trusted_proxy, settings):
    forged = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(forged) == "198.51.100.7", "the rightmost entry, written by our proxy, not the client's"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(forged) == "1.2.3.4"
    garbage = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="pas-une-adresse")
    assert client_ip(garbage) == PROXY


def test_behind_the_proxy_a_hostile_user_cannot_lock_someone_else_out(trusted_proxy, dreets_agent):
    attacker = behind_proxy("203.0.113.66")
    for attempt in range(5):
        sign_in(attacker, dreets_agent.email, f"faux-{attempt}")
    assert sign_in(attacker, dreets_agent.email, PASSWORD).status_code == 429, "locked from the attacker's address"
    victim = behind_proxy("198.51.100.7")
    assert sign_in(victim, dreets_agent.email, PASSWORD).status_code == 302, "the owner still signs in"
    assert signed_in_as(victim) == dreets_agent


def test_behind_the_proxy_failures_of_one_account_do_not_lock_another_from_the_same_address(
    trusted_proxy, dreets_agent, regional_pilot
):
    shared = behind_proxy("198.51.100.7")
    for attempt in range(5):
        sign_in(shared, dreets_agent.email, f"faux-{attempt}")
    assert sign_in(behind_proxy("198.51.100.7"), regional_pilot.email, PASSWORD).status_code == 302


def test_the_deploy_check_stays_clean_with_a_trusted_proxy(monkeypatch):
    from tests.core.test_deploy_settings import test_manage_py_check_deploy_is_clean_with_production_settings

    monkeypatch.setenv("TRUSTED_PROXY_HEADER", "HTTP_X_FORWARDED_FOR")
    test_manage_py_check_deploy_is_clean_with_production_settings()


# --- Password reset rate limit ----------------------------------------------------------------------------------


def test_password_reset_emails_are_limited_per_account(client, dreets_agent):
    for number in range(resets.RESET_LIMIT_PER_ACCOUNT + 5):
        response = Client(REMOTE_ADDR=f"192.0.2.{number + 1}").post(RESET, {"email": dreets_agent.email})
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == resets.RESET_LIMIT_PER_ACCOUNT, "the same page, but no more e-mails"


def test_password_reset_requests_are_limited_per_address(client, dreets_agent, regional_pilot, reference):
    for number in range(resets.RESET_LIMIT_PER_ADDRESS):
        client.post(RESET, {"email": f"personne-{number}@cpom.test"})
    client.post(RESET, {"email": dreets_agent.email})
    assert mail.outbox == [], "this address has asked too often"
    Client(REMOTE_ADDR="192.0.2.50").post(RESET, {"email": regional_pilot.email})
    assert len(mail.outbox) == 1, "another address is not limited"


def test_the_limit_is_per_client_behind_a_trusted_proxy(trusted_proxy, dreets_agent, regional_pilot, reference):
    for number in range(resets.RESET_LIMIT_PER_ADDRESS):
        behind_proxy("203.0.113.66").post(RESET, {"email": f"personne-{number}@cpom.test"})
    behind_proxy("198.51.100.7").post(RESET, {"email": regional_pilot.email})
    assert len(mail.outbox) == 1


def test_the_limit_opens_again_after_the_window_and_old_requests_are_deleted(dreets_agent):
    past = timezone.now() - resets.RESET_WINDOW - dt.timedelta(minutes=1)
    for _ in range(resets.RESET_LIMIT_PER_ACCOUNT):
        assert resets.reset_allowed(dreets_agent.email, None, now=past)
    assert not resets.reset_allowed(dreets_agent.email, None, now=past)
    assert resets.reset_allowed(dreets_agent.email.upper(), None)
    assert PasswordResetRequest.objects.count() == 1
    assert dreets_agent.email not in str(list(PasswordResetRequest.objects.values_list("account_digest", flat=True)))
