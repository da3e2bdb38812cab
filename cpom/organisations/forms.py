from django import forms

from cpom.core.forms import DateInput, Form
from cpom.core.parsing import parse_count
from cpom.territory.models import Department

from .enums import ApprovalStatus, SpstiCategory
from .rules import approval_period_error
from .siret import normalise_siret, siret_error

STATUS_FILTER_CHOICES = [
    ("", "Tous"),
    (ApprovalStatus.VALID, "Agrément en cours"),
    (ApprovalStatus.EXPIRING, "Échéance dans les 6 mois"),
    (ApprovalStatus.EXPIRED, "Agrément expiré"),
    (ApprovalStatus.CONDITIONAL, "Agrément conditionnel"),
    (ApprovalStatus.NONE, "Sans agrément"),
]


class RegistryFilterForm(Form):
    q = forms.CharField(label="Nom, commune ou SIRET", required=False, max_length=100)
    region = forms.ChoiceField(label="Région", required=False)
    department = forms.ChoiceField(label="Département", required=False)
    status = forms.ChoiceField(label="Agrément", required=False, choices=STATUS_FILTER_CHOICES)

    def __init__(self, *args, regions, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes")] + [(region.code, region.name) for region in regions]
        self.fields["department"].choices = [("", "Tous")] + [
            (department.code, str(department)) for department in departments
        ]


class SiretField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)

    def clean(self, value):
        value = normalise_siret(super().clean(value) or "")
        message = siret_error(value)
        if message:
            raise forms.ValidationError(message, code="invalid_siret")
        return value


class CountField(forms.CharField):
    """A count typed the French way: « 18 300 » is accepted."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_count(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class SpstiForm(Form):
    name = forms.CharField(label="Nom", max_length=200)
    short_name = forms.CharField(label="Nom court", max_length=60, required=False)
    siret = SiretField(label="SIRET", help_text="14 chiffres, espaces autorisés.")
    category = forms.ChoiceField(label="Nature", choices=SpstiCategory.choices)
    sector = forms.CharField(
        label="Secteur", max_length=100, required=False, help_text="Pour un service sectoriel (ex. : BTP)."
    )
    headquarters_department = forms.ModelChoiceField(
        label="Département du siège", queryset=Department.objects.none(), empty_label="Choisir un département"
    )
    departments = forms.ModelMultipleChoiceField(
        label="Départements couverts",
        queryset=Department.objects.none(),
        required=False,
        help_text="Le département du siège par défaut.",
        widget=forms.CheckboxSelectMultiple,
    )
    city = forms.CharField(label="Commune du siège", max_length=100, required=False)
    address = forms.CharField(label="Adresse du siège", max_length=300, required=False)
    employees_followed = CountField(label="Salariés suivis")
    member_companies = CountField(label="Entreprises adhérentes")

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["headquarters_department"].queryset = departments
        self.fields["departments"].queryset = departments

    def clean(self):
        data = super().clean()
        if data.get("category") == SpstiCategory.SECTOR and not data.get("sector"):
            self.add_error("sector", "Un service sectoriel doit préciser son secteur.")
        return data


class ApprovalForm(Form):
    start = forms.DateField(label="Début de l'agrément", widget=DateInput)
    end = forms.DateField(label="Fin de l'agrément", help_text="Au plus 5 ans après le début.", widget=DateInput)
    zones = forms.ModelMultipleChoiceField(
        label="Zone d'agrément (départements)",
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    conditional = forms.BooleanField(label="Agrément conditionnel", required=False)
    conditions = forms.CharField(label="Conditions", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    shortened = forms.BooleanField(
        label="Agrément de deux ans (décret 2022-1435)",
        required=False,
        help_text="Agrément délivré pour deux ans au plus.",
    )
    decision_reference = forms.CharField(label="Référence de la décision", max_length=100, required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = departments

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            message = approval_period_error(start, end, shortened=bool(data.get("shortened")))
            if message:
                self.add_error("end", message)
        if data.get("conditional") and not (data.get("conditions") or "").strip():
            self.add_error("conditions", "Un agrément conditionnel doit énoncer ses conditions.")
        return data
