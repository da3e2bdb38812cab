"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "axes",
    "ninja",
    "cpom.core",
    "cpom.territory",
    "cpom.indicators",
    "cpom.organisations",
    "cpom.plans",
    "cpom.contracts",
    "cpom.reports",
    "cpom.steering",
    "cpom.notifications",
    "cpom.workspace",
    "cpom.api",
    "cpom.accounts",
    "cpom.reference",
    "cpom.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cpom.api.middleware.ExportTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cpom.accounts.middleware.SecondFactorMiddleware",
]
# Second factor (TOTP): optional for everyone, required for administrators in production.
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=False)
OTP_TOTP_ISSUER = "Plateforme CPOM"

# Content Security Policy (django-csp): only our own scripts and styles, the DSFR's inline script by nonce, no
# framing. The DSFR chart tooltips set a colour through a style attribute: `style-src-attr` allows only that.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cpom" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cpom.core.context_processors.site",
                "cpom.workspace.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite file under var/ by default; PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'cpom.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (seconds) spare a PostgreSQL connection per request; 60 in production (README).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only the ProConnect callback (cpom/accounts/proconnect.py); inert while ProConnect is not configured.
    "cpom.accounts.proconnect.ProConnectBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The client's address behind a reverse proxy (cpom/core/clientip.py): off by default (the connection's address).
# In production behind our proxy: TRUSTED_PROXY_HEADER=HTTP_X_FORWARDED_FOR and TRUSTED_PROXY_COUNT=1 (README).
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
AXES_CLIENT_IP_CALLABLE = "cpom.core.clientip.client_ip"
# Lockout after repeated failed logins (django-axes): on the pair account + address, so that nobody locks another
# person out from elsewhere and a shared address (a proxy) does not lock every account.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the e-mail address as "username" (AuthenticationForm): without this, axes looks for an
# "email" credential (USERNAME_FIELD), records every failure without a username and never locks the account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The sign-in journal is kept this many days (`manage.py minimise_personal_data`).
AXES_LOG_RETENTION_DAYS = env.int("AXES_LOG_RETENTION_DAYS", default=30)

# ProConnect (OpenID Connect federation of the State), off unless a client id and the provider are set (README).
# The provider: its discovery document, or each endpoint (an endpoint given here overrides the discovered one).
PROCONNECT_DISCOVERY_URL = env.str("PROCONNECT_DISCOVERY_URL", default="")
PROCONNECT_ISSUER = env.str("PROCONNECT_ISSUER", default="")
PROCONNECT_AUTHORIZATION_ENDPOINT = env.str("PROCONNECT_AUTHORIZATION_ENDPOINT", default="")
PROCONNECT_TOKEN_ENDPOINT = env.str("PROCONNECT_TOKEN_ENDPOINT", default="")
PROCONNECT_USERINFO_ENDPOINT = env.str("PROCONNECT_USERINFO_ENDPOINT", default="")
PROCONNECT_JWKS_ENDPOINT = env.str("PROCONNECT_JWKS_ENDPOINT", default="")
PROCONNECT_END_SESSION_ENDPOINT = env.str("PROCONNECT_END_SESSION_ENDPOINT", default="")
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_SCOPES = env.str("PROCONNECT_SCOPES", default="openid email given_name usual_name siret uid")
PROCONNECT_ACR_VALUES = env.str("PROCONNECT_ACR_VALUES", default="")
PROCONNECT_SIGN_ALGORITHMS = env.list("PROCONNECT_SIGN_ALGORITHMS", default=["RS256", "ES256"])
PROCONNECT_TIMEOUT = env.float("PROCONNECT_TIMEOUT", default=10)
# Signing out of a ProConnect session posts the sign-out form, answered by a redirect to ProConnect's
# end_session endpoint: the pages' form-action must allow ProConnect's origin, or the browser blocks the redirect.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
    {
        f"{parts.scheme}://{parts.netloc}"
        for parts in map(urlsplit, [PROCONNECT_DISCOVERY_URL, PROCONNECT_END_SESSION_ENDPOINT])
        if parts.scheme and parts.netloc
    }
)
# Who to ask for an invitation, named on the page shown to a person without an account.
ACCOUNTS_CONTACT = env.str(
    "ACCOUNTS_CONTACT", default="au gestionnaire de votre organisation ou à l'administrateur de la plateforme"
)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Accounts without sign-in for this many days are deactivated by `manage.py minimise_personal_data`.
INACTIVE_ACCOUNT_DAYS = env.int("INACTIVE_ACCOUNT_DAYS", default=180)
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["cpom.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"

SIGNATURE_TRUST_ROOTS = env.list("SIGNATURE_TRUST_ROOTS", default=[])  # PEM files of trusted signature authorities
# E-mail goes out through SMTP as soon as EMAIL_HOST is set (production); without it, `make run` prints every
# message to the console. Requests never talk to SMTP: messages wait in the outbox (cpom.notifications) and the
# `send_notifications` command (cron) sends them.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env.str("EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Plateforme CPOM <ne-pas-repondre@cpom.localhost>")

SITE_TITLE = "Plateforme CPOM"
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")  # the links of the e-mails
# The support contact shown in every page's footer (set it to the operating team's mailbox in production).
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support-cpom@cpom.localhost")
SITE_TAGLINE = "Contrats pluriannuels d'objectifs et de moyens des services de prévention et de santé au travail"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
