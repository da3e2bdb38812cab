"""The dashboards' and bilans' tables, built from the consolidation functions. Each table is shown on its page,
downloads as CSV and XLSX, and goes into the bilans' Word files, from this one definition."""

from collections.abc import Callable, Sequence

from django.urls import reverse

from cpom.core.permissions import Perm
from cpom.core.tables import DATE, DECIMAL, PERCENT, TEXT, Cell, Column, Table, evolution, ratio
from cpom.core.templatetags.cpom_tables import cell_text
from cpom.indicators.enums import ThemeScope
from cpom.indicators.legends import row_order
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.selectors import named_services_of
from cpom.reports.enums import ProgressStatus
from cpom.reports.selectors import deadlines
from cpom.reports.services import stored_text
from cpom.territory.models import Region

from .consolidation import (
    BENCHMARK_INDICATORS,
    MIN_PEERS,
    NATIONAL,
    Completeness,
    RegionFigures,
    ThemeRow,
    action_progress_by_region,
    completeness_by_region,
    contracts_signed,
    coverage,
    indicator_totals,
    positions,
    service_theme_matrix,
    services_under_contract,
    tableau1,
)
from .watch import Watch

NATIONAL_LABEL = "Total national"


def prevention_themes() -> list[Theme]:
    return list(Theme.objects.filter(scope=ThemeScope.PREVENTION).order_by("code"))


def _region_link(region: Region, year: int, link: bool) -> Cell:
    if not link:
        return Cell(region.name)
    return Cell(region.name, href=reverse("steering:regional", args=[region.code]) + f"?annee={year}")


def coverage_table(year: int, regions: Sequence[Region], *, link: bool = False, national: bool = True) -> Table:
    shares = services_under_contract(year)
    table = Table(
        slug="couverture",
        caption=f"Services agréés sous contrat en vigueur en {year}, par région",
        columns=[
            Column("Région", TEXT),
            Column("Services agréés"),
            Column("Sous contrat en vigueur"),
            Column("Part sous contrat", PERCENT),
        ],
    )
    for region in regions:
        under, total = shares.get(region.code, (0, 0))
        table.rows.append([_region_link(region, year, link), total, under, ratio(under, total)])
        table.row_keys.append(region.code)
    if national:
        under, total = shares[NATIONAL]
        table.footer = [NATIONAL_LABEL, total, under, ratio(under, total)]
    return table


Figures = dict[str, RegionFigures]  # `consolidation.tableau1` of a year


def tableau1_table(
    year: int, regions: Sequence[Region], current: Figures, previous: Figures, *, link: bool = False
) -> Table:
    """IGAS Tableau 1 (report §161), the previous year in parentheses."""
    themes = prevention_themes()
    columns = [Column("Région", TEXT), Column("Services agréés")]
    for theme in themes:
        columns += [
            Column("Services la retenant", group=theme.label),
            Column("Établissements accompagnés", group=theme.label),
        ]
    columns += [
        Column("Services la retenant", group="PDP"),
        Column("Services dotés", group="Cellules PDP"),
        Column("Salariés accompagnés", group="Cellules PDP"),
        Column("dont parcours coordonné", group="Cellules PDP"),
    ]
    table = Table(
        slug="tableau1",
        caption=f"Tableau 1 — services agréés, thématiques retenues et cellules PDP en {year}",
        columns=columns,
        previous_label=str(year - 1),
    )

    def line(heading, key: str) -> list:
        now, before = current.get(key) or RegionFigures(), previous.get(key) or RegionFigures()

        def theme(figures: RegionFigures, code: str) -> ThemeRow:
            return figures.themes.get(code, ThemeRow())

        first = themes[0].code if themes else ""
        cells = [heading, Cell(theme(now, first).total_services, theme(before, first).total_services)]
        for t in themes:
            cells += [
                Cell(theme(now, t.code).services_retaining_theme, theme(before, t.code).services_retaining_theme),
                Cell(theme(now, t.code).establishments_supported, theme(before, t.code).establishments_supported),
            ]
        return [
            *cells,
            Cell(now.services_retaining_pdp, before.services_retaining_pdp),
            Cell(now.services_with_pdp_cell, before.services_with_pdp_cell),
            Cell(now.employees_supported_pdp, before.employees_supported_pdp),
            Cell(now.employees_in_coordinated_pathway, before.employees_in_coordinated_pathway),
        ]

    table.rows = [line(_region_link(region, year, link), region.code) for region in regions]
    table.footer = line(NATIONAL_LABEL, NATIONAL)
    return table


