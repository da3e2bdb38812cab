"""A real OpenID Connect provider for the ProConnect tests: django-oauth-toolkit in OIDC mode, mounted under /op/
next to the platform's own URLs (test-only URLconf), claims shaped like ProConnect's (given_name, usual_name,
email, siret, uid, an opaque `sub`)."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator

from config.urls import urlpatterns as platform_urlpatterns

# The identity each person of the provider returns (by the provider account's e-mail), set by the tests.
IDENTITIES: dict[str, dict] = {}
# How the provider misbehaves in a test: {"aud": "…"} issues ID tokens for another client.
TAMPER: dict[str, object] = {}
# A JWKS with a key that is not the provider's, published at /op/faux-jwks/ (« bad signature »).
FOREIGN_JWKS: dict = {"keys": []}


class ProConnectLikeValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim of the identity, whatever the scopes

    def get_additional_claims(self, request):
        return dict(IDENTITIES.get(request.user.email, {}))

    def finalize_id_token(self, id_token, token, token_handler, request):
        if "aud" in TAMPER:
            id_token["aud"] = TAMPER["aud"]
        return super().finalize_id_token(id_token, token, token_handler, request)


@login_not_required
def foreign_jwks(request):
    return JsonResponse(FOREIGN_JWKS)


urlpatterns = [
    *platform_urlpatterns,
    path("op/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("op/faux-jwks/", foreign_jwks, name="foreign_jwks"),
]
