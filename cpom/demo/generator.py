"""Deterministic demo landscape: services, approvals, service projects, PRST 4, COG programmes, demo accounts.

Same seed, same day: same data. Idempotent: a second run leaves the registry as it is and only resets the demo
accounts' passwords. Requires the reference data (`load_reference`).
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.core.dates import add_years
from cpom.indicators.models import Theme
from cpom.organisations.enums import CpomMaturity, SpstiCategory
from cpom.organisations.models import Approval, Organisation, ServiceProject, ServiceProjectPriority, Spsti
from cpom.organisations.rules import approval_last_day
from cpom.organisations.siret import LA_POSTE_SIREN, luhn_complete
from cpom.plans.models import CogProgramme, PrstAction, RegionalPlan
from cpom.reports.models import Report
from cpom.territory.models import Department, Region

from . import landscape as L
from .contracts import ContractsBuilder, demo_contract_counts
from .reports import ReportsBuilder

DEMO_PASSWORD = "Cpom-Demo-2026!"
DEMO_DOMAIN = "cpom.test"
SECOND_BRETAGNE_SERVICE = "SPSTI-53-002"
ALIGNED_REGION = "93"
TENTH = Decimal("0.1")

# (e-mail local part, role, organisation code, label shown as the account's name)
DEMO_ACCOUNTS = [
    ("pst35", Role.SPSTI_REFERENT, L.FLAGSHIP["code"], "Direction de Prévention Santé Travail 35"),
    ("spsti-bretagne", Role.SPSTI_REFERENT, SECOND_BRETAGNE_SERVICE, "Direction d'un autre service breton"),
    ("dreets-bretagne", Role.DREETS_AGENT, "ETAT-53", "Agent DREETS Bretagne"),
    ("carsat-bretagne", Role.CAISSE_AGENT, "CARSAT-BR", "Agent Carsat Bretagne"),
    ("pilote-bretagne", Role.REGIONAL_PILOT, "ETAT-53", "Cellule régionale Bretagne"),
    ("ars-bretagne", Role.ARS_READER, "ARS-53", "Lecteur ARS Bretagne"),
    ("crpst-bretagne", Role.SOCIAL_PARTNER, "CRPST-53", "Membre du CRPST Bretagne"),
    ("cnpst", Role.SOCIAL_PARTNER, "CNPST", "Membre du CNPST"),
    ("dgt", Role.NATIONAL, "DGT", "Cellule nationale DGT"),
    ("cnam", Role.NATIONAL, "CNAM", "Cellule nationale CNAM"),
    ("dreets-idf", Role.DREETS_AGENT, "ETAT-11", "Agent DRIEETS Île-de-France"),
    ("admin", Role.ADMIN, None, "Administrateur de la plateforme"),
]

# Departments placed first in a region's rotation: where the largest services and the flagship sit.
FIRST_DEPARTMENTS = {"11": ["75", "92"], "32": ["59"], "53": [L.FLAGSHIP["department"]]}


@dataclass
class DemoReport:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


class MissingReferenceData(Exception):
    pass


def load_demo(*, seed: int = 2026, today: dt.date | None = None, every_contract: bool = True) -> DemoReport:
    """`every_contract=False` (for tests) builds the whole registry but only the showcase contracts."""
    if not Region.objects.exists() or not Organisation.objects.filter(code="ETAT-53").exists():
        raise MissingReferenceData(
            "Les référentiels ne sont pas chargés : lancez d'abord « manage.py load_reference »."
        )
    today = today or timezone.localdate()
    with transaction.atomic():
        created = not Spsti.objects.filter(code=L.FLAGSHIP["code"]).exists()
        rng = random.Random(seed)
        if created:
            _Builder(rng, today).build()
            for code, (address, city) in L.PARTNER_SEATS.items():
                Organisation.objects.filter(code=code, address="").update(address=address, city=city)
        accounts = _ensure_accounts()
        if created:
            builder = ContractsBuilder(rng, today, by=User.objects.get(email=f"admin@{DEMO_DOMAIN}"))
            builder.build(every_service=every_contract)
            ReportsBuilder(rng, today, by=builder.by).build()
            builder.amendment_in_preparation()
    return DemoReport(created=created, counts=_counts(today), accounts=accounts)


def _counts(today: dt.date) -> dict[str, int]:
    return {
        "services actifs": Spsti.objects.active().count(),
        "services fusionnés": Spsti.objects.filter(merged_into__isnull=False).count(),
        "agréments": Approval.objects.count(),
        "projets de service": ServiceProject.objects.count(),
        "PRST": RegionalPlan.objects.count(),
        "programmes COG": CogProgramme.objects.count(),
        **demo_contract_counts(today),
        "rapports annuels": Report.objects.count(),
        "comptes": User.objects.count(),
    }


def _ensure_accounts() -> list[tuple[str, str, str]]:
    organisations = Organisation.objects.in_bulk([code for _, _, code, _ in DEMO_ACCOUNTS if code], field_name="code")
    rows = []
    for local_part, role, code, label in DEMO_ACCOUNTS:
        email = f"{local_part}@{DEMO_DOMAIN}"
        organisation = organisations[code] if code else None
        user = User.objects.filter(email=email).first() or User(email=email)
        user.role = role
        user.organisation = organisation
        user.first_name, user.last_name = "", label
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.full_clean(exclude=["password"])
        user.save()
        rows.append((email, role.label, str(organisation) if organisation else "—"))
    return rows


class _Builder:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.sirets: set[str] = {L.FLAGSHIP["siret"]}
        self.names: set[str] = set()
        self.themes = {theme.code: theme for theme in Theme.objects.all()}

    def build(self) -> None:
        self._plans()
        self._cog_programmes()
        self._mergers(self._services())

    # --- services -------------------------------------------------------------------------------------------
    def _services(self) -> list[Spsti]:
        rows = self._service_rows()
        self._assign_sizes(rows)
        self._assign_sectors(rows)
        services = []
        for row in rows:
            services.append(self._create_service(row))
        return services

    def _service_rows(self) -> list[dict]:
        departments_by_region: dict[str, list[Department]] = {}
        for department in Department.objects.order_by("code"):
            departments_by_region.setdefault(department.region_id, []).append(department)
        largest = list(L.LARGEST_SERVICES)
        rows = []
        for region_code, count in L.SERVICES_PER_REGION.items():
            departments = departments_by_region[region_code]
            first = FIRST_DEPARTMENTS.get(region_code, [])
            departments.sort(key=lambda d: (d.code not in first, first.index(d.code) if d.code in first else 0, d.code))
            for index in range(count):
                hq = departments[index % len(departments)]
                covered = [hq] + [d for j, d in enumerate(departments) if j >= count and j % count == index]
                row = {
                    "region": region_code,
                    "code": f"SPSTI-{region_code}-{index + 1:03d}",
                    "hq": hq,
                    "departments": covered,
                    "fixed_size": None,
                    "flagship": False,
                }
                for position, (big_region, size) in enumerate(largest):
                    if big_region == region_code:
                        row["fixed_size"] = size
                        del largest[position]
                        break
                if region_code == "53" and index == 0:
                    row.update(flagship=True, code=L.FLAGSHIP["code"], departments=[hq])
                rows.append(row)
        return rows

    def _assign_sizes(self, rows: list[dict]) -> None:
        for row in rows:
            if row["fixed_size"] is not None or row["flagship"]:
                continue
            classes = L.SIZE_CLASSES_AURA if row["region"] == "84" else L.SIZE_CLASSES
            low, high = _draw_class(self.rng.random(), classes)
            # Skew the upper class towards its lower end: few services follow more than 200 000 employees.
            position = self.rng.random() ** (2 if low >= 100_000 else 1)
            row["size"] = int(low + (high - low) * position)
        fixed = sum(row["fixed_size"] for row in rows if row["fixed_size"]) + L.FLAGSHIP["employees_followed"]
        drawn = sum(row.get("size", 0) for row in rows)
        factor = (L.TOTAL_EMPLOYEES - fixed) / drawn
        for row in rows:
            if row["flagship"]:
                row["size"] = L.FLAGSHIP["employees_followed"]
            elif row["fixed_size"]:
                row["size"] = row["fixed_size"]
            else:
                row["size"] = round(row["size"] * factor / 10) * 10

    def _assign_sectors(self, rows: list[dict]) -> None:
        candidates = [row for row in rows if not row["flagship"] and not row["fixed_size"] and row["region"] != "53"]
        chosen = self.rng.sample(candidates, L.SECTOR_SERVICES)
        sectors = [(sector, pattern) for sector, pattern, count in L.SECTORS for _ in range(count)]
        for row, (sector, pattern) in zip(chosen, sectors, strict=False):
            row["sector"] = sector
            row["pattern"] = pattern

    def _name(self, row: dict) -> str:
        place = row["hq"].name
        if "pattern" in row:
            candidates = [row["pattern"].format(place=place)]
        else:
            start = self.rng.randrange(len(L.INTERPROFESSIONAL_NAMES))
            rotated = L.INTERPROFESSIONAL_NAMES[start:] + L.INTERPROFESSIONAL_NAMES[:start]
            candidates = [pattern.format(place=place) for pattern in rotated]
        for candidate in candidates:
            if candidate not in self.names:
                break
        else:
            candidate = f"{candidates[0]} {sum(name.startswith(candidates[0]) for name in self.names) + 1}"
        self.names.add(candidate)
        return candidate

    def _siret(self) -> str:
        while True:
            siren = str(self.rng.randrange(300_000_000, 999_999_999))
            if siren == LA_POSTE_SIREN:
                continue
            siret = luhn_complete(f"{siren}{self.rng.randrange(1, 99):04d}")
            if siret not in self.sirets:
                self.sirets.add(siret)
                return siret

    def _create_service(self, row: dict) -> Spsti:
        if row["flagship"]:
            spsti = Spsti(
                code=L.FLAGSHIP["code"],
                name=L.FLAGSHIP["name"],
                short_name=L.FLAGSHIP["short_name"],
                siret=L.FLAGSHIP["siret"],
                headquarters_department=row["hq"],
                employees_followed=L.FLAGSHIP["employees_followed"],
                member_companies=L.FLAGSHIP["member_companies"],
                city=L.FLAGSHIP["city"],
                address=L.FLAGSHIP["address"],
                medical_staff_fte=Decimal("41.5"),
                prevention_staff_fte=Decimal("48.0"),
                cpom_maturity=CpomMaturity.EXPERIENCED,
            )
        else:
            name = self._name(row)
            spsti = Spsti(
                code=row["code"],
                name=name,
                short_name=_short_name(name, row["hq"]),
                siret=self._siret(),
                category=SpstiCategory.SECTOR if "sector" in row else SpstiCategory.INTERPROFESSIONAL,
                sector=row.get("sector", ""),
                headquarters_department=row["hq"],
                employees_followed=row["size"],
                member_companies=max(40, int(row["size"] / self.rng.uniform(8, 14))),
                medical_staff_fte=Decimal(round(row["size"] / self.rng.uniform(3500, 7500), 1)).quantize(TENTH),
                prevention_staff_fte=Decimal(round(row["size"] / self.rng.uniform(4000, 9000), 1)).quantize(TENTH),
                cpom_maturity=self.rng.choices(list(CpomMaturity), weights=[2, 4, 4])[0],
            )
        spsti.save()
        spsti.departments.set(row["departments"])
        self._approvals(spsti, row)
        self._service_project(spsti, row)
        return spsti

    def _approvals(self, spsti: Spsti, row: dict) -> None:
        today, rng = self.today, self.rng
        conditional = False
        if row["flagship"]:
            end = dt.date(today.year + 3, 6, 30)
        else:
            draw = rng.random()
            if draw < 0.04:
                end = today - dt.timedelta(days=rng.randint(10, 150))
            elif draw < 0.15:
                end = today + dt.timedelta(days=rng.randint(10, 175))
            else:
                end = today + dt.timedelta(days=rng.randint(200, 5 * 365 - 30))
            conditional = end >= today and rng.random() < L.CONDITIONAL_SHARE
        if row["region"] == ALIGNED_REGION and not row["flagship"]:
            # PACA approves all its services on the same calendar (hence its single regional contract, §153).
            start = dt.date(today.year - 1, 1, 1)
            end = add_years(start, 2 if conditional else 5) - dt.timedelta(days=1)
        elif conditional:
            end = min(end, today + dt.timedelta(days=rng.randint(200, 700)))
            start = add_years(end, -2) + dt.timedelta(days=1)
        else:
            start = add_years(end + dt.timedelta(days=1), -5)
            end = min(end, approval_last_day(start))
        previous_start = add_years(start, -5)
        region = row["hq"].region_id
        self._approval(spsti, previous_start, start - dt.timedelta(days=1), False, region, row["departments"])
        self._approval(spsti, start, end, conditional, region, row["departments"])

    def _approval(self, spsti, start, end, conditional, region, zones) -> None:
        approval = Approval.objects.create(
            spsti=spsti,
            start=start,
            end=end,
            conditional=conditional,
            conditions=(
                "Agrément accordé sous réserve de recruter deux médecins du travail et de réduire le nombre de "
                "salariés suivis par équipe pluridisciplinaire."
                if conditional
                else ""
            ),
            decision_reference=f"DREETS-{region}-{start:%Y}-{self.rng.randint(1, 999):03d}",
        )
        approval.zones.set(zones)

    def _service_project(self, spsti: Spsti, row: dict) -> None:
        start_year = self.today.year - 2 if row["flagship"] else self.today.year - self.rng.randint(1, 4)
        start = dt.date(start_year, 1, 1)
        project = ServiceProject.objects.create(
            spsti=spsti,
            title=f"Projet pluriannuel de service {start_year}-{start_year + 4}",
            start=start,
            end=dt.date(start_year + 4, 12, 31),
            board_validated_on=start - dt.timedelta(days=self.rng.randint(20, 80)),
        )
        if row["flagship"]:
            titles = L.FLAGSHIP["pps_priorities"]
        else:
            titles = self.rng.sample(L.PPS_PRIORITIES, self.rng.randint(3, 5))
        ServiceProjectPriority.objects.bulk_create(
            ServiceProjectPriority(project=project, code=f"P{number}", title=title)
            for number, title in enumerate(titles, start=1)
        )

    def _mergers(self, services: list[Spsti]) -> None:
        candidates = [
            s for s in services if s.code != L.FLAGSHIP["code"] and s.category == SpstiCategory.INTERPROFESSIONAL
        ]
        for number, successor in enumerate(self.rng.sample(candidates, L.MERGERS), start=1):
            dissolved_on = dt.date(self.today.year - self.rng.randint(1, 3), 1, 1)
            hq = successor.headquarters_department
            predecessor = Spsti(
                code=f"{successor.code}-F{number}",
                name=f"Service médical interentreprises {hq.name} (absorbé)",
                short_name=f"SMI {hq.code}",
                siret=self._siret(),
                headquarters_department=hq,
                employees_followed=int(successor.employees_followed * self.rng.uniform(0.2, 0.4)),
                member_companies=int(successor.member_companies * 0.3),
                dissolved_on=dissolved_on,
                merged_into=successor,
            )
            predecessor.save()
            predecessor.departments.set([hq])
            start = add_years(dissolved_on, -4)
            self._approval(predecessor, start, dissolved_on - dt.timedelta(days=1), False, hq.region_id, [hq])

    # --- plans ----------------------------------------------------------------------------------------------
    def _plans(self) -> None:
        for region in Region.objects.order_by("code"):
            plan = RegionalPlan.objects.create(
                region=region,
                number=4,
                title=f"4e plan régional santé au travail — {region.name}",
                start_year=2021,
                end_year=2025,
            )
            count = self.rng.randint(5, 7)
            required = [action for action in L.PRST_ACTIONS if action[0] == "4.2"]
            others = self.rng.sample([a for a in L.PRST_ACTIONS if a[0] != "4.2"], count - 1)
            actions = sorted(required + others)
            PrstAction.objects.bulk_create(
                PrstAction(plan=plan, code=code, title=title, theme=self.themes.get(theme) if theme else None)
                for code, title, theme in actions
            )

    def _cog_programmes(self) -> None:
        for code, title, theme in L.COG_PROGRAMMES:
            CogProgramme.objects.update_or_create(
                code=code,
                defaults={
                    "title": title,
                    "branch": "ATMP",
                    "start_year": L.COG_YEARS[0],
                    "end_year": L.COG_YEARS[1],
                    "theme": self.themes.get(theme),
                },
            )


def _draw_class(draw: float, classes: list[tuple[float, int, int]]) -> tuple[int, int]:
    for share, low, high in classes:
        if draw < share:
            return low, high
        draw -= share
    return classes[-1][1], classes[-1][2]


_SMALL_WORDS = {"de", "du", "des", "au", "aux", "et", "la", "le", "les", "l'", "d'"}


def _short_name(name: str, department: Department) -> str:
    words = [w for w in name.replace(department.name, "").split() if w.lower() not in _SMALL_WORDS]
    initials = "".join(w[0].upper() for w in words if w[0].isalpha())
    return f"{initials} {department.code}"
