"""Open data: non-identifying aggregates per region, theme and year, from validated reports only.

Statistical confidentiality (issue 16): a figure built from fewer than `MIN_SERVICES` services is not published —
the cell is left empty — since a region with one or two services would give away a named service's figures."""

from cpom.indicators.enums import ThemeScope
from cpom.indicators.models import Theme
from cpom.territory.models import Region

from .consolidation import NATIONAL, ThemeRow, tableau1

MIN_SERVICES = 3
SUPPRESSED = ""  # an empty cell: secret statistique

DICTIONARY = [
    ("annee", "Année suivie (les rapports sont transmis l'année suivante, au plus tard le 30 juin)."),
    ("region_code", "Code INSEE de la région ; « FR » pour le total national."),
    ("region", "Nom de la région."),
    ("thematique_code", "Code de la thématique de prévention (référentiel des thématiques)."),
    ("thematique", "Libellé de la thématique."),
    (
        "services_agrees",
        "Services de prévention et de santé au travail interentreprises agréés au moins un jour de l'année.",
    ),
    (
        "services_retenant_thematique",
        "Services agréés parties à au moins un CPOM en vigueur pendant l'année, avec une action sur la thématique. "
        f"Vide (secret statistique) quand la région compte moins de {MIN_SERVICES} services agréés.",
    ),
    (
        "etablissements_accompagnes",
        "Somme des établissements ayant bénéficié d'au moins une visite, mesure ou conseil personnalisé sur la "
        "thématique, d'après les rapports annuels validés. Vide (secret statistique) quand moins de "
        f"{MIN_SERVICES} services retiennent la thématique : le chiffre serait celui d'un service identifiable.",
    ),
]
CONFIDENTIALITY = (
    f"Secret statistique : une case calculée à partir de moins de {MIN_SERVICES} services est laissée vide, pour "
    "qu'aucun chiffre d'un service ne puisse être retrouvé."
)


def rows(year: int) -> list[list]:
    themes = list(Theme.objects.filter(scope=ThemeScope.PREVENTION).order_by("code"))
    figures = tableau1(year)
    out = []
    for code, name in [*Region.objects.order_by("code").values_list("code", "name"), (NATIONAL, "France entière")]:
        region = figures.get(code)
        for theme in themes:
            row = region.themes.get(theme.code, ThemeRow()) if region else ThemeRow()
            out.append(
                [
                    year,
                    "FR" if code == NATIONAL else code,
                    name,
                    theme.code,
                    theme.label,
                    row.total_services,
                    _published(row.services_retaining_theme, built_from=row.total_services),
                    _published(row.establishments_supported, built_from=row.services_retaining_theme),
                ]
            )
    return out


def _published(value: int, *, built_from: int):
    """`value` unless it is built from 1 to MIN_SERVICES − 1 services (0 services: nothing to hide)."""
    return SUPPRESSED if 0 < built_from < MIN_SERVICES else value
