"""The main journeys, end to end in a real Chromium, through the pages only.

A service director fills, saves, uploads the Excel template she downloaded and submits her report; the DREETS agent
returns it; she corrects and resubmits; the agent validates and the regional dashboard counts the new figure. A
contract goes from draft to in force and its Word file downloads. Every page of these journeys passes axe-core with
no serious or critical violation and logs no console error (a Content-Security-Policy violation is one); the report
form is used with the keyboard alone.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cpom.contracts.models import Contract
from cpom.demo.generator import DEMO_PASSWORD, load_demo
from cpom.organisations.models import Spsti
from cpom.reference.loader import load_reference
from cpom.reports.models import Report, Value

from .conftest import axe_violations, signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("serious", "critical")
TMS = "Troubles musculo-squelettiques"
SUPPORTED = (
    "Nombre d'établissements ayant bénéficié d'au moins une visite mesure ou conseil personnalisé sur la thématique"
)
TRAINED = "Nombre d'établissements formés à la thématique (toutes actions de formation confondues)"
OF_WHICH_COG = "dont établissements suivis par la caisse régionale dans le cadre de la COG"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- every page checked: axe, console, language, title ---------------------------------------------------------
@dataclass
class Audit:
    """What the pages of a journey showed: axe violations by page, console errors, pages left unchecked."""

    pages: list[str] = field(default_factory=list)
    violations: dict[str, list[dict]] = field(default_factory=dict)
    console: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    def blocking(self) -> dict[str, list[dict]]:
        found = {url: [v for v in vs if v["impact"] in BLOCKING] for url, vs in self.violations.items()}
        return {url: vs for url, vs in found.items() if vs}

    def minor(self) -> dict[str, list[dict]]:
        found = {url: [v for v in vs if v["impact"] not in BLOCKING] for url, vs in self.violations.items()}
        return {url: vs for url, vs in found.items() if vs}

    def assert_clean(self) -> None:
        for url, violations in self.minor().items():  # reported (pytest -rP), not blocking
            for v in violations:
                print(f"axe {v['impact']}: {v['id']} ({v['help']}) on {url}: {v['targets']}")
        print(f"{len(self.pages)} pages checked with axe:", *self.pages, sep="\n  ")
        assert self.unchecked == [], f"pages reached without an axe check: {self.unchecked}"
        assert self.blocking() == {}, self.blocking()
        assert self.console == [], self.console


class Persona:
    """One user's tab. Every page it reaches is checked (`check`) before the journey goes on: a navigation not
    followed by a check is reported by the audit."""

    def __init__(self, context, base_url: str, audit: Audit, name: str):
        self.page = context.new_page()
        self.base_url, self.audit, self.name = base_url, audit, name
        self.pending: list[str] = []
        page = self.page
        page.on("console", lambda m: audit.console.append(f"{name} {page.url}: {m.text}") if m.type == "error" else 0)
        page.on("pageerror", lambda error: audit.console.append(f"{name} {page.url}: {error}"))
        page.on("framenavigated", lambda frame: self.pending.append(frame.url) if frame == page.main_frame else None)

    def check(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        skipped = self.pending[:-1]
        self.audit.unchecked += [f"{self.name} {url}" for url in skipped]
        self.pending.clear()
        url = page.url.removeprefix(self.base_url)
        assert page.locator("html").get_attribute("lang") == "fr", url
        assert page.title(), f"{url} sans titre"
        self.audit.pages.append(f"{self.name} {url}")
        violations = axe_violations(page)
        if violations:
            self.audit.violations.setdefault(f"{self.name} {url}", []).extend(violations)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response.ok, f"{path} → {response.status}"
        self.check()

    def follow(self, locator) -> None:
        """Click what leads to another page (a link, or a form's button: POST, redirect, GET) and check it."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        response = navigation.value
        assert response is None or response.ok, f"{response.request.method} {response.url} → {response.status}"
        self.check()

    def nav(self, label: str) -> None:
        self.follow(self.page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=label))

    def message(self) -> str:
        return " ".join(self.page.locator(".fr-alert").all_inner_texts())

    def download(self, locator):
        with self.page.expect_download() as info:
            locator.click()
        return info.value

    def close(self) -> None:
        self.audit.unchecked += [f"{self.name} {url}" for url in self.pending]
        self.page.context.close()


