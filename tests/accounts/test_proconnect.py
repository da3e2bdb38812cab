"""Sign-in with ProConnect against a real OpenID Connect provider started in the test process: django-oauth-toolkit
in OIDC mode, served over HTTP by the live server (tests/accounts/oidc_provider.py), with an RSA key generated
here. Nothing of mozilla-django-oidc is mocked: the platform fetches the discovery document, exchanges the code
(PKCE), fetches the JWKS and the userinfo over HTTP, exactly as against ProConnect.

The browser is two cookie jars: a Django test client on the platform, a `requests` session on the provider (two
sites in real life)."""

import time
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core.signals import request_started
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jwcrypto import jwk
from oauth2_provider.models import Application

from cpom.accounts import invitations, proconnect
from cpom.accounts.enums import Role
from cpom.accounts.models import Invitation, User
from tests.factories import UserFactory, organisation

from . import oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_ID = "plateforme-cpom"
CLIENT_SECRET = "secret-du-fournisseur-de-service-0123456789"
CALLBACK = "http://testserver/comptes/proconnect/retour/"
AFTER_LOGOUT = "http://testserver/comptes/connexion/"
NOT_OPENED = "Votre compte n'est pas encore ouvert sur la plateforme : demandez une invitation"


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def provider_key() -> str:
    return _rsa_pem()


