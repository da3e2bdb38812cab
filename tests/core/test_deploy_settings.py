"""Production settings pass Django's deployment checks, with secure cookies, HSTS and frame denial."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production(*args: str) -> subprocess.CompletedProcess:
    """Runs Python with the production settings and the environment they require."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set for the browser tests
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "cpom.travail.gouv.fr",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_manage_py_check_deploy_is_clean_with_production_settings():
    done = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_cookies_are_secure_and_pages_unframeable():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT, s.DEBUG, len(s.AUTH_PASSWORD_VALIDATORS) >= 3)"
    )
    done = production("-c", script)
    assert done.stdout.split() == ["True", "True", "True", "DENY", "True", "True", "False", "True"], done.stderr


def test_with_proconnect_configured_the_pages_may_post_the_sign_out_on_to_proconnect():
    """The sign-out form is answered by a redirect to ProConnect's end_session endpoint: CSP form-action allows
    ProConnect's origin then, and only then."""
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    discovery = "https://fca.integ01.dev-agentconnect.fr/api/v2/.well-known/openid-configuration"
    without = production("-c", script)
    configured = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "PROCONNECT_DISCOVERY_URL": discovery},
        capture_output=True,
        text=True,
    )
    assert without.stdout.split() == ["'self'"], without.stderr
    assert configured.stdout.split() == ["'self'", "https://fca.integ01.dev-agentconnect.fr"], configured.stderr