def _context(browser, live_server, email: str | None = None):
    """A browser context, logged in through a session cookie when `email` is given (the shortcut)."""
    context = signed_in_context(browser, live_server, email, accept_downloads=True)
    context.set_default_timeout(10_000)
    return context


def _log_in(persona: Persona, email: str) -> None:
    """The real login form: the home page sends an anonymous visitor to it, then back home."""
    persona.goto("/")
    page = persona.page
    assert page.url.startswith(persona.base_url + reverse("accounts:login")), page.url
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    persona.follow(page.get_by_role("button", name="Se connecter"))
    assert page.url == persona.base_url + reverse("workspace:home"), persona.message()
    assert email in page.locator("#current-user").inner_text()


@pytest.fixture
def landscape(transactional_db):
    """The demo, with the flagship service's report of last year back to the untouched draft a campaign creates
    (the demo validated it): nothing of it is counted on the dashboard yet."""
    load_reference()
    load_demo(seed=2026, every_contract=False)
    year = timezone.localdate().year - 1
    demo_report = Report.objects.get(spsti__code="SPSTI-PST35", year=year)
    contract, spsti = demo_report.contract, demo_report.spsti
    demo_report.delete()
    return Report.objects.create(contract=contract, spsti=spsti, year=year)


# --- helpers of the report journey -------------------------------------------------------------------------------
def _badge(persona: Persona) -> str:
    """The contract's state, as written (the badge shows it in capitals)."""
    return persona.page.locator("main .fr-badge").first.text_content().strip()


def _state(persona: Persona) -> str:
    return persona.page.locator("main p", has_text="état :").locator("strong").inner_text()


def _cell(persona: Persona, indicator: str, theme: str = TMS):
    return persona.page.get_by_label(f"{indicator} — {theme}", exact=True)


def _dashboard_figure(persona: Persona, theme: str = TMS) -> str:
    """'Établissements accompagnés' of `theme` in the dashboard's theme table (last column), without the previous
    year shown in brackets."""
    row = persona.page.locator("#tableau-thematiques tbody tr", has=persona.page.get_by_role("rowheader", name=theme))
    cell = row.locator("td").nth(2)
    return cell.evaluate("td => td.firstChild.textContent").strip()


def _csv_figure(download, theme: str = TMS) -> str:
    assert download.suggested_filename.endswith("-thematiques.csv"), download.suggested_filename
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig")), delimiter=";"))
    return next(row for row in rows if row["Thématique"] == theme)["Établissements accompagnés"]


