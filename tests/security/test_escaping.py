"""HTML escaping of every user string: the demo with a script payload appended to every free text field of every
business table, then its pages read as an agent, a service and the national cell — the payload is only ever
shown as text."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from cpom.accounts.models import User
from cpom.contracts.models import Contract
from cpom.demo.generator import load_demo
from cpom.organisations.models import Spsti
from cpom.reference.loader import load_reference
from cpom.reports.models import Report

pytestmark = pytest.mark.django_db(transaction=True)
PAYLOAD = "<script>alert('x')</script>\"'><img src=x onerror=alert(1)>"
# Identifiers, codes and secrets that never hold free text (and are validated where they are typed).
NOT_FREE_TEXT = {
    "code",
    "siret",
    "email",
    "password",
    "prefix",
    "key_hash",
    "reference",
    "session_key",
    "region_id",
    "kind",
    "role",
    "status",
    "theme_id",
    "indicator_id",
}


def poison_every_free_text_field() -> int:
    poisoned = 0
    for config in apps.get_app_configs():
        if not config.name.startswith("cpom."):
            continue
        for model in config.get_models():
            for field in model._meta.local_concrete_fields:
                if (
                    isinstance(field, models.CharField | models.TextField)
                    and not field.choices
                    and not field.primary_key
                    and not field.unique
                    and field.name not in NOT_FREE_TEXT
                    and (field.max_length is None or field.max_length >= 120)
                ):
                    poisoned += model._base_manager.exclude(**{field.name: ""}).update(
                        **{field.name: models.functions.Concat(field.name, models.Value(" " + PAYLOAD))}
                    )
    return poisoned


def test_a_script_in_every_text_field_of_the_demo_is_shown_as_text(client):
    load_reference()
    load_demo(seed=2026, every_contract=False)
    assert poison_every_free_text_field() > 500
    year = dt.date.today().year - 1
    pst35 = Spsti.objects.get(code="SPSTI-PST35")
    contract = Contract.objects.filter(parties__organisation=pst35).order_by("-start").first()
    report = Report.objects.filter(spsti=pst35).order_by("-year").first()
    pages = {
        "dreets-bretagne@cpom.test": [
            reverse("organisations:spsti_list"),
            reverse("organisations:spsti_detail", args=[pst35.pk]),
            reverse("contracts:contract_list"),
            *[
                reverse("contracts:contract_detail", args=[contract.pk]) + f"?onglet={tab}"
                for tab in ("parties", "axes", "indicateurs", "engagements", "annexes", "signatures", "historique")
            ],
            reverse("reports:report_list"),
            reverse("reports:report_detail", args=[report.pk]),
            reverse("reports:value_history", args=[report.pk]),
            reverse("steering:regional", args=["53"]) + f"?annee={year}",
            reverse("steering:regional_bilan", args=["53"]) + f"?annee={year}",
            reverse("steering:watch"),
            reverse("steering:restitution", args=[pst35.pk]) + f"?annee={year}",
        ],
        "pst35@cpom.test": [
            reverse("workspace:home"),
            reverse("reports:report_detail", args=[report.pk]),
            reverse("steering:restitution", args=[pst35.pk]) + f"?annee={year}",
        ],
        "dgt@cpom.test": [
            reverse("steering:national") + f"?annee={year}",
            reverse("steering:national_bilan") + f"?annee={year}",
        ],
    }
    shown = 0
    for email, paths in pages.items():
        client.force_login(User.objects.get(email=email))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            assert "<script>alert(" not in html and "<img src=x" not in html, path
            shown += html.count("&lt;script&gt;alert(")
    assert shown > 50, "the poisoned texts are on the pages, escaped"
