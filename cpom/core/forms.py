import datetime as dt

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr


class DsfrFormMixin:
    """DSFR rendering for any form, optional fields marked (DSFR's current guidance)."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)
        for field in self.fields.values():
            _french_empty_choice(field)

    def get_context(self) -> dict:
        # django-dsfr warns on every render whichever way the transitional setting is given;
        # we pass the behaviour it announces directly.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class DateInput(forms.DateInput):
    """The DSFR date input (`type="date"`): the browser's calendar shows the date the French way (JJ/MM/AAAA);
    the field still accepts a typed 31/12/2026 as well as the ISO date the browser sends."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        """A refused form gives back what was typed: a 31/12/2026 is rewritten 2026-12-31, which the date input
        shows (it would show an empty field otherwise)."""
        if isinstance(value, str):
            try:
                return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date().isoformat()
            except ValueError:
                return value
        return super().format_value(value)


DJANGO_EMPTY_LABEL = "---------"
EMPTY_LABEL = "— Choisir —"


def _french_empty_choice(field) -> None:
    """Django's "---------" empty choice reads as a glitch: a select offers "— Choisir —" instead."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = EMPTY_LABEL
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if any(label == DJANGO_EMPTY_LABEL for _, label in choices):
            field.choices = [(value, EMPTY_LABEL if label == DJANGO_EMPTY_LABEL else label) for value, label in choices]


class Form(DsfrFormMixin, forms.Form):
    pass


class ModelForm(DsfrFormMixin, forms.ModelForm):
    pass


__all__ = ["DateInput", "DsfrBaseForm", "Form", "ModelForm"]