def completeness_table(year: int, by_region: dict[str, Completeness], regions: Sequence[Region]) -> Table:
    table = Table(
        slug="completude",
        caption=f"Complétude et respect des délais des rapports {year}",
        columns=[
            Column("Région", TEXT),
            Column("Rapports attendus"),
            Column("Transmis ou validés"),
            Column("Complétude", PERCENT),
            Column("Transmis dans les délais"),
            Column("Ponctualité", PERCENT),
        ],
    )

    def line(heading, counts: Completeness | None) -> list:
        counts = counts or Completeness(0, 0, 0)
        return [
            heading,
            counts.owed,
            counts.submitted_or_validated,
            counts.completeness,
            counts.on_time,
            counts.timeliness,
        ]

    table.rows = [line(region.name, by_region.get(region.code)) for region in regions]
    if len(regions) > 1:
        table.footer = line(NATIONAL_LABEL, by_region.get(NATIONAL))
    return table


def theme_table(year: int, region: Region, current_figures: Figures, previous_figures: Figures) -> Table:
    current = current_figures.get(region.code) or RegionFigures()
    previous = previous_figures.get(region.code) or RegionFigures()
    table = Table(
        slug="thematiques",
        caption=f"Thématiques de prévention en {year} — {region.name}",
        columns=[
            Column("Thématique", TEXT),
            Column("Services agréés"),
            Column("Services retenant la thématique"),
            Column("Établissements accompagnés"),
        ],
        previous_label=str(year - 1),
    )
    for theme in prevention_themes():
        table.row_keys.append(theme.code)
        now, before = current.themes.get(theme.code, ThemeRow()), previous.themes.get(theme.code, ThemeRow())
        table.rows.append(
            [
                theme.label,
                Cell(now.total_services, before.total_services),
                Cell(now.services_retaining_theme, before.services_retaining_theme),
                Cell(now.establishments_supported, before.establishments_supported),
            ]
        )
    return table


TREND_YEARS = 5


def indicator_trend_table(year: int, region: Region | None, *, include_submitted: bool) -> Table:
    """Totals per indicator and theme over the last TREND_YEARS years, and the change over one year."""
    years = list(range(year - TREND_YEARS + 1, year + 1))
    totals = indicator_totals(years, region_id=region.code if region else None, include_submitted=include_submitted)
    indicators = Indicator.objects.in_bulk({indicator for indicator, _ in totals})
    themes = {theme.code: theme for theme in Theme.objects.all()}
    table = Table(
        slug="indicateurs",
        caption=f"Totaux par indicateur et thématique, {years[0]}–{year}"
        + (f" — {region.name}" if region else " — France entière"),
        columns=[
            Column("Indicateur", TEXT),
            Column("Thématique", TEXT),
            *[Column(str(y)) for y in years],
            Column("Évolution sur un an", PERCENT),
        ],
        empty="Aucun rapport compté sur la période.",
    )
    used_years = [y for y in years if y >= year - 1 or any(by_year.get(y) is not None for by_year in totals.values())]
    if len(used_years) < len(years):  # no empty columns for the years before any report was counted
        years = used_years
        table.columns = [table.columns[0], table.columns[1], *[Column(str(y)) for y in years], table.columns[-1]]
        table.caption = f"Totaux par indicateur et thématique, {years[0]}–{year}" + (
            f" — {region.name}" if region else " — France entière"
        )

    def order(item) -> tuple:
        (code, theme), _ = item
        return row_order(code, indicators[code].parent_id, themes[theme].label if theme else "")

    for (code, theme), by_year in sorted(totals.items(), key=order):
        table.rows.append(
            [
                indicators[code].label,
                themes[theme].label if theme else "—",
                *[by_year.get(y) for y in years],
                evolution(by_year.get(year), by_year.get(year - 1)),
            ]
        )
        table.row_keys.append((code, theme))
    return table


