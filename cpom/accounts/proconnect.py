"""Sign-in with ProConnect, the State's OpenID Connect federation (successor of AgentConnect), through
mozilla-django-oidc: authorisation code flow with PKCE (S256), state and nonce checked, the ID token's signature
verified with the provider's keys (JWKS, RS256 or ES256), its issuer, audience, expiry and nonce checked.

Off unless PROCONNECT_CLIENT_ID and the provider (PROCONNECT_DISCOVERY_URL, or the endpoints) are set: the pages
answer 404 and the backend authenticates nobody. No account is ever created silently: the first sign-in is matched
to an existing account by its e-mail (then by the stable `sub`), or opens the account of a pending invitation;
anyone else gets a page that says whom to ask for an invitation."""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cpom.core.errors import DomainError

from . import invitations
from .models import Invitation, User

logger = logging.getLogger(__name__)

SESSION_FLAG = "cpom_proconnect"  # the session was opened with ProConnect: its second factor is ProConnect's
ID_TOKEN = "oidc_id_token"  # kept in the session for the end_session request (id_token_hint)


class NotOpened(DomainError):
    """A person ProConnect knows, without an account or an invitation here."""


def enabled() -> bool:
    return bool(
        settings.PROCONNECT_CLIENT_ID
        and (settings.PROCONNECT_DISCOVERY_URL or settings.PROCONNECT_AUTHORIZATION_ENDPOINT)
    )


_discovered: dict[str, dict] = {}


def provider() -> dict[str, str]:
    """The provider's issuer and endpoints: the discovery document (fetched once per process), each overridden
    by its PROCONNECT_* setting when one is given."""
    document: dict = {}
    url = settings.PROCONNECT_DISCOVERY_URL
    if url:
        if url not in _discovered:
            response = requests.get(url, timeout=settings.PROCONNECT_TIMEOUT)
            response.raise_for_status()
            _discovered[url] = response.json()
        document = _discovered[url]
    return {
        "issuer": settings.PROCONNECT_ISSUER or document.get("issuer", ""),
        "authorization_endpoint": settings.PROCONNECT_AUTHORIZATION_ENDPOINT
        or document.get("authorization_endpoint", ""),
        "token_endpoint": settings.PROCONNECT_TOKEN_ENDPOINT or document.get("token_endpoint", ""),
        "userinfo_endpoint": settings.PROCONNECT_USERINFO_ENDPOINT or document.get("userinfo_endpoint", ""),
        "jwks_uri": settings.PROCONNECT_JWKS_ENDPOINT or document.get("jwks_uri", ""),
        "end_session_endpoint": settings.PROCONNECT_END_SESSION_ENDPOINT or document.get("end_session_endpoint", ""),
    }


_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def oidc_setting(attr: str, *default):
    """mozilla-django-oidc's settings, read from the PROCONNECT_* ones (and the discovery document)."""
    if attr in _ENDPOINTS:
        return provider()[_ENDPOINTS[attr]]
    values = {
        "OIDC_RP_CLIENT_ID": settings.PROCONNECT_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.PROCONNECT_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": "RS256",  # any asymmetric algorithm: the key comes from the JWKS (see _decode)
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": settings.PROCONNECT_SCOPES,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:proconnect_callback",
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": (
            {"acr_values": settings.PROCONNECT_ACR_VALUES} if settings.PROCONNECT_ACR_VALUES else {}
        ),
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_CREATE_USER": False,
        "OIDC_TIMEOUT": settings.PROCONNECT_TIMEOUT,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_TOKEN_USE_BASIC_AUTH": False,
        "LOGIN_REDIRECT_URL_FAILURE": reverse("accounts:login"),
    }
    if attr in values:
        return values[attr]
    return import_from_settings(attr, *default)


# --- Matching the person to an account ---------------------------------------------------------------------------
def _check_siret(organisation, siret: str | None) -> None:
    """When ProConnect names the person's organisation by its SIRET and ours has one (a service), they must agree."""
    known = getattr(getattr(organisation, "spsti", None), "siret", "") if organisation is not None else ""
    if siret and known and "".join(str(siret).split()) != known:
        raise DomainError(
            "ProConnect vous rattache à une autre organisation (SIRET) que votre compte sur la plateforme : "
            "demandez au gestionnaire de votre organisation de vérifier votre invitation.",
            rule="proconnect",
        )


