"""Open data: non-identifying aggregates per region, theme and year, from validated reports only."""

from cpom.indicators.enums import ThemeScope
from cpom.indicators.models import Theme
from cpom.territory.models import Region

from .consolidation import NATIONAL, ThemeRow, tableau1

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
        "Services agréés parties à au moins un CPOM en vigueur pendant l'année, avec une action sur la thématique.",
    ),
    (
        "etablissements_accompagnes",
        "Somme des établissements ayant bénéficié d'au moins une visite, mesure ou conseil personnalisé sur la "
        "thématique, d'après les rapports annuels validés.",
    ),
]


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
                    row.services_retaining_theme,
                    row.establishments_supported,
                ]
            )
    return out
