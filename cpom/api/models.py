import datetime as dt
import hashlib
import hmac
import secrets

from django.db import models
from django.utils import timezone

PREFIX_LENGTH = 8
DEFAULT_VALIDITY = dt.timedelta(days=365)
MAX_VALIDITY_DAYS = 3 * 365


def default_expiry():
    return timezone.now() + DEFAULT_VALIDITY


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal access token for the API. Only its hash is stored; the key is shown once, at creation."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField("libellé", max_length=100)
    prefix = models.CharField("préfixe", max_length=PREFIX_LENGTH, unique=True)
    key_hash = models.CharField("empreinte", max_length=64)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", default=default_expiry)
    read_only = models.BooleanField(
        "lecture seule", default=False, help_text="Un jeton en lecture seule est refusé sur toute écriture."
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, *, user, label: str, expires_on: dt.date | None = None, read_only: bool = False
    ) -> tuple["ApiToken", str]:
        """A new token; it expires at the end of `expires_on` (one year from now by default)."""
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        secret = secrets.token_urlsafe(32)
        expires_at = default_expiry()
        if expires_on is not None:
            expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
        token = cls.objects.create(
            user=user,
            label=label.strip() or "Jeton",
            prefix=prefix,
            key_hash=_digest(secret),
            expires_at=expires_at,
            read_only=read_only,
        )
        return token, f"cpom_{prefix}_{secret}"

    @classmethod
    def authenticate(cls, key: str):
        """The user of a valid key, else None. Compares digests in constant time."""
        token = cls.find(key)
        return token.user if token is not None else None

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        """The valid (unrevoked, unexpired, of an active user) token of a key, else None; its last use recorded."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "cpom":
            return None
        token = cls.objects.active().select_related("user").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.key_hash, _digest(parts[2])):
            return None
        now = timezone.now()
        # The last use is recorded to the minute: one write per token and minute, not one per request.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token
