from django import forms

from cpom.core.forms import Form
from cpom.indicators.enums import IndicatorLevel, ValueType
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.models import Organisation, ServiceProjectPriority, Spsti
from cpom.plans.models import CogProgramme, PrstAction

from .enums import AmendmentKind, CommitmentCategory, ConsultedBody, ContractStatus, Opinion, PartyRole
from .models import Campaign, CommitmentTemplate, ContractParty, ToolboxDocument

DATE_HELP = "Format : JJ/MM/AAAA"
TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _date(label: str, *, required: bool = True, help_text: str = DATE_HELP) -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text)


class ContractFilterForm(Form):
    q = forms.CharField(label="Service, SIRET ou référence", required=False, max_length=100)
    region = forms.ChoiceField(label="Région", required=False)
    generation = forms.TypedChoiceField(
        label="Génération",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Toutes"), (1, "1re"), (2, "2e"), (3, "3e"), (4, "4e")],
    )
    status = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *ContractStatus.choices])
    theme = forms.ChoiceField(label="Thématique", required=False)
    expiring = forms.BooleanField(label="Fin dans les 6 mois", required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes")] + [(r.code, r.name) for r in regions]
        self.fields["theme"].choices = [("", "Toutes")] + [(t.code, t.label) for t in Theme.objects.order_by("code")]


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    """Each service told apart from its namesakes: name, SIRET, department of its seat, approval (the queryset is
    annotated by `Spsti.objects.with_current_approval()` and selects `headquarters_department`)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, spsti) -> str:
        end = getattr(spsti, "approval_end", None)
        status = getattr(spsti, "approval_status", "")
        if end is None:
            approval = "sans agrément"
        elif status == "expire":
            approval = f"agrément échu le {end:%d/%m/%Y}"
        else:
            approval = f"agréé jusqu'au {end:%d/%m/%Y}"
        department = spsti.headquarters_department
        siret = f"{spsti.siret[:3]} {spsti.siret[3:6]} {spsti.siret[6:9]} {spsti.siret[9:]}"
        return f"{spsti.name} — SIRET {siret} — {department.code} {department.name} — {approval}"


class DraftForm(Form):
    services = ServiceChoiceField(
        label="Service(s) signataire(s)",
        queryset=Spsti.objects.none(),
        help_text="Un seul service en général ; plusieurs pour un contrat régional unique (règle R1).",
    )
    campaign = forms.ModelChoiceField(
        label="Campagne (cadre régional)", queryset=Campaign.objects.none(), required=False, empty_label="Aucune"
    )
    generation = forms.TypedChoiceField(
        label="Génération (si aucune campagne)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "1re"), (2, "2e"), (3, "3e"), (4, "4e")],
    )

    def __init__(self, *args, services, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services
        self.fields["campaign"].queryset = campaigns


class GeneralTermsForm(Form):
    title = forms.CharField(label="Intitulé", max_length=250)
    context = forms.CharField(label="Contexte", widget=TEXTAREA, required=False)
    general_objectives = forms.CharField(label="Objectifs généraux", widget=TEXTAREA, required=False)
    pdp_cell_composition = forms.CharField(
        label="Composition minimale de la cellule PDP",
        widget=TEXTAREA,
        required=False,
        help_text="Obligatoire avant la consultation (règle R6).",
    )
    planned_end = _date("Fin prévue", required=False, help_text="Au plus tard la fin de l'agrément (R3). " + DATE_HELP)
    signature_place = forms.CharField(label="Lieu de signature", max_length=100, required=False)


class AxisForm(Form):
    title = forms.CharField(label="Intitulé de l'axe", max_length=250)
    description = forms.CharField(label="Description", widget=TEXTAREA, required=False)


class ActionForm(Form):
    title = forms.CharField(label="Intitulé de la fiche action", max_length=250)
    theme = forms.ModelChoiceField(label="Thématique", queryset=Theme.objects.order_by("code"), required=False)
    objective = forms.CharField(label="Objectif", widget=TEXTAREA, required=False)
    method = forms.CharField(label="Modalités de mise en œuvre", widget=TEXTAREA, required=False)
    calendar = forms.CharField(label="Calendrier", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    means_spsti = forms.CharField(label="Moyens du service", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    means_state = forms.CharField(label="Moyens de la DREETS", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    means_caisse = forms.CharField(
        label="Moyens de la caisse", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    prst_actions = forms.ModelMultipleChoiceField(
        label="Actions du PRST", queryset=PrstAction.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    pps_priorities = forms.ModelMultipleChoiceField(
        label="Priorités du projet de service",
        queryset=ServiceProjectPriority.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cog_programmes = forms.ModelMultipleChoiceField(
        label="Programmes de la COG",
        queryset=CogProgramme.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prst_actions"].queryset = PrstAction.objects.filter(plan__region_id=contract.region_id).order_by(
            "plan__number", "code"
        )
        services = contract.parties.filter(role=PartyRole.SPSTI).values("organisation_id")
        self.fields["pps_priorities"].queryset = ServiceProjectPriority.objects.filter(
            project__spsti__in=services
        ).select_related("project")


class CommitmentCatalogueForm(Form):
    templates = forms.ModelMultipleChoiceField(
        label="Engagements du catalogue",
        queryset=CommitmentTemplate.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["templates"].label_from_instance = lambda t: (
            f"{t.get_party_role_display()} — {t.get_category_display()} : {t.text}"
        )


class CommitmentForm(Form):
    party_role = forms.ChoiceField(label="Partie", choices=PartyRole.choices)
    category = forms.ChoiceField(label="Nature", choices=CommitmentCategory.choices)
    text = forms.CharField(label="Engagement", widget=TEXTAREA)


class SpecificIndicatorForm(Form):
    label = forms.CharField(label="Libellé", max_length=300)
    value_type = forms.ChoiceField(label="Type de valeur", choices=ValueType.choices)
    level = forms.ChoiceField(label="Niveau (règle R13)", choices=[("", "—"), *IndicatorLevel.choices], required=False)
    theme = forms.ModelChoiceField(label="Thématique", queryset=Theme.objects.order_by("code"), required=False)


class TargetsForm(Form):
    """One optional target per year of the contract."""

    def __init__(self, *args, years: list[int], initial_targets: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for year in years:
            self.fields[f"cible_{year}"] = forms.CharField(
                label=f"Cible {year}", required=False, max_length=100, initial=initial_targets.get(year, "")
            )

    def targets(self) -> dict[int, str]:
        return {int(name.removeprefix("cible_")): value for name, value in self.cleaned_data.items()}


class ConventionForm(Form):
    caisse = forms.ModelChoiceField(label="Caisse", queryset=Organisation.objects.none())
    title = forms.CharField(label="Objet de la convention", max_length=250)
    reference = forms.CharField(label="Référence", max_length=100, required=False)
    signed_on = _date("Signée le", required=False)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caisse"].queryset = Organisation.objects.filter(
            contract_parties__contract=contract, contract_parties__role=PartyRole.CAISSE
        )


DOCUMENT_HELP = "PDF signé électroniquement (vérifié par la plateforme), ou scan en PDF, PNG ou JPEG ; 20 Mo au plus."


class OpinionForm(Form):
    body = forms.ChoiceField(label="Instance", choices=ConsultedBody.choices)
    given_on = _date("Avis rendu le")
    opinion = forms.ChoiceField(label="Avis", choices=Opinion.choices)
    comment = forms.CharField(label="Observations", widget=TEXTAREA, required=False)
    document = forms.FileField(
        label="Procès-verbal du CRPST ou courrier de l'ARS",
        required=False,
        help_text="Obligatoire pour l'avis du CRPST et pour un avis saisi pour le compte de l'ARS. " + DOCUMENT_HELP,
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(value, label) for value, label in ConsultedBody.choices if value in bodies]


class SignatureForm(Form):
    party = forms.ModelChoiceField(label="Partie qui signe", queryset=ContractParty.objects.none())
    signed_on = _date("Signé le")
    signatory_title = forms.CharField(
        label="Signataire et qualité", max_length=200, help_text="Par exemple : Marie Dupont, présidente du service."
    )
    document = forms.FileField(
        label="Document signé",
        required=False,
        help_text="Obligatoire pour enregistrer la signature d'une autre partie que votre organisation. "
        + DOCUMENT_HELP,
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


class AmendmentForm(Form):
    kind = forms.ChoiceField(label="Nature", choices=AmendmentKind.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label="Objet de l'avenant", widget=TEXTAREA)
    new_end = _date("Nouvelle date de fin (prolongation)", required=False)


class TerminationForm(Form):
    party = forms.ModelChoiceField(label="Partie qui dénonce", queryset=ContractParty.objects.none())
    notified_on = _date("Notifiée le")
    effective_on = _date("Prend effet le")
    reason = forms.CharField(label="Motif", widget=TEXTAREA)
    registered_letter_reference = forms.CharField(label="Référence du courrier recommandé avec AR", max_length=100)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


class CommentForm(Form):
    text = forms.CharField(label="Votre commentaire sur le projet", widget=TEXTAREA, max_length=5000)


class VersionCompareForm(Form):
    before = forms.TypedChoiceField(label="Version de départ", coerce=int)
    after = forms.TypedChoiceField(label="Version d'arrivée", coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, f"{v.number} — {v.label} ({v.created_on:%d/%m/%Y})") for v in versions]
        self.fields["before"].choices = choices
        self.fields["after"].choices = choices


# --- campaign frame -----------------------------------------------------------------------------------------------
class CampaignForm(Form):
    region = forms.ChoiceField(label="Région")
    generation = forms.IntegerField(label="Génération", min_value=1, max_value=9)
    title = forms.CharField(label="Intitulé", max_length=200)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]


class PriorityThemesForm(Form):
    themes = forms.ModelMultipleChoiceField(
        label="Thématiques prioritaires régionales",
        queryset=Theme.objects.filter(scope="prevention").order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    crpst_validated_on = _date("Validées par le CRPST le", required=False)


class GroupForm(Form):
    title = forms.CharField(label="Intitulé du groupe", max_length=200)
    theme = forms.ModelChoiceField(label="Thématique", queryset=Theme.objects.order_by("code"), required=False)
    pilot = forms.ModelChoiceField(label="Pilote", queryset=Organisation.objects.none())
    members = forms.ModelMultipleChoiceField(
        label="Membres", queryset=Organisation.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = organisations
        self.fields["members"].queryset = organisations


class DocumentForm(Form):
    kind = forms.ChoiceField(label="Nature", choices=ToolboxDocument.Kind.choices)
    title = forms.CharField(label="Titre", max_length=200)
    link = forms.URLField(label="Adresse du document", required=False, assume_scheme="https")
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RegionalIndicatorForm(Form):
    code = forms.CharField(label="Code", max_length=40, help_text="Lettres, chiffres et « _ », par exemple PDP_DELAI.")
    label = forms.CharField(label="Libellé", max_length=300)
    themes = forms.ModelMultipleChoiceField(
        label="Thématiques", queryset=Theme.objects.order_by("code"), widget=forms.CheckboxSelectMultiple
    )
    value_type = forms.ChoiceField(label="Type de valeur", choices=ValueType.choices)
    level = forms.ChoiceField(label="Niveau (règle R13)", choices=IndicatorLevel.choices)
    parent = forms.ModelChoiceField(
        label="Sous-total « dont » de", queryset=Indicator.objects.none(), required=False, empty_label="Aucun"
    )

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Indicator.objects.filter(value_type=ValueType.INTEGER).filter(
            region__isnull=True
        ) | Indicator.objects.filter(value_type=ValueType.INTEGER, region=region)
