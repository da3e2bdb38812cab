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
