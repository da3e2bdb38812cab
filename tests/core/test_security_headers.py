"""Every page carries a strict Content-Security-Policy, and needs nothing more: no inline script anywhere."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    policy = dict(
        (directive.split()[0], directive.split()[1:]) for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["style-src"] == ["'self'"] and policy["form-action"] == ["'self'"]


def test_pages_hold_no_inline_script(client, login, dreets_agent):
    for page in (client.get(reverse("accounts:login")), login(dreets_agent).get("/")):
        scripts = re.findall(r"<script[^>]*>", page.content.decode())
        assert scripts and all("src=" in tag for tag in scripts), scripts


def test_pages_cannot_be_framed_and_do_not_sniff_types(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
