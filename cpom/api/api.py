"""The REST API (OpenAPI document at /api/openapi.json, interactive documentation at /api/docs)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI

from cpom.core.errors import DomainError

from .auth import SignedInSession, TokenAuth

api = NinjaAPI(
    title="API de la plateforme CPOM",
    version="1",
    description=(
        "Contrats pluriannuels d'objectifs et de moyens des SPSTI. Authentification par jeton personnel "
        "(`Authorization: Bearer cpom_…`, page « Jetons d'API ») ou par la session du navigateur. Chaque réponse "
        "ne contient que ce que le rôle de l'utilisateur lui permet de voir."
    ),
    auth=[TokenAuth(), SignedInSession()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def refused_by_a_rule(request, error: DomainError):
    return api.create_response(request, {"detail": error.message, "rule": error.rule, "field": error.field}, status=422)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": "Introuvable dans votre périmètre."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, error):
    return api.create_response(request, {"detail": str(error) or "Accès refusé pour votre rôle."}, status=403)


from cpom.contracts.api import router as contracts_router  # noqa: E402
from cpom.reports.api import router as reports_router  # noqa: E402
from cpom.steering.api import router as dashboards_router  # noqa: E402

api.add_router("/contracts", contracts_router)
api.add_router("/reports", reports_router)
api.add_router("/dashboards", dashboards_router)


def urls():
    """The API's URL patterns, exempt from the login redirect (the API answers 401 itself)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
