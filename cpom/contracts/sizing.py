"""Sizing a contract to its service's capacity (report 001 §220–221).

The report asks that the number of actions follow the service's capacity — resources, skills and the maturity
of its teams — and that the least robust services contract, at first, on the PDP and one theme chosen among
the regional priorities. We read that as:

- a service is *less robust* when its teams are new to contracting (first CPOM or previous objectives not met),
  or when it has fewer than `MIN_PREVENTION_FTE_PER_10000` prevention FTE per 10 000 employees followed, or more
  than `MAX_EMPLOYEES_PER_PHYSICIAN` employees per occupational physician FTE;
- a less robust service is advised the PDP action plus one prevention theme; another service the PDP action
  plus up to `ROBUST_PREVENTION_THEMES` prevention themes (the 2019 and 2021 instructions "refocus on two main
  actions"). Volet 3 (interconnaissance) is outside the count: it is a shared regional action.
The thresholds are orders of magnitude to discuss with the regional cell, not legal limits: a warning, never a
refusal.
"""

from dataclasses import dataclass
from decimal import Decimal

from cpom.organisations.enums import CpomMaturity

from .enums import AxisKind, PartyRole
from .models import Contract

MIN_PREVENTION_FTE_PER_10000 = Decimal("1.5")
MAX_EMPLOYEES_PER_PHYSICIAN = 6000
LESS_ROBUST_PREVENTION_THEMES = 1
ROBUST_PREVENTION_THEMES = 2


@dataclass(frozen=True)
class Capacity:
    service: str
    employees_followed: int
    member_companies: int
    medical_staff_fte: Decimal | None
    prevention_staff_fte: Decimal | None
    maturity: str
    prevention_fte_per_10000: Decimal | None
    employees_per_physician: int | None
    less_robust: bool
    reasons: tuple[str, ...]
    advised_prevention_themes: int


@dataclass(frozen=True)
class Sizing:
    capacities: tuple[Capacity, ...]
    prevention_themes: int
    pdp_actions: int
    advised_prevention_themes: int

    @property
    def warning(self) -> str:
        if self.prevention_themes <= self.advised_prevention_themes:
            return ""
        return (
            f"Le contrat retient {self.prevention_themes} thématiques de prévention quand la capacité du service en "
            f"conseille {self.advised_prevention_themes} au plus (rapport IGAS, § 221) : envisagez de resserrer "
            "le contrat sur la PDP et les thématiques prioritaires."
        )


def capacity(spsti) -> Capacity:
    reasons = []
    per_10000 = per_physician = None
    if spsti.cpom_maturity == CpomMaturity.FIRST:
        reasons.append("premier CPOM ou objectifs précédents non atteints")
    if spsti.prevention_staff_fte is not None and spsti.employees_followed:
        per_10000 = (spsti.prevention_staff_fte * 10000 / spsti.employees_followed).quantize(Decimal("0.1"))
        if per_10000 < MIN_PREVENTION_FTE_PER_10000:
            reasons.append(f"{per_10000} ETP de prévention pour 10 000 salariés suivis")
    if spsti.medical_staff_fte:
        per_physician = int(spsti.employees_followed / spsti.medical_staff_fte)
        if per_physician > MAX_EMPLOYEES_PER_PHYSICIAN:
            reasons.append(f"{per_physician:,} salariés par médecin du travail (ETP)".replace(",", "\u202f"))
    less_robust = bool(reasons)
    return Capacity(
        service=spsti.name,
        employees_followed=spsti.employees_followed,
        member_companies=spsti.member_companies,
        medical_staff_fte=spsti.medical_staff_fte,
        prevention_staff_fte=spsti.prevention_staff_fte,
        maturity=spsti.get_cpom_maturity_display() if spsti.cpom_maturity else "non renseignée",
        prevention_fte_per_10000=per_10000,
        employees_per_physician=per_physician,
        less_robust=less_robust,
        reasons=tuple(reasons),
        advised_prevention_themes=LESS_ROBUST_PREVENTION_THEMES if less_robust else ROBUST_PREVENTION_THEMES,
    )


def contract_sizing(contract: Contract) -> Sizing:
    """Uses the prefetched parties and axes of `selectors.contract_detail` when present."""
    services = [p.organisation.spsti for p in contract.parties.all() if p.role == PartyRole.SPSTI]
    capacities = tuple(capacity(spsti) for spsti in services)
    themes = {
        action.theme_id
        for axis in contract.axes.all()
        if axis.kind == AxisKind.PREVENTION
        for action in axis.actions.all()
        if action.theme_id
    }
    pdp = sum(len(axis.actions.all()) for axis in contract.axes.all() if axis.kind == AxisKind.PDP)
    advised = min((c.advised_prevention_themes for c in capacities), default=ROBUST_PREVENTION_THEMES)
    return Sizing(
        capacities=capacities, prevention_themes=len(themes), pdp_actions=pdp, advised_prevention_themes=advised
    )
