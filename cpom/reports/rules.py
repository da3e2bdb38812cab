"""Validation rules declared with the indicators (catalogue column `regle`), checked on the server for every
channel (form, Excel, CSV, API) and mirrored in the browser. A failed rule names the indicator, the theme and
the rule, in French.

Grammar of a rule: `>= N`, `<= N`, `<= parent` (an "of which" cannot exceed its total for the same theme),
`<= 31/12 of the reported year` (a date cannot fall after the year reported). Several rules are separated by `;`.
"""

import datetime as dt
import re
from dataclasses import dataclass

from cpom.core.parsing import MAX_COUNT, parse_count, parse_french_date
from cpom.indicators.enums import ValueType
from cpom.indicators.models import Indicator

__all__ = ["MAX_COUNT", "Problem", "check", "parse"]
_BOUND = re.compile(r"^(>=|<=)\s*(\d+)$")


@dataclass(frozen=True)
class Problem:
    indicator: str
    theme: str | None
    message: str

    @property
    def key(self) -> str:
        return f"{self.indicator}|{self.theme or ''}"


def _where(indicator: Indicator, theme_label: str | None) -> str:
    return f"« {indicator.label} »" + (f" ({theme_label})" if theme_label else "")


def parse(indicator: Indicator, raw: str, theme_label: str | None = None):
    """The typed value of `raw` for `indicator` (None when empty), or a ValueError with a French message."""
    raw = (raw or "").strip()
    if not raw:
        return None
    where = _where(indicator, theme_label)
    if indicator.value_type == ValueType.INTEGER:
        try:
            return parse_count(raw)
        except ValueError as error:
            if "dépasse" in str(error):
                raise ValueError(f"{where} : {error}") from None
            raise ValueError(f"{where} : « {raw} » n'est pas un nombre entier positif ou nul.") from None
    if indicator.value_type == ValueType.DATE:
        try:
            return parse_french_date(raw)
        except ValueError as error:
            if "plausible" in str(error):
                raise ValueError(f"{where} : {error}") from None
            raise ValueError(f"{where} : « {raw} » n'est pas une date au format JJ/MM/AAAA.") from None
    if len(raw) > 5000:
        raise ValueError(f"{where} : le texte dépasse 5 000 caractères.")
    return raw


def check(
    indicator: Indicator,
    value,
    *,
    year: int,
    theme_label: str | None,
    parent_value=None,
) -> str | None:
    """The French message of the first rule `value` breaks, or None."""
    if value is None:
        return None
    where = _where(indicator, theme_label)
    for rule in filter(None, (part.strip() for part in (indicator.rule or "").split(";"))):
        bound = _BOUND.match(rule)
        if bound and isinstance(value, int):
            operator, limit = bound.group(1), int(bound.group(2))
            if operator == ">=" and value < limit:
                return f"{where} : la valeur doit être supérieure ou égale à {limit} (règle « {rule} »)."
            if operator == "<=" and value > limit:
                return f"{where} : la valeur doit être inférieure ou égale à {limit} (règle « {rule} »)."
        elif rule == "<= parent" and isinstance(value, int) and parent_value is not None:
            if value > parent_value:
                parent = indicator.parent.label if indicator.parent_id else "son total"
                return (
                    f"{where} : {value} dépasse son total « {parent} » ({parent_value}) "
                    "(règle : un « dont » ne peut dépasser son total)."
                )
        elif rule.startswith("<= 31/12") and isinstance(value, dt.date):
            if value > dt.date(year, 12, 31):
                return f"{where} : la date {value:%d/%m/%Y} est postérieure à l'année suivie ({year})."
    return None