def named_for(user):
    """The services whose named rows `user` may read: roles that read service files (REGISTRY_VIEW) see those of
    their scope; social partners (aggregates only, DESIGN §2) none."""
    return named_services_of(user, may_see_named=user.can(Perm.REGISTRY_VIEW))


NAMED_HIDDEN = "Chiffres par service non communiqués à votre rôle : chiffres agrégés seulement."


def matrix_table(year: int, region: Region, *, include_submitted: bool, named=None) -> Table:
    """`named`: the services whose rows the reader may see (organisations.selectors.named_services_of); None: all."""
    themes = prevention_themes()
    table = Table(
        slug="matrice",
        caption="Thématiques retenues par chaque service sous contrat, et établissements accompagnés",
        columns=[Column("Service", TEXT), *[Column(theme.label) for theme in themes]],
        empty="Aucun service sous contrat en vigueur" + (" dans votre périmètre." if named is not None else "."),
    )
    if named is not None and not named.exists():
        table.empty = NAMED_HIDDEN
        return table
    for row in service_theme_matrix(year, region.code, include_submitted=include_submitted, services=named):
        table.rows.append(
            [
                row.service,
                *[
                    Cell(row.themes.get(theme.code), note="retenue, non déclarée") if theme.code in row.themes else None
                    for theme in themes
                ],
            ]
        )
    return table


def progress_table(year: int, regions: Sequence[Region], *, include_submitted: bool) -> Table:
    progress = action_progress_by_region(year, include_submitted=include_submitted)
    table = Table(
        slug="avancement",
        caption=f"Avancement des actions déclaré dans les rapports {year}",
        columns=[Column("Région", TEXT), *[Column(label) for _, label in ProgressStatus.choices]],
    )
    for region in regions:
        counts = progress.get(region.code, {})
        table.rows.append([region.name, *[counts.get(value, 0) for value, _ in ProgressStatus.choices]])
    if len(regions) > 1:
        table.footer = [
            NATIONAL_LABEL,
            *[sum(counts.get(value, 0) for counts in progress.values()) for value, _ in ProgressStatus.choices],
        ]
    return table


def generations_table(year: int, region: Region) -> Table:
    table = Table(
        slug="generations",
        caption=f"Services agréés sous contrat en vigueur en {year}, par génération de contrat",
        columns=[
            Column("Génération", TEXT),
            Column("Services sous contrat en vigueur"),
            Column("Services agréés"),
            Column("Part", PERCENT),
        ],
        empty="Aucun contrat en vigueur cette année.",
    )
    for generation, (under, total) in sorted(coverage(year).get(region.code, {}).items()):
        table.rows.append([f"Génération {generation}", under, total, ratio(under, total)])
    return table


def contracts_table(year: int, regions: Sequence[Region]) -> Table:
    """CNPST/CRPST bilan: approved services and contracts signed per region and generation."""
    signed = contracts_signed(year)
    shares = services_under_contract(year)
    generations = sorted({g for counts in signed.values() for g in counts}) or [1]
    table = Table(
        slug="contrats",
        caption=f"Services agréés et contrats signés au 31/12/{year}, par région et génération",
        columns=[
            Column("Région", TEXT),
            Column("Services agréés"),
            *[Column(f"Génération {g}", group="Contrats signés") for g in generations],
            Column("Services sous contrat en vigueur"),
            Column("Part sous contrat", PERCENT),
        ],
    )

    def line(heading, key: str, counts: dict[int, int]) -> list:
        under, total = shares.get(key, (0, 0))
        return [heading, total, *[counts.get(g, 0) for g in generations], under, ratio(under, total)]

    table.rows = [line(region.name, region.code, signed.get(region.code, {})) for region in regions]
    if len(regions) > 1:
        national = {g: sum(counts.get(g, 0) for counts in signed.values()) for g in generations}
        table.footer = line(NATIONAL_LABEL, NATIONAL, national)
    return table


