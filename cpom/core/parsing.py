"""Parsing of values typed by French users (CSV cells, form fields)."""

import datetime as dt

from .text import date_problem


def parse_french_date(value: str) -> dt.date:
    """Accept JJ/MM/AAAA (what users type) and AAAA-MM-JJ (what software writes)."""
    value = value.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            parsed = dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if problem := date_problem(parsed):  # the platform's plausible range (core/text.py)
            raise ValueError(f"« {value} » : {problem}")
        return parsed
    raise ValueError(f"« {value} » n'est pas une date au format JJ/MM/AAAA.")


MAX_COUNT = 10**15  # far above any count of the field, far below what the database stores (2⁶³)


def parse_count(value: str) -> int:
    """A non-negative whole number; spaces as thousands separators are allowed (18 300). Only the digits 0-9:
    other scripts' digits and superscripts are refused."""
    compact = "".join(value.split()).replace("\u202f", "")
    if not compact.isascii() or not compact.isdigit():
        raise ValueError(f"« {value} » n'est pas un nombre entier positif ou nul.")
    if len(compact) > 16 or int(compact) > MAX_COUNT:
        raise ValueError(f"« {value} » dépasse le plus grand nombre admis ({MAX_COUNT:,}).".replace(",", "\u202f"))
    return int(compact)


def parse_yes_no(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"oui", "o", "1", "vrai", "true"}:
        return True
    if lowered in {"", "non", "n", "0", "faux", "false"}:
        return False
    raise ValueError(f"« {value} » : répondez « oui » ou « non ».")
