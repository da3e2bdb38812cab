from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from cpom.core.forms import DsfrFormMixin

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
