"""Two years of annual reports in every state (validated, returned, submitted, draft, not started), with figures
scaled by the size of each service, written through the report functions so that every rule holds."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from cpom.reports import services
from cpom.reports.expected import ensure_reports
from cpom.reports.layout import report_layout
from cpom.reports.models import Report, ReportingCampaign

PARIS = ZoneInfo("Europe/Paris")
COMMENTS = [
    "Actions collectives menées avec la Carsat dans les entreprises ciblées.",
    "Baisse liée au départ de deux intervenants en prévention, remplacés au second semestre.",
    "Nouvelle offre de sensibilisation pour les très petites entreprises.",
    "",
]


class ReportsBuilder:
    def __init__(self, rng: random.Random, today: dt.date, by):
        self.rng = rng
        self.today = today
        self.by = by  # the reviewing agent (validations and returns)

    def build(self) -> None:
        for year in (self.today.year - 2, self.today.year - 1):
            opens_on, deadline = ReportingCampaign.default_dates(year)
            if opens_on > self.today:
                continue
            ReportingCampaign.objects.get_or_create(
                year=year, region=None, defaults={"opens_on": opens_on, "deadline": deadline}
            )
            ensure_reports(year)
            reports = Report.objects.filter(year=year).select_related("spsti", "contract").order_by("pk")
            for report in reports:
                self._fill(report, deadline, older=year < self.today.year - 1)

    def _state(self, older: bool, flagship: bool) -> str:
        if flagship:
            return "validated"
        draw = self.rng.random()
        if older:
            return "validated" if draw < 0.93 else "submitted"
        for state, share in (("validated", 0.62), ("submitted", 0.14), ("returned", 0.08), ("draft", 0.09)):
            if draw < share:
                return state
            draw -= share
        return "not_started"

    def _fill(self, report: Report, deadline: dt.date, *, older: bool) -> None:
        state = self._state(older, report.spsti.code == "SPSTI-PST35")
        if state == "not_started":
            return
        services.save_values(by=None, report=report, values=self._values(report), version=report.version)
        report.refresh_from_db()
        if state == "draft":
            return
        submitted = deadline - dt.timedelta(days=self.rng.randint(-40, 60))  # about one in five late
        at = dt.datetime.combine(submitted, dt.time(10, 0), tzinfo=PARIS)
        report = services.submit(by=None, report=report, at=at)
        if state == "returned":
            services.return_for_correction(
                by=self.by, report=report, comment="Le nombre d'établissements accompagnés paraît faible : à vérifier."
            )
        elif state == "validated":
            services.validate(by=self.by, report=report, at=at + dt.timedelta(days=self.rng.randint(3, 30)))

    def _values(self, report: Report) -> dict[str, str]:
        rng, employees = self.rng, report.spsti.employees_followed
        layout = report_layout(report)
        values: dict[str, str] = {}
        for _indicator, cells in layout.volet2:
            for cell in cells:
                values[cell.key] = ""
        for theme in layout.themes:
            for base, divisor in (
                ("ETAB_FORMES", (800, 2500)),
                ("ETAB_ACCOMPAGNES", (1500, 4000)),
                ("ETAB_COMMUNICATION", (200, 600)),
            ):
                total = max(1, int(employees / rng.randint(*divisor)))
                values[f"{base}|{theme.code}"] = str(total)
                values[f"{base}_COG|{theme.code}"] = str(int(total * rng.uniform(0.1, 0.45)))
        for _title, cells in layout.blocks:
            for cell in cells:
                code = cell.indicator.code
                if code == "PDP_CELLULE_DATE":
                    values[cell.key] = dt.date(report.year - rng.randint(0, 2), rng.randint(1, 12), 1).strftime(
                        "%d/%m/%Y"
                    )
                elif code == "PDP_SALARIES_ACCOMPAGNES":
                    values[cell.key] = str(max(1, int(employees / rng.randint(300, 900))))
                elif cell.indicator.value_type == "entier" and not cell.indicator.parent_id:
                    values[cell.key] = str(rng.randint(4, 40))
        for _title, cells in layout.blocks:
            for cell in cells:
                parent = cell.indicator.parent_id
                if parent and cell.indicator.value_type == "entier":
                    total = values.get(f"{parent}|{cell.theme.code if cell.theme else ''}")
                    if total:
                        values[cell.key] = str(int(int(total) * rng.uniform(0.3, 0.6)))
        for cell in layout.comments:
            values[cell.key] = rng.choice(COMMENTS)
        return values
