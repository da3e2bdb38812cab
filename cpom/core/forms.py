import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from .text import LONG_TEXT, SHORT_TEXT, date_problem, text_problem


def _no_control_characters(value) -> None:
    if isinstance(value, str) and (problem := text_problem(value, limit=10**9)):
        raise ValidationError(problem[0].upper() + problem[1:], code="control_characters")


def _plausible_date(value) -> None:
    if value is not None and (problem := date_problem(value)):
        raise ValidationError(problem[0].upper() + problem[1:], code="implausible_date")


def apply_input_policy(form) -> None:
    """The text policy of `cpom.core.text` on every field of `form`: free texts without a limit get one (long for
    a text area, short otherwise), control characters are refused, dates must be plausible."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.validators.append(_plausible_date)
        elif isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
            if field.max_length is None:
                field.max_length = LONG_TEXT if isinstance(field.widget, forms.Textarea) else SHORT_TEXT
                field.validators.append(MaxLengthValidator(field.max_length))
                field.widget.attrs.update(field.widget_attrs(field.widget))
            field.validators.append(_no_control_characters)


class DsfrFormMixin:
    """DSFR rendering for any form, optional fields marked (DSFR's current guidance)."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_input_policy(self)
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