@transaction.atomic
def account_for(claims: dict) -> User:
    """The account of a person ProConnect authenticated: by his `sub` once linked; at the first sign-in by his
    e-mail (an existing account, or a pending invitation that opens the account). Never created otherwise."""
    sub, email = str(claims.get("sub") or ""), str(claims.get("email") or "").strip().lower()
    if not sub or not email:
        raise DomainError("ProConnect n'a pas transmis votre identifiant et votre adresse électronique.")
    user = User.objects.select_related("organisation__spsti").filter(proconnect_sub=sub).first()
    if user is None:
        user = User.objects.select_related("organisation__spsti").filter(email__iexact=email).first()
        if user is not None:
            if user.proconnect_sub:
                raise DomainError("Ce compte est déjà lié à une autre identité ProConnect.", rule="proconnect")
            _check_siret(user.organisation if user.organisation_id else None, claims.get("siret"))
            user.proconnect_sub = sub
            user.save(update_fields=["proconnect_sub"])
        else:
            invitation = Invitation.objects.valid().select_related("organisation__spsti").filter(email=email).first()
            if invitation is None:
                raise NotOpened(
                    f"Votre compte n'est pas encore ouvert sur la plateforme : "
                    f"demandez une invitation {settings.ACCOUNTS_CONTACT}."
                )
            _check_siret(invitation.organisation, claims.get("siret"))
            user = invitations.accept(
                invitation,
                proconnect_sub=sub,
                first_name=str(claims.get("given_name") or ""),
                last_name=str(claims.get("usual_name") or claims.get("family_name") or ""),
            )
    if not user.is_active:
        raise DomainError(f"Votre compte sur la plateforme est désactivé : adressez-vous {settings.ACCOUNTS_CONTACT}.")
    return user


# --- The authentication backend ----------------------------------------------------------------------------------
class ProConnectBackend(OIDCAuthenticationBackend):
    """Authenticates only the ProConnect callback (the only caller that passes a nonce)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Nothing is read here: the backend is built for every sign-in and every request of a session, and must
        # neither fail nor reach the provider while ProConnect is off or unreachable.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.PROCONNECT_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.PROCONNECT_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, nonce=None, code_verifier=None, **kwargs):
        if request is None or nonce is None or kwargs or not enabled():
            return None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def verify_token(self, token, **kwargs):
        """The ID token (called with its nonce) or a signed userinfo answer: signature by a key of the provider's
        JWKS with an allowed asymmetric algorithm, issuer, audience; for the ID token also expiry, issue date and
        nonce."""
        is_id_token = "nonce" in kwargs
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Jeton ProConnect illisible : {error}") from error
        algorithm = header.get("alg")
        if algorithm not in settings.PROCONNECT_SIGN_ALGORITHMS:
            raise SuspiciousOperation(f"Algorithme de signature refusé : {algorithm!r}.")
        key = self.retrieve_matching_jwk(token)
        issuer = provider()["issuer"]
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=settings.PROCONNECT_CLIENT_ID,
                issuer=issuer or None,
                options={"require": ["iss", "aud", "exp", "iat", "sub"] if is_id_token else ["iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Jeton ProConnect refusé : {error}") from error
        if is_id_token and payload.get("nonce") != kwargs["nonce"]:
            raise SuspiciousOperation("Jeton ProConnect refusé : le nonce ne correspond pas à la demande.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if str(claims.get("sub")) != str(payload.get("sub")):
            raise DomainError("ProConnect a répondu pour une autre personne que celle du jeton d'identité.")
        claims.setdefault("email", payload.get("email"))
        return account_for(claims)

    def get_user(self, user_id):
        user = self.UserModel._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


# --- Views --------------------------------------------------------------------------------------------------------
class ProConnectLogin(OIDCAuthenticationRequestView):
    """Sends the browser to ProConnect with state, nonce and the PKCE challenge kept in the session."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404("ProConnect n'est pas configuré.")
        self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID
        return super().get(request)


def _failure(request, message: str, status: int):
    return render(
        request,
        "accounts/proconnect_refused.html",
        {"page_title": "Connexion avec ProConnect", "message": message},
        status=status,
    )


class ProConnectCallback(OIDCAuthenticationCallbackView):
    """ProConnect's answer: the code is exchanged, the ID token verified, the person matched to an account."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not enabled():
            raise Http404("ProConnect n'est pas configuré.")
        try:
            return super().get(request)
        except DomainError as refusal:  # NotOpened too: the page says whom to ask for an invitation
            return _failure(request, refusal.message, 403)
        except (SuspiciousOperation, requests.RequestException) as error:
            logger.warning("Connexion ProConnect refusée : %s", error)
            return _failure(
                request,
                "La connexion avec ProConnect n'a pas pu être vérifiée. Recommencez depuis la page de connexion ; "
                "si le problème persiste, signalez-le à l'administrateur de la plateforme.",
                400,
            )

    def login_failure(self):
        return _failure(
            self.request,
            "La connexion avec ProConnect a été interrompue ou refusée. Recommencez depuis la page de connexion.",
            400,
        )

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_FLAG] = True
        return response


def logout(request):
    """Closes the session here and, for a ProConnect session, at ProConnect too (end_session with the ID token)."""
    id_token = request.session.get(ID_TOKEN) if request.session.get(SESSION_FLAG) else None
    auth.logout(request)
    target = reverse(settings.LOGOUT_REDIRECT_URL)
    end_session = provider()["end_session_endpoint"] if id_token and enabled() else ""
    if not end_session:
        return HttpResponseRedirect(target)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(target),
        }
    )
    return HttpResponseRedirect(f"{end_session}?{query}")
