"""What a report asks: derived from its contract (DESIGN §4, annex table of contract 004).

- Volet 2: one column per prevention theme the contract retains; the six national rows (establishments trained,
  supported, reached by communication, each with its "of which followed by the caisse under the COG").
- PDP block: the PDP indicators (national and the region's).
- Volet 3 and other regional or contract-specific indicators.
- A comment per theme, and a progress status and comment for each action.
"""

from dataclasses import dataclass, field

from cpom.contracts.models import Action, Contract, ContractIndicator, ContractVersion
from cpom.contracts.versions import version_for_year
from cpom.indicators.enums import IndicatorScope, ThemeScope

VOLET2_ROWS = [
    "ETAB_FORMES",
    "ETAB_FORMES_COG",
    "ETAB_ACCOMPAGNES",
    "ETAB_ACCOMPAGNES_COG",
    "ETAB_COMMUNICATION",
    "ETAB_COMMUNICATION_COG",
]
COMMENT = "COMMENTAIRE"


@dataclass(frozen=True)
class Cell:
    indicator: object
    theme: object | None

    @property
    def key(self) -> str:
        return f"{self.indicator.code}|{self.theme.code if self.theme else ''}"


@dataclass
class Layout:
    themes: list = field(default_factory=list)  # volet 2 columns
    volet2: list[tuple[object, list[Cell]]] = field(default_factory=list)  # (indicator, one cell per theme)
    blocks: list[tuple[str, list[Cell]]] = field(default_factory=list)  # (title, cells) for PDP, volet 3…
    comments: list[Cell] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    def cells(self) -> list[Cell]:
        out = [cell for _, row in self.volet2 for cell in row]
        out += [cell for _, block in self.blocks for cell in block]
        return out + self.comments


def layout_version(subject) -> ContractVersion:
    """The contract version a report follows: the one in force at the end of its year (DESIGN §7), so that a later
    amendment never changes the form or the figures of a past report. A contract or a version reads as itself."""
    if isinstance(subject, ContractVersion):
        return subject
    if isinstance(subject, Contract):
        return subject.current_version
    return version_for_year(subject.contract, subject.year)


def report_layout(subject) -> Layout:
    """The form of a report (or of a contract version, or of a contract's current text)."""
    version = layout_version(subject)
    rows = list(
        ContractIndicator.objects.filter(version=version)
        .select_related("indicator__parent", "theme")
        .order_by("indicator__scope", "indicator_id", "theme_id")
    )
    layout = Layout()
    themes = sorted(
        {row.theme for row in rows if row.theme and row.theme.scope == ThemeScope.PREVENTION}, key=lambda t: t.code
    )
    layout.themes = themes
    by_key = {(row.indicator_id, row.theme_id): row for row in rows}
    for code in VOLET2_ROWS:
        cells = [Cell(by_key[(code, t.code)].indicator, t) for t in themes if (code, t.code) in by_key]
        if cells:
            layout.volet2.append((cells[0].indicator, cells))
    placed = {(code, t.code) for code in VOLET2_ROWS for t in themes}
    pdp, volet3, other = [], [], []
    for row in rows:
        key = (row.indicator_id, row.theme_id)
        if key in placed:
            continue
        cell = Cell(row.indicator, row.theme)
        if row.indicator_id == COMMENT:
            layout.comments.append(cell)
        elif row.theme_id == "PDP":
            pdp.append(cell)
        elif row.theme and row.theme.scope == ThemeScope.REGIONAL:
            volet3.append(cell)
        elif row.indicator.scope == IndicatorScope.CONTRACT or row.theme is None or row.theme not in themes:
            other.append(cell)
    for title, cells in (
        ("Prévention de la désinsertion professionnelle (PDP)", pdp),
        ("Volet 3 — interconnaissance et actions régionales", volet3),
        ("Indicateurs propres au contrat", other),
    ):
        if cells:
            layout.blocks.append((title, cells))
    layout.actions = list(
        Action.objects.filter(axis__version=version).select_related("axis", "theme").order_by("axis__number", "number")
    )
    return layout
