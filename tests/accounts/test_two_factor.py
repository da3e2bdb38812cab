"""Optional TOTP second factor: enrolment, the code asked after the password, refusals in French; required for
administrators when OTP_REQUIRED_FOR_ADMINS (production)."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpom.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def code_of(device: TOTPDevice) -> str:
    """The next code the device accepts: a code is good once (django-otp refuses a replay), so after a use the
    test takes the next time step, within the device's tolerance of one step."""
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits)
    clock.drift = max(0, device.last_t + 1 - clock.t())
    return f"{clock.token():06d}"


def enrol(client) -> TOTPDevice:
    url = reverse("accounts:two_factor")
    page = client.post(url, {"action": "start"}).content.decode()
    assert "Code à 6 chiffres" in page
    device = TOTPDevice.objects.get(confirmed=False)
    assert client.post(url, {"action": "confirm", "code": code_of(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def password_login(client, user: User):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def test_an_agent_enrols_then_must_give_a_code_after_the_password(client, dreets_agent, login):
    device = enrol(login(dreets_agent))
    response = password_login(client, dreets_agent)
    assert response.status_code == 302
    home = client.get(reverse("steering:watch"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.get("/api/contracts").status_code == 401, "no API through an unverified session"
    refused = client.post(reverse("accounts:two_factor_verify"), {"code": "12", "next": "/"})
    assert "6 chiffres" in refused.content.decode()
    wrong = client.post(
        reverse("accounts:two_factor_verify"), {"code": "000000" if code_of(device) != "000000" else "111111"}
    )
    assert "Code incorrect" in wrong.content.decode()
    throttled = client.post(reverse("accounts:two_factor_verify"), {"code": code_of(device)})
    assert "Trop de codes erronés" in throttled.content.decode(), "each wrong code makes the next one wait"
    device.refresh_from_db()
    device.throttle_reset()  # the wait is over
    ok = client.post(
        reverse("accounts:two_factor_verify"), {"code": code_of(device), "next": reverse("steering:watch")}
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("steering:watch")
    assert client.get(reverse("steering:watch")).status_code == 200


def test_a_wrong_confirmation_code_does_not_enable_it(dreets_agent, login):
    client = login(dreets_agent)
    url = reverse("accounts:two_factor")
    client.post(url, {"action": "start"})
    page = client.post(url, {"action": "confirm", "code": "abcdef"}).content.decode()
    assert "6 chiffres" in page and 'aria-invalid="true"' in page
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_disabling_needs_a_current_code(dreets_agent, login):
    client = login(dreets_agent)
    device = enrol(client)
    url = reverse("accounts:two_factor")
    assert (
        "Code incorrect"
        in client.post(
            url, {"action": "disable", "code": "999999" if code_of(device) != "999999" else "000000"}
        ).content.decode()
    )
    assert TOTPDevice.objects.filter(user=dreets_agent).exists()


def test_an_open_redirect_is_not_followed_after_the_code(client, dreets_agent, login):
    device = enrol(login(dreets_agent))
    password_login(client, dreets_agent)
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": code_of(device), "next": "https://evil.example"}
    )
    assert response["Location"] == "/"


def test_in_production_an_administrator_must_enrol_first(admin, login, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    client = login(admin)
    response = client.get(reverse("organisations:spsti_list"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor")
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "obligatoire pour les administrateurs" in page
    enrol(client)
    assert client.get(reverse("organisations:spsti_list")).status_code == 200