def themes_retained_table(year: int, regions: Sequence[Region], figures: Figures) -> Table:
    """CNPST/CRPST bilan: per region, services retaining each prevention theme, and the PDP cells."""
    themes = prevention_themes()
    table = Table(
        slug="thematiques-retenues",
        caption=f"Services retenant chaque thématique et cellules PDP en {year}, par région",
        columns=[
            Column("Région", TEXT),
            *[Column(theme.label) for theme in themes],
            Column("Services dotés d'une cellule PDP"),
            Column("Salariés accompagnés (PDP)"),
            Column("dont parcours coordonné"),
        ],
    )

    def line(heading, key: str) -> list:
        region = figures.get(key) or RegionFigures()
        return [
            heading,
            *[region.themes.get(theme.code, ThemeRow()).services_retaining_theme for theme in themes],
            region.services_with_pdp_cell,
            region.employees_supported_pdp,
            region.employees_in_coordinated_pathway,
        ]

    table.rows = [line(region.name, region.code) for region in regions]
    if len(regions) > 1:
        table.footer = line(NATIONAL_LABEL, NATIONAL)
    return table


def watch_tables(watch: Watch, year: int) -> list[Table]:
    """The compliance watch (issue list for agents), one table per point."""
    return [
        Table(
            slug="sans-contrat",
            caption=f"Services agréés sans contrat en vigueur ({len(watch.services_without_contract)})",
            columns=[Column("Service", TEXT), Column("Région", TEXT), Column("SIRET", TEXT)],
            rows=[
                [Cell(s.name, href=reverse("organisations:spsti_detail", args=[s.pk])), s.region.name, s.siret]
                for s in watch.services_without_contract
            ],
            empty="Aucun.",
        ),
        Table(
            slug="fin-proche",
            caption=f"Contrats qui prennent fin dans les 6 mois ({len(watch.contracts_ending_soon)})",
            columns=[Column("Contrat", TEXT), Column("Région", TEXT), Column("Fin", DATE)],
            rows=[
                [Cell(c.title, href=reverse("contracts:contract_detail", args=[c.pk])), c.region.name, c.end]
                for c in watch.contracts_ending_soon
            ],
            empty="Aucun.",
        ),
        Table(
            slug="agrement-court",
            caption=f"Agréments qui finissent avant leur contrat ({len(watch.approvals_ending_before_contract)})",
            columns=[Column("Contrat", TEXT), Column("Service", TEXT), Column("Fin du contrat", DATE)],
            rows=[
                [
                    Cell(p.contract.title, href=reverse("contracts:contract_detail", args=[p.contract_id])),
                    p.organisation.name,
                    p.contract.end,
                ]
                for p in watch.approvals_ending_before_contract
            ],
            empty="Aucun.",
        ),
        Table(
            slug="consultations",
            caption=f"Consultations incomplètes ({len(watch.consultations_missing)})",
            columns=[Column("Contrat", TEXT), Column("Région", TEXT), Column("Avis reçus sur 2")],
            rows=[
                [
                    Cell(c.title, href=reverse("contracts:contract_detail", args=[c.pk]) + "?onglet=signatures"),
                    c.region.name,
                    c.opinions,
                ]
                for c in watch.consultations_missing
            ],
            empty="Aucune.",
        ),
        Table(
            slug="rapports-en-retard",
            caption=f"Rapports {year} en retard ({len(watch.late_reports)})",
            columns=[Column("Service", TEXT), Column("État", TEXT), Column("Contrat", TEXT)],
            rows=[
                [
                    Cell(r.spsti.name, href=reverse("reports:report_detail", args=[r.pk])),
                    r.get_status_display(),
                    r.contract.title,
                ]
                for r in watch.late_reports
            ],
            empty="Aucun.",
        ),
    ]


