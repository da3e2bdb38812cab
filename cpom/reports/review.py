"""The review desk (one report, each figure beside last year's and the region's median per 10 000 employees,
with its flags and the service's justification) and the submission's confirmation (what is still empty, what is
flagged). A service's confirmation shows its own figures and flags only: never a peer's figure or name."""

from dataclasses import dataclass, field

from . import flags as flag_rules
from .layout import report_layout
from .models import Report


@dataclass
class DeskRow:
    cell: object  # layout.Cell
    value: object
    previous: object
    own_per: float | None
    median_per: float | None
    flags: list = field(default_factory=list)
    justification: str = ""


def desk(report: Report) -> list[DeskRow]:
    layout = report_layout(report)
    comparison = flag_rules.compare([report])[report.pk]
    flagged: dict[str, list] = {}
    for flag in comparison.flags:
        flagged.setdefault(flag.key, []).append(flag)
    justified = dict(report.justifications.values_list("key", "text"))
    rows = []
    for cell in layout.cells():
        if cell.indicator.value_type == "texte":
            continue
        rows.append(
            DeskRow(
                cell,
                comparison.values.get(cell.key),
                comparison.previous.get(cell.key),
                comparison.per(cell.key),
                comparison.median_per.get(cell.key),
                flagged.get(cell.key, []),
                justified.get(cell.key, ""),
            )
        )
    return rows


@dataclass
class Confirmation:
    empty: list  # layout cells still empty
    flagged: list  # (cell, [Flag]) of the figures the service is asked to justify


def confirmation(report: Report) -> Confirmation:
    layout = report_layout(report)
    comparison = flag_rules.compare([report])[report.pk]
    by_key: dict[str, list] = {}
    for flag in comparison.flags:
        by_key.setdefault(flag.key, []).append(flag)
    cells = layout.cells()
    return Confirmation(
        empty=[cell for cell in cells if comparison.values.get(cell.key) is None],
        flagged=[(cell, by_key[cell.key]) for cell in cells if cell.key in by_key],
    )
