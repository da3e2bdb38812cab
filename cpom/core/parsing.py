"""Parsing of values typed by French users (CSV cells, form fields)."""

import datetime as dt


def parse_french_date(value: str) -> dt.date:
    """Accept JJ/MM/AAAA (what users type) and AAAA-MM-JJ (what software writes)."""
    value = value.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"« {value} » n'est pas une date au format JJ/MM/AAAA.")


def parse_count(value: str) -> int:
    """A non-negative whole number; spaces as thousands separators are allowed (18 300)."""
    compact = "".join(value.split()).replace("\u202f", "")
    if not compact.isdigit():
        raise ValueError(f"« {value} » n'est pas un nombre entier positif ou nul.")
    return int(compact)


def parse_yes_no(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"oui", "o", "1", "vrai", "true"}:
        return True
    if lowered in {"", "non", "n", "0", "faux", "false"}:
        return False
    raise ValueError(f"« {value} » : répondez « oui » ou « non ».")
