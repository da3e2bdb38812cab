from django.urls import reverse

from cpom.organisations.selectors import regions_in_scope

from .permissions import Perm
from .proconnect import enabled as proconnect_enabled

_NAV = [
    ("Accueil", "workspace:home", None),
    ("Registre des services", "organisations:spsti_list", Perm.REGISTRY_VIEW),
    ("Contrats", "contracts:contract_list", Perm.CONTRACT_VIEW),
    ("Campagnes", "contracts:campaign_list", Perm.CONTRACT_VIEW),
    ("Suivi annuel", "reports:report_list", Perm.REPORT_VIEW),
    ("Vigilance", "steering:watch", Perm.CONTRACT_EDIT),
    ("Institutions", "organisations:organisation_list", Perm.ORGANISATIONS_VIEW),
    ("Gestion", "admin:index", Perm.ADMIN_SITE),
]


def _dashboard_url(user) -> str | None:
    if user.scope.spsti_id and user.can(Perm.REPORT_FILL):
        return reverse("steering:restitution", args=[user.scope.spsti_id])
    if not user.can(Perm.DASHBOARD_VIEW):
        return None
    if user.scope.is_nation:
        return reverse("steering:national")
    if user.scope.region_code:
        return reverse("steering:regional", args=[user.scope.region_code])
    region = regions_in_scope(user).order_by("code").first()  # a caisse: the region of its departments
    return reverse("steering:regional", args=[region.code]) if region else None


def navigation(request) -> dict:
    """Navigation by role: an entry appears only when the role grants its page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "proconnect_enabled": proconnect_enabled(), "can_manage_people": False}
    items = []
    for label, name, perm in _NAV:
        if perm is not None and not user.can(perm):
            continue
        url = reverse(name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    dashboard = _dashboard_url(user)
    if dashboard:
        label = "Ma restitution" if user.scope.spsti_id else "Tableau de bord"
        items.insert(1, {"label": label, "url": dashboard, "current": request.path.startswith("/pilotage/")})
    return {
        "nav_items": items,
        "proconnect_enabled": proconnect_enabled(),
        "can_manage_people": user.can(Perm.PEOPLE_MANAGE),
    }
