"""The REST API (OpenAPI document at /api/openapi.json, interactive documentation at /api/docs)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from cpom.core.errors import DomainError
from cpom.core.schemas import POLICY_ERROR

from .auth import SignedInSession, TokenAuth

# The errors every operation may answer, documented once: what they mean and an example of their body (Error).
ERRORS = {
    "401": (
        "Non authentifié : jeton personnel absent, invalide, expiré ou révoqué (ou session non vérifiée).",
        {"detail": "Authentification requise : jeton personnel (Authorization: Bearer cpom_…) ou session."},
    ),
    "403": (
        "Refusé pour votre rôle (ou jeton en lecture seule sur une écriture).",
        {"detail": "Votre rôle ne permet pas cette opération."},
    ),
    "404": (
        "Introuvable dans votre périmètre : l'objet n'existe pas ou vous ne le voyez pas.",
        {"detail": "Introuvable dans votre périmètre."},
    ),
    "422": (
        "Refusé par une règle (R1…R13) ou entrée invalide : message en français, règle et champ en cause.",
        {"detail": "Requête invalide — year : un nombre entier est attendu.", "rule": None, "field": "year"},
    ),
}
SUCCESS = {"200": "Réussite.", "201": "Créé."}


class DocumentedApi(NinjaAPI):
    """The OpenAPI document with, on every operation, its French summary and its documented errors (401, 403,
    422, and 404 when its path designates an object), each with an example body."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in SUCCESS.items():
                    if status in responses:
                        responses[status]["description"] = description
                wanted = ["401", "403", "422"] + (["404"] if "{" in path else [])
                for status in wanted:
                    description, example = ERRORS[status]
                    responses.setdefault(status, {})
                    responses[status]["description"] = description
                    responses[status]["content"] = {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}, "example": example}
                    }
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "Error",
            {
                "title": "Error",
                "type": "object",
                "properties": {
                    "detail": {"title": "Detail", "type": "string"},
                    "rule": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Rule"},
                    "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Field"},
                },
                "required": ["detail"],
            },
        )
        return schema


api = DocumentedApi(
    title="API de la plateforme CPOM",
    version="1",
    description=(
        "Contrats pluriannuels d'objectifs et de moyens des SPSTI. Authentification par jeton personnel "
        "(`Authorization: Bearer cpom_…`, page « Jetons d'API ») ou par la session du navigateur. Chaque réponse "
        "ne contient que ce que le rôle de l'utilisateur lui permet de voir. Les objets sont désignés par des clés "
        "métier stables (SIRET d'un service, année). Chaque opération documente ses erreurs (401, 403, 404, 422), "
        "toujours au format `{detail, rule, field}` en français. Formats de fichiers : page « Formats de fichiers "
        "et API » (/formats/)."
    ),
    auth=[TokenAuth(), SignedInSession()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def refused_by_a_rule(request, error: DomainError):
    return api.create_response(request, {"detail": error.message, "rule": error.rule, "field": error.field}, status=422)


# Pydantic error types → what a French reader is told about the field.
INPUT_ERRORS = {
    "missing": "champ obligatoire absent",
    "int_parsing": "un nombre entier est attendu",
    "int_type": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "string_type": "un texte est attendu",
    "bool_parsing": "vrai ou faux est attendu",
    "bool_type": "vrai ou faux est attendu",
    "date_parsing": "une date au format AAAA-MM-JJ est attendue",
    "date_from_datetime_parsing": "une date au format AAAA-MM-JJ est attendue",
    "date_type": "une date au format AAAA-MM-JJ est attendue",
    "list_type": "une liste est attendue",
    "dict_type": "un objet JSON est attendu",
    "model_type": "un objet JSON est attendu",
    "model_attributes_type": "un objet JSON est attendu",
    "json_invalid": "le corps de la requête n'est pas du JSON valide",
    "enum": "valeur non admise",
    "literal_error": "valeur non admise",
    "string_too_long": "texte trop long",
    "greater_than_equal": "valeur trop petite",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "less_than": "valeur trop grande",
}
TRANSPORT = {"body", "payload", "query", "path", "header", "cookie", "form", "file"}


@api.exception_handler(ValidationError)
def invalid_input(request, error: ValidationError):
    """Malformed input: 422 in the same shape as a refused rule, in French, naming each field."""
    problems, fields = [], []
    for item in error.errors:
        field = ".".join(str(part) for part in item.get("loc", []) if str(part) not in TRANSPORT) or "requête"
        fields.append(field)
        kind = item.get("type", "")
        told = item.get("msg", "") if kind == POLICY_ERROR else INPUT_ERRORS.get(kind, "valeur invalide")
        problems.append(f"{field} : {told}")
    detail = "Requête invalide — " + " ; ".join(dict.fromkeys(problems)) + "."
    return api.create_response(
        request, {"detail": detail, "rule": None, "field": fields[0] if fields else None}, status=422
    )


@api.exception_handler(OverflowError)
def number_out_of_range(request, error: OverflowError):
    """An identifier or a number beyond what the database stores (more than 2⁶³): a bad input, not a crash."""
    return api.create_response(
        request, {"detail": "Requête invalide — un nombre dépasse les limites admises.", "rule": None}, status=422
    )


@api.exception_handler(AuthenticationError)
def not_authenticated(request, error):
    return api.create_response(request, {"detail": ERRORS["401"][1]["detail"]}, status=401)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": "Introuvable dans votre périmètre."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, error):
    return api.create_response(request, {"detail": str(error) or "Accès refusé pour votre rôle."}, status=403)


from cpom.contracts.api import router as contracts_router  # noqa: E402
from cpom.reports.api import collections_router  # noqa: E402
from cpom.reports.api import router as reports_router  # noqa: E402
from cpom.steering.api import router as dashboards_router  # noqa: E402
from cpom.workspace.api import router as todo_router  # noqa: E402

from .registry import router as registry_router  # noqa: E402

api.add_router("/services", registry_router)
api.add_router("/contracts", contracts_router)
api.add_router("/reports", reports_router)
api.add_router("/collections", collections_router)
api.add_router("/dashboards", dashboards_router)
api.add_router("/todo", todo_router)


def urls():
    """The API's URL patterns, exempt from the login redirect (the API answers 401 itself)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
