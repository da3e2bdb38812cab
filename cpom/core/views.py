import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def accessibility(request):
    return render(
        request,
        "core/accessibility.html",
        {"page_title": "Déclaration d'accessibilité", "breadcrumb_data": {"links": [], "current": "Accessibilité"}},
    )


@login_not_required
def legal(request):
    return render(
        request,
        "core/legal.html",
        {"page_title": "Mentions légales", "breadcrumb_data": {"links": [], "current": "Mentions légales"}},
    )


@login_not_required
def personal_data(request):
    return render(
        request,
        "core/personal_data.html",
        {
            "page_title": "Données personnelles",
            "breadcrumb_data": {"links": [], "current": "Données personnelles"},
            "inactive_days": settings.INACTIVE_ACCOUNT_DAYS,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "axes_days": settings.AXES_LOG_RETENTION_DAYS,
        },
    )


SCHEMAS_DIR = settings.BASE_DIR / "docs" / "schemas"


def published_schemas() -> list[dict]:
    """The Table Schemas of the files the platform exchanges (docs/schemas/<name>/schema.json), in name order."""
    out = []
    for path in sorted(SCHEMAS_DIR.glob("*/schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        out.append(schema | {"slug": path.parent.name, "json": json.dumps(schema, ensure_ascii=False, indent=2)})
    return out


@login_not_required
def schemas(request):
    """Formats de fichiers : the published Table Schemas and the API documentation."""
    return render(
        request,
        "core/schemas.html",
        {
            "page_title": "Formats de fichiers et API",
            "breadcrumb_data": {"links": [], "current": "Formats de fichiers"},
            "schemas": published_schemas(),
        },
    )
