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

    def get_context(self) -> dict:
        # django-dsfr warns on every render whichever way the transitional setting is given;
        # we pass the behaviour it announces directly.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class Form(DsfrFormMixin, forms.Form):
    pass


class ModelForm(DsfrFormMixin, forms.ModelForm):
    pass


__all__ = ["DsfrBaseForm", "Form", "ModelForm"]