def _edit_template(download, key: str, value: int) -> bytes:
    """The workbook she downloaded, with one figure changed as she would in Excel (the case found through the
    template's own map of cases, as the upload reads it)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))  # the saved file has no extension
    where = {k: w for k, w in book["_cases"].iter_rows(values_only=True)}
    book["Rapport"][where[key]] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_report_is_filled_uploaded_returned_corrected_validated_and_counted(browser, live_server, landscape):
    """The director (real login) fills and saves a draft, uploads the template she downloaded with one figure
    changed, submits; the agent (session shortcut) returns it with a comment; she corrects and resubmits; the
    agent validates; the regional dashboard shows the figure, on the page and in the table's CSV."""
    report = landscape
    year = report.year
    audit = Audit()
    director = Persona(_context(browser, live_server), live_server.url, audit, "pst35")
    agent = Persona(_context(browser, live_server, "dreets-bretagne@cpom.test"), live_server.url, audit, "dreets")
    try:
        # The dashboard does not count this report yet.
        agent.goto("/")
        agent.nav("Tableau de bord")
        assert agent.page.get_by_role("heading", level=1).inner_text() == f"Tableau de bord Bretagne {year}"
        assert _dashboard_figure(agent) == "0"

        # She signs in and finds her report: a draft, empty.
        _log_in(director, "pst35@cpom.test")
        director.nav("Suivi annuel")
        director.follow(director.page.get_by_role("link", name=f"Prévention Santé Travail 35 — rapport {year}"))
        assert _state(director) == "Brouillon"
        assert _cell(director, SUPPORTED).input_value() == ""

        # She types three figures of the TMS column and an action's progress, and saves the draft.
        _cell(director, TRAINED).fill("60")
        _cell(director, SUPPORTED).fill("40")
        # Each "of which COG" case names its total in its label: three of them in a theme no longer sound alike.
        director.page.get_by_label(f"{OF_WHICH_COG} (sur « {SUPPORTED} ») — {TMS}", exact=True).fill("12")
        director.page.get_by_label("Avancement").first.select_option(label="En cours")
        director.follow(director.page.get_by_role("button", name="Enregistrer le brouillon"))
        assert "Le brouillon est enregistré." in director.message()
        assert _state(director) == "Brouillon"
        assert _cell(director, SUPPORTED).input_value() == "40"
        assert director.page.get_by_label("Avancement").first.input_value() == "en_cours"

        # She downloads the Excel template, changes one figure in it and uploads it: preview, then confirm.
        template = director.download(director.page.get_by_role("link", name="Télécharger le modèle Excel"))
        assert template.suggested_filename == f"rapport-{year}-{report.spsti.siret}.xlsx"
        content = _edit_template(template, "ETAB_ACCOMPAGNES|TMS", 48)
        director.follow(director.page.get_by_role("link", name="Déposer le fichier Excel rempli"))
        director.page.get_by_label("Fichier Excel du rapport").set_input_files(
            files=[{"name": template.suggested_filename, "mimeType": XLSX, "buffer": content}]
        )
        director.follow(director.page.get_by_role("button", name="Voir les changements"))
        changes = director.page.get_by_role("table", name="Changements").locator("tbody tr")
        assert changes.count() == 1
        assert changes.first.locator("td").all_inner_texts() == [f"{SUPPORTED} — {TMS}", "40", "48"]
        director.follow(director.page.get_by_role("button", name="Enregistrer ces valeurs"))
        assert "Les valeurs du fichier Excel sont enregistrées." in director.message()
        assert _state(director) == "Brouillon"
        assert _cell(director, SUPPORTED).input_value() == "48"
        assert _cell(director, TRAINED).input_value() == "60"  # the rest of the file left untouched

        # She submits it.
        director.follow(director.page.get_by_role("button", name="Enregistrer et transmettre"))
        director.follow(director.page.get_by_role("button", name="Confirmer la transmission"))
        assert "Le rapport est transmis" in director.message()
        assert _state(director) == "Transmis"
        assert _cell(director, SUPPORTED).is_disabled()
        assert director.page.get_by_role("button", name="Enregistrer et transmettre").count() == 0

        # The agent finds it in the year's list, and returns it with what to correct.
        agent.nav("Suivi annuel")
        agent.follow(agent.page.get_by_role("link", name=f"Prévention Santé Travail 35 — rapport {year}"))
        assert _state(agent) == "Transmis"
        agent.page.get_by_label("Ce que le service doit corriger").fill("48 établissements TMS : il en manque quatre.")
        agent.follow(agent.page.get_by_role("button", name="Renvoyer pour correction"))
        assert "renvoyé au service" in agent.message()
        assert _state(agent) == "Renvoyé pour correction"

        # She sees why, corrects and resubmits.
        director.nav("Suivi annuel")
        director.follow(director.page.get_by_role("link", name=f"Prévention Santé Travail 35 — rapport {year}"))
        assert _state(director) == "Renvoyé pour correction"
        steps = director.page.get_by_role("region", name="Étapes").inner_text()
        assert "Renvoi pour correction" in steps and "il en manque quatre" in steps
        _cell(director, SUPPORTED).fill("52")
        director.follow(director.page.get_by_role("button", name="Enregistrer et transmettre"))
        director.follow(director.page.get_by_role("button", name="Confirmer la transmission"))
        assert _state(director) == "Transmis"

        # The agent validates it.
        agent.goto(agent.page.url.removeprefix(live_server.url))
        assert _state(agent) == "Transmis"
        assert _cell(agent, SUPPORTED).input_value() == "52"
        agent.follow(agent.page.get_by_role("button", name="Valider le rapport"))
        assert "Le rapport est validé." in agent.message()
        assert _state(agent) == "Validé"
        assert agent.page.get_by_role("button", name="Rouvrir le rapport").is_visible()

        # The regional dashboard counts the new figure, on the page and in the table's CSV.
        agent.nav("Tableau de bord")
        assert _dashboard_figure(agent) == "52"
        csv_link = agent.page.get_by_role("link", name=f"CSV — Thématiques de prévention en {year} — Bretagne")
        assert _csv_figure(agent.download(csv_link)) == "52"
    finally:
        director.close()
        agent.close()
    report.refresh_from_db()
    assert report.status == "valide"
    assert {e.kind for e in report.events.all()} == {"transmission", "renvoi", "validation"}
    assert Value.objects.get(report=report, indicator_id="ETAB_ACCOMPAGNES", theme_id="TMS").integer == 52
    assert list(report.changes.filter(indicator_id="ETAB_ACCOMPAGNES").values_list("channel", flat=True)) == [
        "formulaire",
        "excel",
        "formulaire",
    ]
    audit.assert_clean()


