"""Rate limit of password-reset e-mails, per account and per address (issue 16, item 10).

Within `RESET_WINDOW`, at most `RESET_LIMIT_PER_ACCOUNT` e-mails for one address typed and
`RESET_LIMIT_PER_ADDRESS` requests from one client address. Beyond, nothing is sent and the page answers as for
any request (« if an account exists, an e-mail was sent »): the limit reveals nothing about accounts. Requests
are counted in a table (PasswordResetRequest), shared by every worker process; rows older than the window are
deleted as new ones come.
"""

import datetime as dt
import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpom.core.clientip import client_ip

from .models import PasswordResetRequest

RESET_WINDOW = dt.timedelta(hours=1)
RESET_LIMIT_PER_ACCOUNT = 3
RESET_LIMIT_PER_ADDRESS = 10


def account_digest(email: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _ip(request) -> str | None:
    address = client_ip(request) if request is not None else ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


@transaction.atomic
def reset_allowed(email: str, request, *, now: dt.datetime | None = None) -> bool:
    """Records the request and says whether an e-mail may be sent for it."""
    now = now or timezone.now()
    since = now - RESET_WINDOW
    PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
    digest, ip = account_digest(email), _ip(request)
    recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
    allowed = recent.filter(account_digest=digest).count() < RESET_LIMIT_PER_ACCOUNT and (
        ip is None or recent.filter(ip_address=ip).count() < RESET_LIMIT_PER_ADDRESS
    )
    PasswordResetRequest.objects.create(account_digest=digest, ip_address=ip, requested_at=now)
    return allowed
