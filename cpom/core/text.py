"""One policy for every text and date that enters the platform, whatever the channel (page form, API, CSV
import, Excel upload, management command), and for every text written to an Excel or Word file.

- Control characters (U+0000–U+001F except tab, line feed and carriage return, and U+007F) are refused at input:
  they cannot be typed, break XML exports (XLSX, DOCX) and hide text. Exports strip them anyway (`for_xml`), so
  a value stored before this policy cannot make a download fail.
- Every free text has a length limit (`SHORT_TEXT` for one-line fields, `LONG_TEXT` for comments and
  descriptions); the README's "Sécurité" section lists each input and its limit.
- Dates must be plausible: between `DATE_MIN` and `DATE_MAX`.

This module is the lowest layer (core): forms (`cpom.core.forms`), API schemas (`cpom.core.schemas`), the CSV
reader (`cpom.core.csvfiles`) and the Excel reader (`cpom.reports.excel`) all call it.
"""

import datetime as dt
import re

from .errors import DomainError

SHORT_TEXT = 300  # one-line fields: titles, names, references, qualities of signatories, CSV cells
LONG_TEXT = 10_000  # multi-line fields: comments, descriptions, objectives, reasons (≈ 4 pages)
DATE_MIN = dt.date(1990, 1, 1)  # oldest approval, contract or decision the platform records
DATE_MAX = dt.date(2100, 12, 31)

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Besides control characters, XML 1.0 forbids lone surrogates and U+FFFE/U+FFFF (openpyxl and python-docx raise).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def text_problem(value: str, *, limit: int = LONG_TEXT) -> str | None:
    """French explanation of what is wrong with `value` under the policy, or None."""
    if CONTROL_CHARACTERS.search(value):
        return "le texte contient des caractères de contrôle invisibles (copiés d'un autre logiciel) : retirez-les."
    if len(value) > limit:
        return f"le texte dépasse {limit:,} caractères ({len(value):,}).".replace(",", "\u202f")
    return None


def check_text(value: str, *, label: str, limit: int = LONG_TEXT, field: str | None = None) -> str:
    """`value` when the policy accepts it, else DomainError naming the field (`label`)."""
    problem = text_problem(value, limit=limit)
    if problem:
        raise DomainError(f"« {label} » : {problem}", field=field, rule="saisie")
    return value


def date_problem(value: dt.date) -> str | None:
    if value < DATE_MIN or value > DATE_MAX:
        return (
            f"la date {value.strftime('%d/%m/%Y')} n'est pas plausible (entre le "
            f"{DATE_MIN.strftime('%d/%m/%Y')} et le {DATE_MAX.strftime('%d/%m/%Y')})."
        )
    return None


def check_date(value: dt.date | None, *, label: str, field: str | None = None) -> dt.date | None:
    if value is not None and (problem := date_problem(value)):
        raise DomainError(f"« {label} » : {problem}", field=field, rule="saisie")
    return value


def for_xml(value):
    """`value` with the characters XML cannot hold removed (for XLSX and DOCX writers); non-text unchanged."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value
