from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from cpom.core.forms import DsfrFormMixin


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
    pass


class NewPasswordForm(DsfrFormMixin, SetPasswordForm):
    pass
