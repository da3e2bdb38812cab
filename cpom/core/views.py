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


GLOSSARY = [
    ("AT-MP", "Accidents du travail et maladies professionnelles."),
    ("ARS", "Agence régionale de santé : rend un avis sur le projet de CPOM."),
    (
        "CARSAT",
        "Caisse d'assurance retraite et de la santé au travail : caisse régionale partie au CPOM "
        "(CRAMIF en Île-de-France, CGSS outre-mer, CSS à Mayotte).",
    ),
    (
        "CDPRP",
        "Comité départemental de prévention des risques professionnels : réunit les acteurs de la "
        "prévention d'un département (volet 3 du contrat, interconnaissance).",
    ),
    ("CNPST", "Comité national de prévention et de santé au travail : reçoit le bilan national des CPOM."),
    (
        "COG",
        "Convention d'objectifs et de gestion entre l'État et la branche AT-MP de l'Assurance maladie ; ses "
        "programmes (TMS Pros, Risques chimiques Pros…) ciblent des établissements suivis par la caisse.",
    ),
    (
        "CPOM",
        "Contrat pluriannuel d'objectifs et de moyens, conclu pour cinq ans au plus entre un SPSTI, la "
        "DREETS et la caisse régionale.",
    ),
    (
        "CRPST",
        "Comité régional de prévention et de santé au travail : rend un avis sur le projet de CPOM et "
        "reçoit le bilan régional.",
    ),
    ("DGT", "Direction générale du travail : pilote les CPOM au niveau national."),
    (
        "DREETS",
        "Direction régionale de l'économie, de l'emploi, du travail et des solidarités (DRIEETS en "
        "Île-de-France, DEETS outre-mer) : service régional de l'État partie au CPOM.",
    ),
    ("ETP", "Équivalent temps plein."),
    (
        "PDP",
        "Prévention de la désinsertion professionnelle : cellule du SPSTI qui repère et accompagne les "
        "salariés menacés de perdre leur emploi pour raison de santé.",
    ),
    (
        "PRST",
        "Plan régional santé au travail : décline le plan national dans la région ; ses actions sont "
        "reliées aux fiches action du CPOM.",
    ),
    ("RPS", "Risques psychosociaux."),
    ("SPSTI", "Service de prévention et de santé au travail interentreprises."),
    ("TMS", "Troubles musculo-squelettiques."),
    (
        "Tableau 1",
        "Tableau national du rapport de l'IGAS : services agréés, thématiques retenues, établissements "
        "accompagnés et cellules PDP, par région.",
    ),
]


@login_not_required
def glossary(request):
    return render(
        request,
        "core/glossary.html",
        {
            "page_title": "Glossaire",
            "breadcrumb_data": {"links": [], "current": "Glossaire"},
            "terms": GLOSSARY,
        },
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
