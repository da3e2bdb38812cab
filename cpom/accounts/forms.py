from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from cpom.core.forms import DsfrFormMixin, Form
from cpom.organisations.models import Organisation

from .enums import Role
from .people import grantable_roles
from .resets import reset_allowed


class LoginForm(DsfrFormMixin, AuthenticationForm):
    username = forms.EmailField(label="Adresse électronique", widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def clean_username(self) -> str:
        # Accounts are stored in lower case (UserManager.create_user): « Prenom.Nom@… » must sign in too.
        return self.cleaned_data["username"].lower()


class ResetForm(DsfrFormMixin, PasswordResetForm):
    def save(self, *args, request=None, **kwargs):
        """Sends the e-mail unless the account or the address asked too often (resets.py); the page answers the
        same either way."""
        if not reset_allowed(self.cleaned_data["email"], request):
            return None
        return super().save(*args, request=request, **kwargs)


class NewPasswordForm(DsfrFormMixin, SetPasswordForm):
    pass


class InviteForm(Form):
    """Invite a person: an administrator chooses the organisation; a manager invites into his own."""

    email = forms.EmailField(label="Adresse électronique", max_length=254)
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Aucune (administrateur)",
    )
    role = forms.ChoiceField(label="Rôle")
    is_manager = forms.BooleanField(
        label="Gestionnaire de son organisation",
        help_text="Peut inviter les personnes de son organisation, changer leurs rôles et désactiver leurs comptes.",
        required=False,
    )

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        if by.role == Role.ADMIN:
            self.fields["organisation"].queryset = Organisation.objects.active().order_by("kind", "name")
            roles = list(Role)
        else:
            del self.fields["organisation"]
            roles = grantable_roles(by, by.organisation)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]


class PersonForm(Form):
    role = forms.ChoiceField(label="Rôle")
    is_manager = forms.BooleanField(
        label="Gestionnaire de son organisation",
        help_text="Peut inviter les personnes de son organisation, changer leurs rôles et désactiver leurs comptes.",
        required=False,
    )

    def __init__(self, *args, by, person, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = person.organisation if person.organisation_id else None
        self.fields["role"].choices = [(role.value, role.label) for role in grantable_roles(by, organisation)]


class AcceptInvitationForm(Form):
    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, ni trop courant ni proche de votre nom ou de votre adresse.",
    )
    password_again = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "Les deux mots de passe ne sont pas identiques.")
        return data
