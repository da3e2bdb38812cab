"""No raw codes on a page: control rules in words, selects without Django's "---------"."""

from django import forms

from cpom.core.forms import EMPTY_LABEL, Form
from cpom.indicators.models import rule_label


def test_control_rules_read_in_words():
    assert rule_label(">= 0") == "nombre positif ou nul"
    assert rule_label("<= parent") == "ne dépasse pas son total"
    assert rule_label(">= 2; <= 10") == "au moins 2 ; au plus 10"
    assert rule_label("") == ""


def test_an_optional_select_offers_a_french_empty_choice():
    class Sample(Form):
        kind = forms.TypedChoiceField(choices=[("", "---------"), ("a", "A")], required=False)

    html = str(Sample()["kind"])
    assert "---------" not in html and EMPTY_LABEL in html