# --- the contract journey -------------------------------------------------------------------------------------
SCAN = {"name": "signe.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% scan\n%%EOF\n"}


def test_a_contract_goes_from_draft_to_in_force_and_its_word_file_downloads(browser, live_server, landscape):
    """The DREETS agent (real login) creates a draft, completes it (R5, R6), sends it for consultation and records
    the CRPST's opinion with its minutes; the ARS records its own; the agent signs for the DREETS and records the
    other parties' signatures with their scans; in force, the contract's Word file downloads from its page."""
    from docx import Document

    # A Bretagne service without a contract.
    on = timezone.localdate()
    service = (
        Spsti.objects.active()
        .filter(region_id="53", merged_into__isnull=True, contract_parties__isnull=True)
        .filter(approvals__start__lte=on, approvals__end__gte=on)
        .order_by("code")
        .first()
    )
    today = f"{on:%d/%m/%Y}"
    audit = Audit()
    agent = Persona(_context(browser, live_server), live_server.url, audit, "dreets")
    ars = Persona(_context(browser, live_server, "ars-bretagne@cpom.test"), live_server.url, audit, "ars")
    try:
        _log_in(agent, "dreets-bretagne@cpom.test")
        page = agent.page

        # Draft: the parties come from the registry, the axes from the regional frame.
        agent.nav("Contrats")
        agent.follow(page.get_by_role("link", name="Nouveau contrat"))
        page.get_by_label("Rechercher un service").fill(service.siret)  # filters the list as she types
        page.get_by_label(f"{service.name} — SIRET").check()
        page.get_by_label("Campagne (cadre régional)").select_option(label="CPOM de troisième génération (Bretagne)")
        agent.follow(page.get_by_role("button", name="Créer le projet de contrat"))
        assert "Le projet de contrat est créé" in agent.message()
        reference = re.search(r"CPOM-53-G3-\d{3}", page.locator("main h1 + p").inner_text()).group()
        assert _badge(agent) == "En négociation"
        assert "À compléter avant l'envoi en consultation" in agent.message()

        # Edit: the general terms (PDP cell, R6), then a prevention action on a regional theme (R5).
        agent.follow(page.get_by_role("link", name="Modifier les clauses générales"))
        page.get_by_label("Composition minimale de la cellule PDP").fill("Un médecin du travail, un ergonome.")
        page.get_by_label("Lieu de signature").fill("Rennes")
        agent.follow(page.get_by_role("button", name="Enregistrer"))
        assert "Les clauses générales sont enregistrées." in agent.message()
        agent.follow(page.get_by_role("navigation", name="Sections du contrat").get_by_role("link", name="Axes"))
        agent.follow(page.get_by_role("link", name="Ajouter une fiche action à l'axe 2"))
        page.get_by_label("Intitulé de la fiche action").fill("Prévenir les troubles musculo-squelettiques")
        page.get_by_label("Thématique").select_option(label=TMS)
        agent.follow(page.get_by_role("button", name="Ajouter"))
        assert "La fiche action est ajoutée." in agent.message()
        assert "À compléter avant l'envoi en consultation" not in agent.message()

        # Consultation: the DREETS records the CRPST's opinion, the ARS its own.
        agent.follow(page.get_by_role("button", name="Envoyer en consultation"))
        assert "envoyé en consultation" in agent.message()
        assert _badge(agent) == "En consultation (CRPST, ARS)"
        agent.follow(page.get_by_role("link", name="Enregistrer un avis"))
        page.get_by_label("Instance").select_option(value="crpst")
        page.get_by_label("Avis rendu le").fill(today)
        page.get_by_role("combobox", name="Avis", exact=True).select_option(label="Favorable")
        page.get_by_label("Procès-verbal du CRPST ou courrier de l'ARS").set_input_files(SCAN)
        agent.follow(page.get_by_role("button", name="Enregistrer l'avis", exact=True))
        assert "L'avis est enregistré." in agent.message()
        detail = page.url.removeprefix(live_server.url)

        ars.goto(detail)
        ars.follow(ars.page.get_by_role("link", name="Rendre l'avis de l'ARS"))
        assert ars.page.get_by_label("Instance").locator("option").all_inner_texts() == [
            "Agence régionale de santé (ARS)"
        ]
        ars.page.get_by_label("Avis rendu le").fill(today)
        ars.page.get_by_role("combobox", name="Avis", exact=True).select_option(label="Favorable avec réserves")
        ars.page.get_by_label("Observations").fill("Associer les médecins de ville au volet PDP.")
        ars.follow(ars.page.get_by_role("button", name="Enregistrer l'avis", exact=True))
        assert "L'avis est enregistré." in ars.message()
        assert _badge(ars) == "Prêt à signer"

        # Signatures of every party; the last one brings it into force.
        agent.goto(detail)
        assert _badge(agent) == "Prêt à signer"
        parties = Contract.objects.get(reference=reference).parties.count()
        assert parties == 3  # the service, the DREETS and the Carsat
        for signed in range(parties):
            agent.follow(page.get_by_role("link", name="Signer ou enregistrer une signature"))
            choice = page.get_by_label("Partie qui signe")
            options = [o for o in choice.locator("option").all_inner_texts() if o.strip("-— ") and "Choisir" not in o]
            assert len(options) == parties - signed
            choice.select_option(label=options[0])
            page.get_by_label("Signé le").fill(today)
            page.get_by_label("Signataire et qualité").fill("Président" if signed == 0 else "Directeur régional")
            if options[0] != "DREETS Bretagne":  # another party: its signed document, scanned
                page.get_by_label("Document signé").set_input_files(SCAN)
            agent.follow(page.get_by_role("button", name="Enregistrer la signature", exact=True))
            assert "La signature est enregistrée." in agent.message()
        assert _badge(agent) == "En vigueur"
        assert page.get_by_role("link", name="Signer ou enregistrer une signature").count() == 0
        agent.follow(page.get_by_role("navigation", name="Sections du contrat").get_by_role("link", name="Parties"))
        assert f"Entrée en vigueur\n{today}" in page.locator("main dl").first.inner_text()

        # The Word file, from the page.
        word = agent.download(page.get_by_role("link", name="Télécharger le contrat (Word)"))
        assert word.suggested_filename == f"{reference}.docx"
        document = Document(word.path())
        text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        )
        assert reference in text
        assert service.name in text
    finally:
        agent.close()
        ars.close()
    contract = Contract.objects.get(reference=reference)
    assert contract.status == "en_vigueur" and contract.start == on
    audit.assert_clean()


