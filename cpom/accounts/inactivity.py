"""Accounts unused for a long time are deactivated (data minimisation, and fewer dormant doors): an account whose
last sign-in — or creation, if it never signed in — is older than settings.INACTIVE_ACCOUNT_DAYS."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from .enums import Role
from .models import User


def inactive_accounts(now: dt.datetime, days: int | None = None):
    limit = now - dt.timedelta(days=days if days is not None else settings.INACTIVE_ACCOUNT_DAYS)
    return User.objects.filter(is_active=True).filter(
        Q(last_login__lt=limit) | Q(last_login__isnull=True, date_joined__lt=limit)
    )


@transaction.atomic
def deactivate_inactive_accounts(now: dt.datetime, days: int | None = None) -> list[User]:
    """Deactivates the inactive accounts, except the last active administrator (the platform must stay
    administrable); returns those deactivated."""
    accounts = list(inactive_accounts(now, days).select_for_update().order_by("email"))
    admins_left = User.objects.filter(is_active=True, role=Role.ADMIN).exclude(pk__in=[u.pk for u in accounts])
    if not admins_left.exists():
        accounts = [user for user in accounts if user.role != Role.ADMIN] + [
            user for user in accounts if user.role == Role.ADMIN
        ][1:]
    User.objects.filter(pk__in=[user.pk for user in accounts]).update(is_active=False)
    return accounts


def purge_sign_in_logs(now: dt.datetime, days: int | None = None) -> int:
    """Deletes the sign-in journal (django-axes) older than settings.AXES_LOG_RETENTION_DAYS; returns the rows
    deleted. A lockout in progress is kept: it is newer than any sensible retention."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    limit = now - dt.timedelta(days=days if days is not None else settings.AXES_LOG_RETENTION_DAYS)
    deleted = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted += model.objects.filter(attempt_time__lt=limit).delete()[0]
    return deleted