def national_builders(year: int, *, include_submitted: bool) -> dict[str, Callable[[], Table]]:
    """The national dashboard's tables by slug, each built only when asked: the summary page builds three, a
    download one. Order: coverage (the map), Tableau 1, completeness, indicator trends, action progress."""
    regions: list[Region] = []

    def in_order() -> list[Region]:
        if not regions:
            regions.extend(Region.objects.order_by("name"))
        return regions

    return {
        "couverture": lambda: coverage_table(year, in_order(), link=True),
        "tableau1": lambda: tableau1_table(
            year,
            in_order(),
            tableau1(year, include_submitted=include_submitted),
            tableau1(year - 1, include_submitted=include_submitted),
            link=True,
        ),
        "completude": lambda: completeness_table(year, completeness_by_region(year, deadlines(year)), in_order()),
        "indicateurs": lambda: indicator_trend_table(year, None, include_submitted=include_submitted),
        "avancement": lambda: progress_table(year, in_order(), include_submitted=include_submitted),
    }


def national_tables(year: int, *, include_submitted: bool) -> list[Table]:
    """Every table of the national dashboard (the API's list, the backup round-trip)."""
    return [build() for build in national_builders(year, include_submitted=include_submitted).values()]


def regional_tables(year: int, region: Region, current: Figures, *, include_submitted: bool, named=None) -> list[Table]:
    """A regional dashboard: themes, indicator trends, service × theme matrix, action progress, generations.
    `named`: the services whose named rows the reader may see (None: all, for the platform's own uses)."""
    return [
        theme_table(
            year, region, current, tableau1(year - 1, include_submitted=include_submitted, region_id=region.code)
        ),
        indicator_trend_table(year, region, include_submitted=include_submitted),
        matrix_table(year, region, include_submitted=include_submitted, named=named),
        progress_table(year, [region], include_submitted=include_submitted),
        generations_table(year, region),
    ]


def restitution_tables(year: int, spsti, reports: list, *, include_submitted: bool) -> list[Table]:
    """A service's restitution: its own counted figures of Y and Y−1 (`reports` of those years, values
    prefetched), and its anonymous position among the services of its region."""
    figures: dict[tuple[str, str], dict[int, object]] = {}
    labels: dict[tuple[str, str], str] = {}
    parents: dict[tuple[str, str], tuple[str, str | None, str]] = {}
    for report in reports:
        if not (report.status == "valide" or (include_submitted and report.status == "transmis")):
            continue
        for value in report.values.all():
            typed = value.integer if value.integer is not None else (value.date or stored_text(value))
            if typed == "":
                continue
            key = (value.indicator_id, value.theme_id or "")
            labels[key] = value.indicator.label + (f" — {value.theme.label}" if value.theme else "")
            parents[key] = (value.indicator_id, value.indicator.parent_id, value.theme.label if value.theme else "")
            figures.setdefault(key, {})[report.year] = typed
    own = Table(
        slug="chiffres",
        caption=f"Valeurs des rapports comptés, {year} et {year - 1}",
        columns=[Column("Indicateur", TEXT), Column(str(year), TEXT), Column(str(year - 1), TEXT)],
        rows=[
            [labels[key], values.get(year), values.get(year - 1)]
            for key, values in sorted(figures.items(), key=lambda item: row_order(*parents[item[0]]))
        ],
        empty=f"Aucun rapport {year} {'transmis ou ' if include_submitted else ''}validé pour l'instant.",
    )
    theme_labels = dict(Theme.objects.values_list("code", "label"))
    indicator_labels = dict(Indicator.objects.filter(code__in=BENCHMARK_INDICATORS).values_list("code", "label"))
    hidden = Cell(None, note=f"non affichée : moins de {MIN_PEERS} services")
    ranking = Table(
        slug="position",
        caption="Position pour 10 000 salariés suivis parmi les services de la région",
        columns=[
            Column("Indicateur", TEXT),
            Column("Votre service", DECIMAL),
            Column("Services de la région"),
            Column("1er quartile", DECIMAL, group="Répartition régionale"),
            Column("Médiane", DECIMAL, group="Répartition régionale"),
            Column("3e quartile", DECIMAL, group="Répartition régionale"),
            Column("Votre quartile", TEXT),
        ],
        empty="Pas encore de chiffre comparable.",
    )
    for p in positions(year, spsti, include_submitted=include_submitted):
        label = indicator_labels.get(p.indicator, p.indicator) + (
            f" — {theme_labels.get(p.theme, p.theme)}" if p.theme else ""
        )
        spread = list(p.quartiles) if p.quartiles else [hidden, hidden, hidden]
        rank = f"{p.quartile}{'er' if p.quartile == 1 else 'e'} quartile" if p.quartile else None
        ranking.rows.append([label, p.per_10000, p.peers, *spread, rank])
    return [own, ranking]