# --- the report form with the keyboard alone ---------------------------------------------------------------------
FOCUS = """() => {
    const e = document.activeElement, style = getComputedStyle(e);
    return {id: e.id, tag: e.tagName.toLowerCase(), name: e.getAttribute('name') || '',
            text: (e.innerText || '').trim(),
            inForm: !!e.closest('#report-form'),
            outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? style.outlineStyle + ' '
                + style.outlineWidth + ' ' + style.outlineColor : '',
            visible: e.matches(':focus-visible')};
}"""
FIELD_TAGS = ("input", "select", "textarea", "button")
FOCUSABLE_FIELDS = """() => [...document.querySelectorAll('#report-form :is(input, select, textarea, button)')]
    .filter(e => e.type !== 'hidden' && !e.disabled).map(e => e.id || e.getAttribute('name'))"""


def _tab_until(page, stop, limit: int = 400) -> list[dict]:
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS))
        if stop(stops[-1]):
            return stops
    raise AssertionError(f"not reached in {limit} Tab presses; last: {stops[-3:]}")


def test_the_report_form_is_filled_and_saved_with_the_keyboard_alone(browser, live_server, landscape):
    """Tab from the page's top to a figure, type, Tab on to the save button (every field reached in page order, a
    visible focus ring on the way), Space saves; then Enter in a field saves too."""
    report = landscape
    audit = Audit()
    director = Persona(_context(browser, live_server, "pst35@cpom.test"), live_server.url, audit, "pst35")
    page = director.page
    try:
        director.goto(reverse("reports:report_detail", args=[report.pk]))
        # From the top of the page: the skip links come first, then the header, then the form in page order.
        assert page.evaluate(FOCUS)["tag"] == "body"
        stops = _tab_until(page, lambda stop: stop["inForm"] and stop["tag"] == "input")
        assert stops[0]["text"] == "Contenu", stops[0]
        figure = stops[-1]
        assert figure["visible"] and figure["outline"], f"no visible focus indicator on the field: {figure}"
        page.keyboard.type("17")
        # On to the save button: every field of the form is reached, in the order of the page.
        stops += _tab_until(page, lambda stop: stop["text"] == "Enregistrer le brouillon")
        reached = [s["id"] or s["name"] for s in stops if s["inForm"] and s["tag"] in FIELD_TAGS]
        expected = page.evaluate(FOCUSABLE_FIELDS)
        expected = expected[: expected.index("enregistrer") + 1]
        assert reached == expected
        button = stops[-1]
        print(
            f"{len(stops)} Tab stops to the save button; focus on the field: {figure['outline']}, "
            f"on the button: {button['outline']}"
        )
        assert button["visible"] and button["outline"], f"no visible focus indicator on the button: {button}"
        with page.expect_navigation():
            page.keyboard.press("Space")
        director.check()
        assert "Le brouillon est enregistré." in director.message()
        assert page.locator(f"#{figure['id']}").input_value() == "17"

        # Enter in a field submits the form as "save the draft" (its default button).
        second = _tab_until(page, lambda stop: stop["inForm"] and stop["tag"] == "input")[-1]
        assert second["id"] == figure["id"]
        other = _tab_until(page, lambda stop: stop["inForm"] and stop["tag"] == "input", limit=3)[-1]
        page.keyboard.type("9")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        director.check()
        assert "Le brouillon est enregistré." in director.message(), director.message()
        assert page.locator(f"#{other['id']}").input_value() == "9"
        # The carry-over of last year's comments is a button of its own form, still sent to the same page.
        director.follow(page.get_by_role("button", name=f"Reprendre les commentaires de {report.year - 1}"))
        assert f"Aucun rapport {report.year - 1} de ce service" in director.message()
    finally:
        director.close()
    saved = {f"{v.indicator_id}|{v.theme_id}": v.integer for v in Value.objects.filter(report=report)}
    assert sorted(saved.values()) == [9, 17]
    audit.assert_clean()


def test_a_navigation_left_unchecked_is_reported(browser, live_server, transactional_db):
    """The audit's own guard: a page reached without an axe check fails the journey."""
    audit = Audit()
    visitor = Persona(_context(browser, live_server), live_server.url, audit, "visitor")
    visitor.page.goto(live_server.url + reverse("core:accessibility"))
    visitor.goto(reverse("core:legal"))
    visitor.close()
    assert audit.unchecked == [f"visitor {live_server.url}{reverse('core:accessibility')}"]
    assert audit.pages == [f"visitor {reverse('core:legal')}"]
