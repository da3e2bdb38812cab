"""What to count for each national indicator, from the legend of the annual follow-up table annexed to the
contract 004 (seed 004, « Légende »): shown next to the field that asks for it."""

_COG = (
    "Parmi les établissements comptés sur la ligne précédente, ceux que la caisse régionale suit dans le cadre "
    "de sa convention d'objectifs et de gestion (COG)."
)

LEGENDS = {
    "ETAB_FORMES": "Le nombre total d'établissements formés à la thématique sur l'ensemble des actions de "
    "formation déployées.",
    "ETAB_FORMES_COG": _COG,
    "ETAB_ACCOMPAGNES": "Le nombre total d'établissements ayant bénéficié d'au moins une visite, mesure ou conseil "
    "personnalisé sur la thématique.",
    "ETAB_ACCOMPAGNES_COG": _COG,
    "ETAB_COMMUNICATION": "Le nombre total d'établissements destinataires d'une action de communication sur la "
    "thématique.",
    "ETAB_COMMUNICATION_COG": _COG,
    "COMMENTAIRE": "Champ libre pour toute information qualitative.",
}


def legend(code: str) -> str:
    return LEGENDS.get(code, "")


# The order of the national indicators in the contract's annual follow-up table (the reference file's order):
# prevention (volet 2), PDP, then interconnaissance (volet 3). Regional indicators follow, by code.
NATIONAL_ORDER = [
    "ETAB_FORMES",
    "ETAB_FORMES_COG",
    "ETAB_ACCOMPAGNES",
    "ETAB_ACCOMPAGNES_COG",
    "ETAB_COMMUNICATION",
    "ETAB_COMMUNICATION_COG",
    "COMMENTAIRE",
    "PDP_CELLULE_DATE",
    "PDP_SALARIES_ACCOMPAGNES",
    "PDP_SALARIES_PARCOURS",
    "PDP_REUNIONS",
    "PDP_DOSSIERS",
    "PDP_MAINTIENS",
    "CDPRP_REUNIONS",
    "CDPRP_PARTICIPANTS",
    "CDPRP_THEMATIQUES",
]
_RANK = {code: index for index, code in enumerate(NATIONAL_ORDER)}


def row_order(code: str, parent: str | None, theme_label: str) -> tuple:
    """Sort key of an (indicator, theme) row: the annex's order, each "dont" row right under its total for the
    same theme (not a code's alphabetical order, which put interconnaissance first and a "dont" rows away)."""
    head = parent or code
    return (_RANK.get(head, len(_RANK)), head, theme_label, 0 if parent is None else 1, _RANK.get(code, 0), code)