BILAN_DEFINITIONS = [
    "Service agréé : service de prévention et de santé au travail interentreprises (SPSTI) dont l'agrément est "
    "en cours de validité pendant l'année.",
    "Service sous contrat en vigueur : service partie à un CPOM signé, en vigueur pendant l'année.",
    "Thématique retenue : le contrat en vigueur du service comporte au moins une fiche action sur cette "
    "thématique (volet 2, prévention des risques).",
    "Cellule PDP : cellule de prévention de la désinsertion professionnelle du service, mise en place au plus "
    "tard le 31 décembre de l'année selon son rapport annuel.",
    "Avancement des actions : état déclaré par chaque service dans son rapport annuel pour chaque fiche action.",
]


def _plain(cell):
    return cell.value if isinstance(cell, Cell) else cell


def bilan_commentary(year: int, page_tables: Sequence[Table], *, include_submitted: bool) -> list[str]:
    """A few sentences read off the bilan's own tables (the same figures), for the printed and Word versions."""
    by_slug = {table.slug: table for table in page_tables}
    lines = [
        "Les chiffres proviennent des rapports annuels "
        + ("validés et transmis" if include_submitted else "validés")
        + f" de {year} ; entre parenthèses, l'année {year - 1} quand elle est comparée."
    ]
    contracts = by_slug.get("contrats")
    if contracts is not None and contracts.footer:
        approved, under, share = (_plain(contracts.footer[i]) for i in (1, -2, -1))
        percent = f" ({cell_text(share, PERCENT)})" if share is not None else ""
        lines.append(
            f"Au 31/12/{year}, {cell_text(under)} services agréés sur {cell_text(approved)}{percent} sont sous "
            "contrat en vigueur."
        )
    themes = by_slug.get("thematiques-retenues")
    if themes is not None and themes.footer:
        counts = [
            (column.label, _plain(value))
            for column, value in zip(themes.columns[1:], themes.footer[1:], strict=False)
            if column.label in {t.label for t in prevention_themes()}
        ]
        counts = [(label, count) for label, count in counts if isinstance(count, int) and count]
        if counts:
            label, count = max(counts, key=lambda item: item[1])
            lines.append(f"La thématique la plus souvent retenue est « {label} » ({cell_text(count)} services).")
    progress = by_slug.get("avancement")
    if progress is not None and progress.footer:
        pairs = zip(progress.columns[1:], progress.footer[1:], strict=True)
        figures = {column.label: _plain(value) for column, value in pairs}
        total = sum(value for value in figures.values() if isinstance(value, int))
        if total:
            detail = ", ".join(f"{cell_text(value)} « {label.lower()} »" for label, value in figures.items() if value)
            lines.append(f"{cell_text(total)} actions ont un avancement déclaré : {detail}.")
    return lines