@pytest.fixture
def op(live_server, settings, provider_key, reference):
    """The provider, configured; the platform, configured to use it through its discovery document."""
    settings.ROOT_URLCONF = "tests.accounts.oidc_provider"
    settings.OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": provider_key,
        "PKCE_REQUIRED": True,
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
        "OAUTH2_VALIDATOR_CLASS": "tests.accounts.oidc_provider.ProConnectLikeValidator",
        "SCOPES": {s: s for s in ("openid", "email", "given_name", "usual_name", "siret", "uid")},
    }
    settings.PROCONNECT_DISCOVERY_URL = f"{live_server.url}/op/.well-known/openid-configuration"
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_ACR_VALUES = "eidas1"
    proconnect._discovered.clear()
    oidc_provider.IDENTITIES.clear()
    oidc_provider.TAMPER.clear()
    Application.objects.create(
        name="Plateforme CPOM",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=CALLBACK,
        post_logout_redirect_uris=AFTER_LOGOUT,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    yield live_server
    proconnect._discovered.clear()


class Flow:
    """One person's browser: `.platform` (test client) and `.provider` (requests session, signed in there)."""

    def __init__(self, live_server, identity: dict):
        self.live_server = live_server
        self.platform = Client()
        self.provider = requests.Session()
        account = UserFactory(email=f"identite-{identity['sub']}@fournisseur.test", role=Role.ADMIN)
        oidc_provider.IDENTITIES[account.email] = identity
        signed_in = Client()
        signed_in.force_login(account)
        cookie = signed_in.cookies[django_settings.SESSION_COOKIE_NAME].value
        self.provider.cookies.set(django_settings.SESSION_COOKIE_NAME, cookie)
        self.requests: list[str] = []
        self.seconds = 0.0

    def _timed(self, call, *args, **kwargs):
        start = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start

    def start(self) -> str:
        """The platform's ProConnect button: the authorisation request, with state, nonce and PKCE challenge."""
        response = self._timed(self.platform.get, reverse("accounts:proconnect_login"))
        assert response.status_code == 302
        return response["Location"]

    def authorize(self, url: str) -> str:
        """At the provider (signed in, the platform trusted): back to the platform with a code."""
        response = self._timed(self.provider.get, url, allow_redirects=False)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    def callback(self, location: str, **changes):
        parts = urlsplit(location)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
        return self._timed(self.platform.get, parts.path, dict(parse_qsl(parts.query)) | changes)

    def sign_in(self, **changes):
        return self.callback(self.authorize(self.start()), **changes)

    def signed_in_as(self):
        user_id = self.platform.session.get(SESSION_KEY)
        return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def flow(op):
    def make(email: str, *, sub: str = "pc-0001", siret: str | None = None, **claims) -> Flow:
        identity = {"sub": sub, "email": email, "given_name": "Camille", "usual_name": "Durand", "uid": sub}
        if siret:
            identity["siret"] = siret
        return Flow(op, identity | claims)

    return make


@pytest.fixture
def count_requests():
    """Every request the platform and the provider served, by path."""
    seen: list[str] = []

    def note(sender, environ=None, **kwargs):
        seen.append(environ.get("PATH_INFO", "") if environ else "?")

    request_started.connect(note, weak=False)
    yield seen
    request_started.disconnect(note)


def _query(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


# --- The flow ------------------------------------------------------------------------------------------------------
def test_the_authorisation_request_carries_state_nonce_pkce_and_the_acr(flow):
    query = _query(flow("agent@dreets-bretagne.test").start())
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["acr_values"] == "eidas1"
    assert query["scope"].split()[0] == "openid" and "siret" in query["scope"]


def test_a_first_sign_in_is_matched_to_the_existing_account_by_email(flow, count_requests):
    agent = UserFactory(
        email="agent@dreets-bretagne.test", role=Role.DREETS_AGENT, organisation=organisation("ETAT-53")
    )
    person = flow("Agent@Dreets-Bretagne.test", sub="pc-agent-1")
    accounts = User.objects.count()  # after flow(), which makes the provider's own account of the person

    response = person.sign_in()

    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")
    assert person.signed_in_as() == agent
    agent.refresh_from_db()
    assert agent.proconnect_sub == "pc-agent-1"
    assert User.objects.count() == accounts
    cold = (len(count_requests), person.seconds, list(count_requests))
    assert person.platform.get(reverse("workspace:home")).status_code == 200  # no second-factor detour

    # The same flow again, the discovery document known: the figures of a usual sign-in (reported, not asserted).
    person.platform.post(reverse("accounts:logout"))
    count_requests.clear()
    person.seconds = 0.0
    assert person.sign_in().status_code == 302
    assert count_requests == [
        "/comptes/proconnect/connexion/",
        "/op/authorize/",
        "/comptes/proconnect/retour/",
        "/op/token/",
        "/op/.well-known/jwks.json",
        "/op/userinfo/",
    ]
    print(
        f"\nflux ProConnect, première connexion du processus : {cold[0]} requêtes servies en {cold[1]:.3f} s {cold[2]}"
        f"\nflux ProConnect, connexion suivante : {len(count_requests)} requêtes servies en {person.seconds:.3f} s "
        "(3 du navigateur, dont le retour qui appelle jeton, JWKS et userinfo)"
    )


def test_a_later_sign_in_is_matched_by_the_stable_sub_even_with_another_email(flow):
    agent = UserFactory(
        email="agent@dreets-bretagne.test",
        role=Role.DREETS_AGENT,
        organisation=organisation("ETAT-53"),
        proconnect_sub="pc-agent-1",
    )
    assert flow("nouvelle.adresse@travail.gouv.fr", sub="pc-agent-1").sign_in().status_code == 302
    assert User.objects.get(proconnect_sub="pc-agent-1") == agent


def test_an_invited_person_opens_the_account_of_the_invitation_at_the_first_sign_in(flow, reference):
    admin = UserFactory(role=Role.ADMIN)
    invitation = invitations.invite(
        by=admin,
        email="cheffe@dreets-bretagne.test",
        organisation=organisation("ETAT-53"),
        role=Role.REGIONAL_PILOT,
        is_manager=True,
        link=lambda secret: f"http://testserver/comptes/invitation/{secret}/",
    )
    person = flow("cheffe@dreets-bretagne.test", sub="pc-cheffe")

    assert person.sign_in().status_code == 302

    user = person.signed_in_as()
    assert (user.email, user.role, user.organisation.code, user.is_manager) == (
        "cheffe@dreets-bretagne.test",
        Role.REGIONAL_PILOT,
        "ETAT-53",
        True,
    )
    assert (user.first_name, user.last_name, user.proconnect_sub) == ("Camille", "Durand", "pc-cheffe")
    assert not user.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.user == user


def test_an_unknown_person_is_told_whom_to_ask_and_no_account_is_created(flow):
    person = flow("inconnu@travail.gouv.fr", sub="pc-inconnu")
    accounts = User.objects.count()  # the provider's own account of the person is made by flow()

    response = person.sign_in()

    assert response.status_code == 403
    assert NOT_OPENED in response.content.decode().replace("&#x27;", "'")
    assert User.objects.count() == accounts
    assert not User.objects.filter(email="inconnu@travail.gouv.fr").exists()
    assert person.signed_in_as() is None


def test_a_person_of_another_organisation_by_siret_is_refused(flow, service_a):
    UserFactory(email="direction@pst35.test", role=Role.SPSTI_REFERENT, organisation=service_a)
    person = flow("direction@pst35.test", sub="pc-pst", siret="13002526500013")

    response = person.sign_in()

    assert response.status_code == 403 and "SIRET" in response.content.decode()
    assert person.signed_in_as() is None
    assert flow("direction@pst35.test", sub="pc-pst-2", siret=service_a.siret).sign_in().status_code == 302


def test_a_deactivated_account_cannot_sign_in_with_proconnect(flow):
    UserFactory(
        email="parti@dreets-bretagne.test",
        role=Role.DREETS_AGENT,
        organisation=organisation("ETAT-53"),
        is_active=False,
    )
    person = flow("parti@dreets-bretagne.test", sub="pc-parti")
    response = person.sign_in()
    assert response.status_code == 403 and "désactivé" in response.content.decode()
    assert person.signed_in_as() is None


# --- Attacks -------------------------------------------------------------------------------------------------------
@pytest.fixture
def agent(reference):
    return UserFactory(email="agent@dreets-bretagne.test", role=Role.DREETS_AGENT, organisation=organisation("ETAT-53"))


def _refused(person: Flow, response) -> None:
    assert response.status_code == 400, response.status_code
    assert "ProConnect" in response.content.decode()
    assert person.signed_in_as() is None


def test_an_id_token_for_another_authorisation_request_is_refused_by_its_nonce(flow, agent):
    """The code and ID token were obtained with another nonce (a token injected from another request)."""
    person = flow(agent.email)
    url = person.start()
    query = _query(url) | {"nonce": "nonce-d-une-autre-demande-0123456789abcdef"}
    forged = urlsplit(url)._replace(query="&".join(f"{k}={requests.utils.quote(v)}" for k, v in query.items()))
    _refused(person, person.callback(person.authorize(forged.geturl())))


def test_an_expired_id_token_is_refused(flow, agent, settings):
    settings.OAUTH2_PROVIDER = settings.OAUTH2_PROVIDER | {"ID_TOKEN_EXPIRE_SECONDS": -120}
    person = flow(agent.email)
    _refused(person, person.sign_in())


def test_an_id_token_issued_for_another_client_is_refused(flow, agent):
    oidc_provider.TAMPER["aud"] = "un-autre-service"
    person = flow(agent.email)
    _refused(person, person.sign_in())


def test_an_id_token_whose_signature_does_not_match_the_published_key_is_refused(flow, agent, settings, op):
    """The platform reads a JWKS whose key has the provider's key id but is another key."""
    provider_jwk = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    other = jwk.JWK.from_pem(_rsa_pem().encode()).export_public(as_dict=True)
    oidc_provider.FOREIGN_JWKS["keys"] = [other | {"kid": provider_jwk.thumbprint(), "alg": "RS256", "use": "sig"}]
    settings.PROCONNECT_JWKS_ENDPOINT = f"{op.url}/op/faux-jwks/"
    person = flow(agent.email)
    _refused(person, person.sign_in())


def test_an_answer_whose_state_is_not_the_one_sent_is_refused(flow, agent):
    person = flow(agent.email)
    _refused(person, person.sign_in(state="etat-forge-0123456789abcdef0123456789"))


def test_a_code_replayed_in_a_second_callback_is_refused(flow, agent):
    person = flow(agent.email)
    location = person.authorize(person.start())
    assert person.callback(location).status_code == 302
    person.platform.post(reverse("accounts:logout"))
    _refused(person, person.callback(location))


def test_a_code_exchanged_without_the_pkce_verifier_is_refused_by_the_provider(flow, agent):
    person = flow(agent.email)
    location = person.authorize(person.start())
    session = person.platform.session
    for state in session["oidc_states"].values():
        state["code_verifier"] = "un-autre-verificateur-" + "x" * 43
    session.save()
    _refused(person, person.callback(location))


def test_an_unsigned_id_token_algorithm_is_not_accepted(op):
    backend = proconnect.ProConnectBackend()
    token = jwt.encode({"sub": "x", "aud": CLIENT_ID}, key=None, algorithm="none")
    with pytest.raises(Exception, match="Algorithme de signature refusé"):
        backend.verify_token(token, nonce="n")


# --- Sign-out ------------------------------------------------------------------------------------------------------
def test_sign_out_ends_the_proconnect_session_too(flow, agent):
    person = flow(agent.email)
    assert person.sign_in().status_code == 302

    response = person.platform.post(reverse("accounts:logout"))

    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == f"{person.live_server.url}/op/logout/"
    query = _query(response["Location"])
    assert query["post_logout_redirect_uri"] == AFTER_LOGOUT
    hint = jwt.decode(query["id_token_hint"], options={"verify_signature": False})
    assert hint["aud"] == CLIENT_ID and hint["sub"] == "pc-0001"
    assert person.signed_in_as() is None
    # At the provider: the session ends and the browser comes back to the platform's sign-in page.
    back = person.provider.get(response["Location"], allow_redirects=False)
    assert back.status_code == 302 and back.headers["Location"].startswith(f"{AFTER_LOGOUT}?state=")
    again = person.provider.get(person.start(), allow_redirects=False)
    # the provider asks to sign in again (its login page) instead of answering the platform with a code
    assert again.status_code == 302 and again.headers["Location"].startswith("/comptes/connexion/?next=/op/authorize/")


def test_a_password_session_signs_out_here_only(agent, op):
    client = Client()
    client.force_login(agent)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


# --- Off unless configured -----------------------------------------------------------------------------------------
def test_without_configuration_proconnect_is_off_and_the_login_page_has_no_button(client, settings, db):
    settings.PROCONNECT_CLIENT_ID = ""
    assert not proconnect.enabled()
    assert client.get(reverse("accounts:proconnect_login")).status_code == 404
    assert client.get(reverse("accounts:proconnect_callback"), {"code": "x", "state": "y"}).status_code == 404
    assert "fr-connect" not in client.get(reverse("accounts:login")).content.decode()


def test_once_configured_the_login_page_shows_the_proconnect_button_above_the_form(op):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "S’identifier avec" in page and "ProConnect" in page
    assert page.index("fr-connect") < page.index('name="password"')


def test_an_invitation_expired_for_72_hours_does_not_open_an_account(flow, reference):
    admin = UserFactory(role=Role.ADMIN)
    invitation = invitations.invite(
        by=admin,
        email="tard@dreets-bretagne.test",
        organisation=organisation("ETAT-53"),
        role=Role.DREETS_AGENT,
        link=lambda secret: secret,
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = flow("tard@dreets-bretagne.test", sub="pc-tard").sign_in()
    assert response.status_code == 403
    assert not User.objects.filter(email="tard@dreets-bretagne.test").exists()
