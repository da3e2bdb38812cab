from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from . import proconnect, views
from .forms import LoginForm, NewPasswordForm, ResetForm

app_name = "accounts"


def _public(view):
    return login_not_required(view)


urlpatterns = [
    path(
        "connexion/",
        _public(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html",
                authentication_form=LoginForm,
                redirect_authenticated_user=True,
                extra_context={"page_title": "Connexion"},
            )
        ),
        name="login",
    ),
    path("deconnexion/", views.logout, name="logout"),
    path("proconnect/connexion/", _public(proconnect.ProConnectLogin.as_view()), name="proconnect_login"),
    path("proconnect/retour/", _public(proconnect.ProConnectCallback.as_view()), name="proconnect_callback"),
    path("personnes/", views.people, name="people"),
    path("personnes/inviter/", views.invite, name="invite"),
    path("personnes/<int:pk>/", views.person, name="person"),
    path("invitations/<int:pk>/renvoyer/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/annuler/", views.invitation_cancel, name="invitation_cancel"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("double-authentification/", views.two_factor_settings, name="two_factor"),
    path("double-authentification/code/", views.two_factor_verify, name="two_factor_verify"),
    path(
        "mot-de-passe/oubli/",
        _public(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                email_template_name="accounts/password_reset_email.txt",
                subject_template_name="accounts/password_reset_subject.txt",
                form_class=ResetForm,
                success_url=reverse_lazy("accounts:password_reset_done"),
                extra_context={"page_title": "Mot de passe oublié"},
            )
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        _public(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html", extra_context={"page_title": "Courriel envoyé"}
            )
        ),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        _public(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="accounts/password_reset_confirm.html",
                form_class=NewPasswordForm,
                success_url=reverse_lazy("accounts:password_reset_complete"),
                extra_context={"page_title": "Nouveau mot de passe"},
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        _public(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html",
                extra_context={"page_title": "Mot de passe modifié"},
            )
        ),
        name="password_reset_complete",
    ),
]
