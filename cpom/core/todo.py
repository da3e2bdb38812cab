"""The vocabulary of the to-do (home page, `GET /api/todo`, counts in the navigation), shared by the apps that
compute their own lines (`reports/todo.py`, `contracts/todo.py`) and the page that gathers them
(`cpom.workspace`). A section counts everything it stands for and lists at most `MAX_LINES` of it, with a link
to the full list: the cost of the to-do does not grow with the number of reports (a few queries per section)."""

import datetime as dt
from dataclasses import dataclass, field

MAX_LINES = 10


@dataclass(frozen=True)
class TodoLine:
    label: str
    url: str = ""  # empty: the role may not open the object (e.g. a contract in consultation for the CRPST)
    due: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True)
class TodoSection:
    key: str  # stable identifier (API): "reports_to_fill", "reports_to_review"…
    nav: str  # the navigation entry whose counter it feeds: "reports", "contracts", "steering"
    title: str
    count: int
    lines: list[TodoLine] = field(default_factory=list)
    more_url: str = ""  # the full list, when `count` exceeds the lines shown
