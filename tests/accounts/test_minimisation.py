"""Personal data minimisation: dormant accounts are deactivated, the sign-in journal is not kept for ever."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cpom.accounts.enums import Role
from cpom.accounts.inactivity import deactivate_inactive_accounts, purge_sign_in_logs
from cpom.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def agent(national, **fields) -> User:
    return UserFactory(role=Role.NATIONAL, organisation=national.organisation, **fields)


def test_accounts_unused_for_the_configured_time_are_deactivated(national, settings):
    settings.INACTIVE_ACCOUNT_DAYS = 180
    dormant = agent(national, last_login=days_ago(200))
    never = agent(national, last_login=None, date_joined=days_ago(181))
    recent = agent(national, last_login=days_ago(10))
    new = agent(national, last_login=None, date_joined=days_ago(3))
    done = deactivate_inactive_accounts(NOW)
    assert {user.pk for user in done} == {dormant.pk, never.pk}
    assert set(User.objects.filter(is_active=False).values_list("pk", flat=True)) == {u.pk for u in done}
    assert User.objects.get(pk=recent.pk).is_active and User.objects.get(pk=new.pk).is_active


def test_the_last_active_administrator_is_never_deactivated():
    User.objects.filter(role=Role.ADMIN).delete()
    first = UserFactory(role=Role.ADMIN, last_login=days_ago(400))
    second = UserFactory(role=Role.ADMIN, last_login=days_ago(300))
    done = deactivate_inactive_accounts(NOW, days=180)
    assert len(done) == 1
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1
    assert {first.pk, second.pk} - {done[0].pk}


def test_the_sign_in_journal_is_purged_after_its_retention(settings):
    settings.AXES_LOG_RETENTION_DAYS = 30
    for days in (40, 5):  # attempt_time is set on creation: backdated afterwards
        log = AccessLog.objects.create(username="x@cpom.test", ip_address="127.0.0.1")
        attempt = AccessAttempt.objects.create(
            username=f"x{days}@cpom.test", ip_address="127.0.0.1", failures_since_start=1
        )
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=days_ago(days))
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=days_ago(days))
    assert purge_sign_in_logs(NOW) == 2
    assert AccessLog.objects.count() == 1 and AccessAttempt.objects.count() == 1


def test_the_daily_command_reports_what_it_did(national, capsys):
    agent(national, last_login=days_ago(365), email="dormant@cpom.test")
    call_command("minimise_personal_data")
    out = capsys.readouterr().out
    assert "désactivé : dormant@cpom.test" in out and "compte(s) inactif(s)" in out


def test_the_personal_data_page_gives_purposes_and_retention(client, settings):
    settings.INACTIVE_ACCOUNT_DAYS = 90
    page = client.get(reverse("core:personal_data")).content.decode()
    assert "désactivé automatiquement" in page and "90 jours" in page and "R14" in page
