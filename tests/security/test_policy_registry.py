"""Every endpoint declares its access rule (cpom/core/policies.py): each named URL of the resolver and each
operation of the OpenAPI document has a policy, each policy still has its endpoint, and the objects a policy names
are exactly the parameters of its URL."""

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cpom.core.policies import API_POLICIES, PART_OF, POLICIES, Access, Policy, policy_for_url_name

ADMIN_NAMESPACE = "admin"
API_NAMESPACE = "api"


@dataclass(frozen=True)
class Route:
    name: str | None  # « app:name », None for an unnamed pattern
    namespace: str
    route: str  # as written in the URLconf, prefixes included
    kwargs: frozenset[str]
    callback: object


def _walk(resolver: URLResolver, namespaces: tuple[str, ...] = (), prefix: str = "", kwargs=frozenset()):
    for entry in resolver.url_patterns:
        groups = kwargs | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry, inner, prefix + str(entry.pattern), groups)
        elif isinstance(entry, URLPattern):
            namespace = ":".join(namespaces)
            name = f"{namespace}:{entry.name}" if entry.name and namespace else entry.name
            yield Route(name, namespace, prefix + str(entry.pattern), frozenset(groups), entry.callback)


def url_routes() -> list[Route]:
    """Every URL pattern of the project, included apps and the admin too."""
    return list(_walk(get_resolver()))


def openapi_path(route: str) -> str:
    """« api/contracts/<contract_id> » → « /api/contracts/{contract_id} », as in the OpenAPI document."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def openapi_document() -> dict:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def api_operations(document: dict) -> dict[str, dict]:
    """« METHOD /api/path/{param} » → the operation of the OpenAPI document."""
    return {
        f"{method.upper()} {path}": operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
    }


def _body_properties(document: dict, operation: dict) -> set[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return set(schema.get("properties", {}))


@pytest.fixture(scope="module")
def document():
    return openapi_document()


def test_every_named_url_has_a_policy(document):
    api_paths = set(document["paths"])
    missing, unnamed = [], []
    for route in url_routes():
        if route.namespace == API_NAMESPACE and openapi_path(route.route) in api_paths:
            continue  # an API operation: API_POLICIES, checked below
        if route.name is None:
            if route.namespace != ADMIN_NAMESPACE:
                unnamed.append(route.route)
            continue
        if policy_for_url_name(route.name) is None:
            missing.append(f"{route.name} ({route.route})")
    assert not unnamed, "URL sans nom, donc sans politique d'accès :\n" + "\n".join(unnamed)
    assert not missing, "URL sans politique d'accès dans cpom/core/policies.py :\n" + "\n".join(missing)


def test_every_api_operation_has_a_policy(document):
    missing = sorted(set(api_operations(document)) - set(API_POLICIES))
    assert not missing, "Opération d'API sans politique d'accès dans cpom/core/policies.py :\n" + "\n".join(missing)


def test_every_policy_still_has_its_endpoint(document):
    names = {route.name for route in url_routes() if route.name}
    namespaces = {route.namespace for route in url_routes()}
    stale = [
        key
        for key in POLICIES
        if not (key.endswith(":*") and key[:-2] in namespaces) and not (not key.endswith(":*") and key in names)
    ]
    stale += sorted(set(API_POLICIES) - set(api_operations(document)))
    assert not stale, "Politique sans point d'accès (à retirer ou à renommer) :\n" + "\n".join(stale)


def test_the_objects_of_a_policy_are_the_parameters_of_its_url(document):
    api_paths = set(document["paths"])
    wrong = []
    for route in url_routes():
        if route.name is None or route.namespace == ADMIN_NAMESPACE:
            continue
        if route.namespace == API_NAMESPACE and openapi_path(route.route) in api_paths:
            continue
        policy = POLICIES[route.name]
        if set(policy.objects) != route.kwargs:
            wrong.append(f"{route.name} : paramètres {sorted(route.kwargs)}, objets déclarés {sorted(policy.objects)}")
    for key, operation in api_operations(document).items():
        policy = API_POLICIES.get(key)
        if policy is None:
            continue
        path_params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        body = _body_properties(document, operation)
        if not path_params <= set(policy.objects) | set(policy.params) or not set(policy.objects) - path_params <= body:
            wrong.append(
                f"{key} : paramètres de chemin {sorted(path_params)}, du corps {sorted(body)}, "
                f"objets déclarés {sorted(policy.objects)}"
            )
    assert not wrong, "Objets d'une politique différents des paramètres de son URL :\n" + "\n".join(wrong)


def test_public_pages_are_exactly_those_exempt_from_the_login(document):
    """A policy says « public » exactly when the view is marked `login_not_required` (LoginRequiredMiddleware):
    the registry cannot drift from what the middleware does. The API does its own authentication (401)."""
    wrong = []
    for route in url_routes():
        if route.name is None or route.namespace in (ADMIN_NAMESPACE, API_NAMESPACE):
            continue
        exempt = getattr(route.callback, "login_required", True) is False
        public = POLICIES[route.name].access == Access.PUBLIC
        if exempt != public:
            wrong.append(f"{route.name} : login_not_required={exempt}, politique publique={public}")
    assert not wrong, "\n".join(wrong)


def _inconsistencies(key: str, policy: Policy, *, api: bool) -> list[str]:
    problems = []
    if policy.access != Access.SIGNED_IN and (policy.perms or policy.nation_only or policy.write_perms):
        problems.append("une page publique ou d'administration ne demande pas de permission")
    if policy.answer not in (200, 302, 404, 405):
        problems.append(f"réponse {policy.answer} inattendue")
    if not api and ("GET" in policy.methods) == (policy.answer == 405):
        problems.append("405 exactement quand la page refuse GET")
    if policy.method_first and policy.answer != 405:
        problems.append("« method_first » ne vaut que pour une page POST seulement")
    targets = set(policy.targets.values())
    for name, part in policy.parts.items():
        if not targets & PART_OF[part]:
            problems.append(f"« {name} » désigne une partie sans l'objet qui la contient")
    if len(policy.targets) > 1:
        problems.append("une URL désigne un seul objet (et ses parties)")
    if not policy.description.strip():
        problems.append("description manquante")
    return [f"{key} : {problem}" for problem in problems]


def test_every_policy_is_consistent():
    problems = [p for key, policy in POLICIES.items() for p in _inconsistencies(key, policy, api=False)]
    problems += [p for key, policy in API_POLICIES.items() for p in _inconsistencies(key, policy, api=True)]
    assert not problems, "\n".join(problems)
