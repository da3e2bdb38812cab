import os
import shutil
from pathlib import Path

import pytest


def _chromium() -> str | None:
    """CPOM_CHROMIUM if it exists, else Debian's /usr/bin/chromium, else the one on the PATH."""
    for candidate in (os.environ.get("CPOM_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM = _chromium()
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the fixtures are still
# synchronous and sequential, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium n'est pas installé (apt-get install -y chromium) : tests du navigateur sautés.")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


AXE_SOURCE = AXE.read_text() if AXE.exists() else ""


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol rather than added as a <script>: the pages' Content-Security-Policy
    # (rightly) refuses an injected inline script.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def signed_in_context(browser, live_server, email: str | None, **options):
    """A French browser context, signed in as `email` through a session cookie (none for an anonymous visitor)."""
    from django.conf import settings
    from django.test import Client

    from cpom.accounts.models import User

    context = browser.new_context(locale="fr-FR", **options)
    if email:
        client = Client()
        client.force_login(User.objects.get(email=email))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context
