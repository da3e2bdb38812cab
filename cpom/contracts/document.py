"""The Word (.docx) file of a contract, laid out like the signed contract 004 (DESIGN §4): preamble and parties,
context, general objectives, axes and action sheets, commitments, indicators, duration, termination, signatures,
annex 1 (annual follow-up table) and annex 2 (bilateral CARSAT–SPSTI conventions, R10).

Every piece of the contract is read in a fixed number of queries, whatever its size."""

import datetime as dt
import io
import re

from django.db.models import Prefetch
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from cpom.core.text import for_xml
from cpom.core.word import set_french
from cpom.indicators.enums import ThemeScope
from cpom.indicators.models import Indicator
from cpom.organisations.models import Approval
from cpom.plans.models import PrstAction

from .enums import AmendmentStatus, AxisKind, CommitmentCategory, ConsultedBody, PartyRole
from .models import (
    Action,
    Amendment,
    Axis,
    BilateralConvention,
    Commitment,
    Consultation,
    Contract,
    ContractIndicator,
    ContractParty,
    ContractVersion,
    Target,
)

DATE_PLACEHOLDER = "JJ/MM/AAAA"
TO_COMPLETE = "À compléter."
TABLE_STYLE = "Table Grid"
STYLES = ["Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet", TABLE_STYLE]

# The six national rows of the annex table of contract 004 (volet 2), in its order.
ANNEX_ROWS = [
    "ETAB_FORMES",
    "ETAB_FORMES_COG",
    "ETAB_ACCOMPAGNES",
    "ETAB_ACCOMPAGNES_COG",
    "ETAB_COMMUNICATION",
    "ETAB_COMMUNICATION_COG",
]
# Labels of contract 004, should the catalogue not be loaded.
ANNEX_FALLBACK_LABELS = {
    "ETAB_FORMES": "Nombre d'établissements formés",
    "ETAB_ACCOMPAGNES": "Nombre d'établissements accompagnés",
    "ETAB_COMMUNICATION": "Nombre d'établissements ciblés par une action de communication",
}
COMMENT_INDICATOR = "COMMENTAIRE"
ANNEX_COG_LABEL = "Dont établissements suivis par la caisse régionale dans le cadre de la COG"
# Column order of the prevention themes in the annex table of contract 004.
THEME_ORDER = ["RPS", "TMS", "RC", "CHUTES", "RR", "CANICULE"]

PARTY_ORDER = {PartyRole.SPSTI: 0, PartyRole.STATE: 1, PartyRole.CAISSE: 2}
COMMITMENT_HEADINGS = {
    CommitmentCategory.GENERAL: "Engagements généraux",
    CommitmentCategory.ORGANISATIONAL: "Engagements organisationnels",
    CommitmentCategory.INFORMATIONAL: "Engagements informationnels",
    CommitmentCategory.EXCHANGE: "Engagements d'échanges d'informations sur les entreprises",
    CommitmentCategory.TECHNICAL: "Engagements techniques",
}
CONSULTED_BODIES = {
    ConsultedBody.CRPST: "du comité régional de prévention et de santé au travail (CRPST)",
    ConsultedBody.ARS: "de l'agence régionale de santé (ARS)",
}

BULLET = re.compile(r"^\s*[-–•*]\s+")
BLANK_LINES = re.compile(r"\n\s*\n")
ARTICLE = re.compile(r"^(le|la|les) |^l['’]", re.IGNORECASE)


# --- reading the contract ---------------------------------------------------------------------------------------
def _text_prefetches(prefix: str) -> list:
    """A version's text as the document shows it (`prefix` reaches the version: "current_version__" or "")."""
    actions = (
        Action.objects.select_related("theme")
        .order_by("number")
        .prefetch_related(
            Prefetch("prst_actions", queryset=PrstAction.objects.order_by("code")),
            "pps_priorities",
            "cog_programmes",
        )
    )
    return [
        Prefetch(
            f"{prefix}axes", queryset=Axis.objects.order_by("number").prefetch_related(Prefetch("actions", actions))
        ),
        Prefetch(
            f"{prefix}indicators",
            queryset=ContractIndicator.objects.select_related("indicator", "theme")
            .order_by()
            .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("year"))),
        ),
        Prefetch(f"{prefix}commitments", queryset=Commitment.objects.order_by("position", "pk")),
        Prefetch(f"{prefix}conventions", queryset=BilateralConvention.objects.select_related("caisse").order_by("pk")),
    ]


def _load(contract: Contract, version: ContractVersion | None = None) -> Contract:
    """The contract and everything the document shows, in a fixed number of queries. Explicit orderings keep
    the models' default ones (through the contract and its region) out of the prefetch queries. With `version`,
    the text is that version's (an amendment's proposed text) instead of the one the contract shows."""
    other = version is not None and version.pk != contract.current_version_id
    loaded = (
        Contract.objects.select_related("region", "termination__party__organisation", "current_version")
        .prefetch_related(
            Prefetch("parties", queryset=ContractParty.objects.select_related("organisation").order_by()),
            Prefetch("consultations", queryset=Consultation.objects.order_by("body")),
            *([] if other else _text_prefetches("current_version__")),
            Prefetch(
                "amendments",
                queryset=Amendment.objects.filter(status=AmendmentStatus.APPLIED).order_by("number"),
                to_attr="applied_amendments",
            ),
        )
        .get(pk=contract.pk)
    )
    if other:
        loaded.current_version = ContractVersion.objects.prefetch_related(*_text_prefetches("")).get(pk=version.pk)
    return loaded


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else DATE_PLACEHOLDER


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " et " + names[-1]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


FEMININE_TITLE = re.compile(r"^(directrice|présidente|secrétaire générale|responsable|déléguée)\b", re.IGNORECASE)
ON_BEHALF = re.compile(r"^pour (?P<principal>.+?), (?P<signatory>.+)$", re.IGNORECASE)


def _after_par(title: str) -> str:
    """« Représenté par le président de… »: an article opening the title is not capitalised, and a title without
    one gets it (« Président de PST 35 » → « le président de PST 35 »)."""
    title = title.strip()
    if ARTICLE.match(title):
        return title[:1].lower() + title[1:]
    article = "la" if FEMININE_TITLE.match(title) else "le"
    return f"{article} {title[:1].lower()}{title[1:]}"


def _represented(title: str, feminine: str) -> str:
    """« Pour la directrice régionale, la responsable du pôle Travail » reads « Représentée, pour la directrice
    régionale, par la responsable du pôle Travail »."""
    delegation = ON_BEHALF.match(title.strip())
    if delegation:
        principal = delegation["principal"]
        return f"Représenté{feminine}, pour {principal}, par {_after_par(delegation['signatory'])}"
    return f"Représenté{feminine} par {_after_par(title)}"


def _seat(address: str, city: str) -> str:
    """The address, then the city unless the address already ends with it (« 35700 Rennes, Rennes »)."""
    address, city = address.strip(), city.strip()
    if city and re.search(rf"\b{re.escape(city)}\b", address, re.IGNORECASE):
        return address
    return ", ".join(part for part in (address, city) if part)


# A value that sends the reader to the annex from inside the action sheet says nothing there.
SELF_REFERENCE = re.compile(r"^voir (la )?fiche action( en annexe)?\.?$", re.IGNORECASE)


def _theme_rank(theme) -> tuple:
    if theme.code in THEME_ORDER:
        return (0, THEME_ORDER.index(theme.code), "")
    return (1, theme.volet, theme.code)


# --- writing helpers --------------------------------------------------------------------------------------------
def _fill_cell(cell, text: str, *, bold: bool = False) -> None:
    """Text of a table cell: one paragraph per line, a dash at the start of a line becoming a bullet."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(for_xml("• " + BULLET.sub("", line) if BULLET.match(line) else line))
        if bold:
            run.bold = True


def _footer(document, contract: Contract) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(for_xml(f"{contract.reference} — page "))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    run_text = OxmlElement("w:t")
    run_text.text = "1"
    run.append(run_text)
    field.append(run)
    paragraph._p.append(field)


# --- sections ---------------------------------------------------------------------------------------------------
class _Writer:
    def __init__(self, contract: Contract):
        self.contract = contract
        self.parties = sorted(
            contract.parties.all(), key=lambda p: (PARTY_ORDER.get(p.role, 9), p.organisation.name, p.pk)
        )
        self.spsti = [p for p in self.parties if p.role == PartyRole.SPSTI]
        self.state = [p for p in self.parties if p.role == PartyRole.STATE]
        self.caisses = [p for p in self.parties if p.role == PartyRole.CAISSE]
        self.axes = list(contract.axes.all())
        self.indicators = list(contract.indicators.all())
        self.document = Document()
        # Style ids looked up once: python-docx resolves a style name by scanning every style on each use.
        styles = self.document.styles
        self.style_ids = {name: styles[name].style_id for name in STYLES}

    # writing helpers
    def paragraph(self, text: str = "", style: str | None = None, *, italic: bool = False):
        paragraph = self.document.add_paragraph()
        if text:
            run = paragraph.add_run(for_xml(text))
            if italic:
                run.italic = True
        if style is not None:
            paragraph._p.get_or_add_pPr().style = self.style_ids[style]
        return paragraph

    def heading(self, text: str, level: int):
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def label(self, label: str, text: str = "") -> None:
        paragraph = self.paragraph()
        paragraph.add_run(for_xml(label)).bold = True
        if text:
            paragraph.add_run(for_xml(text))

    def text(self, text: str, *, empty: str = TO_COMPLETE) -> None:
        """Paragraphs split on blank lines; lines starting with a dash become bullets; other lines of a paragraph
        are kept apart by a line break."""
        text = (text or "").strip()
        if not text:
            # A signed contract holds no "à compléter" placeholder.
            self.paragraph("Sans objet." if self.contract.is_signed else empty, italic=True)
            return
        for block in BLANK_LINES.split(text):
            paragraph = None
            for line in block.splitlines():
                line = line.strip()
                if not line:
                    continue
                if BULLET.match(line):
                    self.paragraph(BULLET.sub("", line), "List Bullet")
                    paragraph = None
                elif paragraph is None:
                    paragraph = self.paragraph(line)
                else:
                    paragraph.add_run().add_break()
                    paragraph.add_run(for_xml(line))

    def table(self, header: list[str], body: list[list[str]]):
        """A "Table Grid" table whose first row is the header, repeated on every page."""
        table = self.document.add_table(rows=1 + len(body), cols=len(header))
        table._tbl.tblStyle_val = self.style_ids[TABLE_STYLE]
        for index, (row, values) in enumerate(zip(table.rows, [header, *body], strict=True)):
            if index == 0:
                row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for cell, value in zip(row.cells, values, strict=True):
                _fill_cell(cell, value, bold=index == 0)
        return table

    # designations
    def state_name(self) -> str:
        return _names([str(p.organisation) for p in self.state]) or "le service régional de l'État"

    def caisse_name(self) -> str:
        return _names([str(p.organisation) for p in self.caisses]) or "la caisse régionale"

    def render(self) -> bytes:
        document, contract = self.document, self.contract
        set_french(document)
        properties = document.core_properties
        properties.title = for_xml(contract.title)
        properties.subject = "Contrat pluriannuel d'objectifs et de moyens"
        properties.identifier = contract.reference
        properties.keywords = f"CPOM; {contract.reference}"
        properties.language = "fr-FR"
        properties.author = for_xml(self.state_name()) if self.state else "Plateforme CPOM"
        properties.last_modified_by = properties.author
        properties.created = properties.modified = contract.updated_at
        properties.revision = contract.version
        section = document.sections[0]  # A4 (the default template is US Letter)
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        _footer(document, contract)

        self.preamble()
        self.context()
        self.axes_section()
        self.commitments()
        self.indicators_section()
        self.duration()
        self.termination()
        self.signatures()
        self.annex_follow_up()
        self.annex_conventions()
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def preamble(self) -> None:
        contract = self.contract
        self.heading("CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS", 0)
        self.paragraph(contract.title, "Subtitle")
        ordinal = "re" if contract.generation == 1 else "e"
        self.paragraph(
            f"Référence : {contract.reference} — Région {contract.region.name} — "
            f"CPOM de {contract.generation}{ordinal} génération"
        )
        if not contract.is_signed:
            self.paragraph(
                f"Projet de contrat (version de travail n° {contract.version}) — document non signé.", italic=True
            )

        self.paragraph("Entre les soussignés :")
        for group, closing in ((self.spsti, "D'une part,"), (self.state + self.caisses, "D'autre part,")):
            for index, party in enumerate(group):
                if index:
                    self.paragraph("Et")
                self.party(party)
            self.paragraph(closing)
            if closing == "D'une part,":
                self.paragraph("Et")

        if contract.generation >= 3:
            self.paragraph("Vu la loi n° 2021-1018 du 2 août 2021 pour renforcer la prévention en santé au travail ;")
            self.paragraph(
                "Vu l'instruction conjointe DGT/DRP du 12 juillet 2024 sur les contrats pluriannuels d'objectifs et "
                "de moyens (CPOM) conclus avec les services de prévention et de santé au travail interentreprises ;"
            )
        else:
            self.paragraph(
                "Vu la loi n° 2011-867 du 20 juillet 2011 relative à l'organisation de la médecine du travail ;"
            )
        opinions = {consultation.body: consultation for consultation in contract.consultations.all()}
        for body, designation in CONSULTED_BODIES.items():
            consultation = opinions.get(body)
            if consultation is None:
                if not contract.is_signed:  # a signed contract does not cite an opinion it never recorded
                    self.paragraph(f"Vu l'avis {designation} du {DATE_PLACEHOLDER} ;")
            else:
                opinion = consultation.get_opinion_display().lower()
                self.paragraph(f"Vu l'avis {opinion} {designation} du {_date(consultation.given_on)} ;")
        self.paragraph("Il a été arrêté et convenu ce qui suit :")

    def party(self, party: ContractParty) -> None:
        organisation = party.organisation
        feminine = "e" if party.role != PartyRole.SPSTI else ""  # la direction régionale, la caisse
        paragraph = self.paragraph()
        paragraph.add_run(for_xml(organisation.name)).bold = True
        if organisation.short_name and organisation.short_name != organisation.name:
            paragraph.add_run(for_xml(f", ci-après dénommé{feminine} « {organisation.short_name} »"))
        paragraph.add_run(for_xml(","))
        seat = _seat(organisation.address, organisation.city)
        if seat:
            self.paragraph(f"Dont le siège se situe : {seat}")
        if party.signatory_title:
            self.paragraph(_represented(party.signatory_title, feminine))

    def context(self) -> None:
        self.heading("CONTEXTE", 1)
        self.text(self.contract.context)
        self.heading("OBJECTIFS GÉNÉRAUX", 1)
        self.text(self.contract.general_objectives)

    def axes_section(self) -> None:
        self.heading("AXES RÉGIONAUX PROPOSÉS À LA CONTRACTUALISATION", 1)
        count = len(self.axes)
        verb = "axes d'action ont été définis" if count > 1 else "axe d'action a été défini"
        self.paragraph(
            "Conformément à l'instruction nationale précitée et aux orientations définies régionalement, "
            f"{count} {verb} :"
        )
        pdp_written = False
        for axis in self.axes:
            self.heading(f"{axis.number}. {axis.title}", 2)
            if axis.description.strip():
                self.text(axis.description)
            actions = list(axis.actions.all())
            for action in actions:
                self.action(axis, action)
            if not actions:
                self.paragraph("Aucune fiche action n'est rédigée pour cet axe.", italic=True)
            if axis.kind == AxisKind.PDP and not pdp_written:
                self.pdp_cell()
                pdp_written = True
        if not pdp_written:
            self.pdp_cell()

    def action(self, axis: Axis, action: Action) -> None:
        self.heading(f"Fiche action {axis.number}.{action.number} — {action.title}", 3)
        rows = [["Thématique", action.theme.label]] if action.theme else []
        rows += [
            ["Objectif", action.objective],
            ["Modalités de mise en œuvre", action.method],
            ["Calendrier", action.calendar],
            [f"Moyens mobilisés par {'les SPSTI' if len(self.spsti) > 1 else 'le SPSTI'}", action.means_spsti],
            [f"Moyens mobilisés par {self.state_name()}", action.means_state],
            [f"Moyens mobilisés par {self.caisse_name()}", action.means_caisse],
        ]
        values = [[label, "" if SELF_REFERENCE.match(value.strip()) else value.strip()] for label, value in rows]
        if self.contract.is_signed:
            # A signed contract holds no placeholder: a heading left empty at signature is left out.
            rows = [[label, value] for label, value in values if value]
        else:
            rows = [[label, value or "À préciser"] for label, value in values]
        for label, related in (
            ("Actions du PRST", action.prst_actions.all()),
            ("Priorités du projet de service", action.pps_priorities.all()),
            ("Programmes de la COG", action.cog_programmes.all()),
        ):
            items = [str(item) for item in related]
            if items:
                rows.append([label, "\n".join(f"- {item}" for item in items)])
        self.table(["Rubrique", "Contenu"], rows)

    def pdp_cell(self) -> None:
        self.heading("Composition minimale de la cellule PDP", 3)
        self.text(self.contract.pdp_cell_composition)

    def commitments(self) -> None:
        self.heading("ENGAGEMENTS DES PARTIES", 1)
        by_role: dict[str, dict[str, list[str]]] = {}
        for commitment in self.contract.commitments.all():
            by_role.setdefault(commitment.party_role, {}).setdefault(commitment.category, []).append(commitment.text)
        if not by_role:
            self.paragraph("Les engagements des parties restent à préciser.", italic=True)
            return
        headings = {PartyRole.STATE: self.state_name(), PartyRole.CAISSE: self.caisse_name(), PartyRole.SPSTI: "SPSTI"}
        for role in (PartyRole.STATE, PartyRole.CAISSE, PartyRole.SPSTI):
            categories = by_role.get(role)
            if not categories:
                continue
            self.heading(headings[role], 2)
            if role == PartyRole.SPSTI:
                self.paragraph("Les SPSTI s'engagent à :" if len(self.spsti) > 1 else "Le SPSTI s'engage à :")
            for category in CommitmentCategory.values:
                for index, text in enumerate(categories.get(category, [])):
                    if index == 0:
                        self.label(f"{COMMITMENT_HEADINGS[category]} :")
                    self.paragraph(text.strip(), "List Bullet")

    def indicators_section(self) -> None:
        self.heading("INDICATEURS DE SUIVI", 1)
        for text in (
            "De manière à permettre l'évaluation des actions menées dans le cadre du CPOM, des indicateurs de suivi "
            "quantitatifs sont établis entre les parties prenantes.",
            "Des indicateurs communs à tous les CPOM et agrégés nationalement seront transmis à la DGT et à la CNAM "
            "et pourront servir de bilan aux instances de gouvernance locales et nationales (CRPST, CRAT, CNPST, "
            "CAT-MP).",
            "Les parties prenantes s'engagent à compiler les informations définies dans le tableau de suivi annuel "
            "(en annexe), qui seront demandées une seule fois, aux SPSTI, dans le cadre de l'enquête annuelle de la "
            "DGT sur l'activité et la gestion des services de prévention et de santé au travail, dont les réponses "
            "sont attendues au plus tard le 30 juin de chaque année.",
        ):
            self.paragraph(text)
        if not self.indicators:
            self.paragraph("Aucun indicateur n'est encore retenu.", italic=True)
            return
        rows = []
        for row in sorted(self.indicators, key=self._indicator_rank):
            indicator = row.indicator
            targets = row.targets.all()
            rows.append(
                [
                    indicator.label,
                    row.theme.label if row.theme else "—",
                    indicator.get_scope_display(),
                    indicator.get_level_display() if indicator.level else "—",
                    "\n".join(f"{target.year} : {target.value}" for target in targets) or "—",
                ]
            )
        self.table(["Indicateur", "Thématique", "Portée", "Niveau", "Cibles annuelles"], rows)

    @staticmethod
    def _indicator_rank(row: ContractIndicator) -> tuple:
        """By theme (volet, then the order of 004), the theme's comment last; national, regional, then specific
        indicators; the six rows of the annex in their order; an "of which" row right after its total."""
        scopes = ["nationale", "regionale", "contrat"]
        indicator = row.indicator
        scope = scopes.index(indicator.scope) if indicator.scope in scopes else 9
        theme = (9,) if row.theme is None else (row.theme.volet, *_theme_rank(row.theme))
        group = indicator.parent_id or indicator.code
        known = ANNEX_ROWS.index(group) if group in ANNEX_ROWS else len(ANNEX_ROWS)
        comment = indicator.code == COMMENT_INDICATOR
        return (theme, comment, scope, known, group, indicator.parent_id is not None, indicator.code)

    def duration(self) -> None:
        contract = self.contract
        self.heading("DURÉE", 1)
        end = contract.end or contract.planned_end
        spsti_ids = [p.organisation_id for p in self.spsti]
        approval_ends = set(Approval.objects.filter(spsti_id__in=spsti_ids).values_list("end", flat=True))
        start = f" ({_date(contract.start)})" if contract.start else ""
        sentence = (
            "Le présent contrat pluriannuel d'objectifs et de moyens entrera en vigueur à la date de signature"
            f"{start} et prendra fin le {_date(end)}"
        )
        if end is None or end in approval_ends:
            sentence += ", date d'échéance de l'agrément du service de santé."
        else:
            sentence += ", au plus tard à la date d'échéance de l'agrément du service de santé."
        self.paragraph(sentence)
        self.paragraph(
            "Il pourra être aménagé par voie d'avenants avec l'accord de l'ensemble des parties signataires."
        )
        amendments = contract.applied_amendments
        if amendments:
            self.paragraph(
                "Le présent contrat a été modifié par avenant :"
                if len(amendments) == 1
                else "Le présent contrat a été modifié par les avenants suivants :"
            )
            for amendment in amendments:
                self.paragraph(
                    f"Avenant n° {amendment.number} — {amendment.get_kind_display()} : {amendment.summary.strip()} "
                    f"(appliqué le {_date(amendment.applied_on)})",
                    "List Bullet",
                )

    def termination(self) -> None:
        self.heading("CONDITIONS DE DÉNONCIATION", 1)
        self.paragraph(
            "Les parties signataires prendront toute disposition pour résoudre à l'amiable les difficultés "
            "rencontrées dans la mise en œuvre du présent CPOM avant toute procédure de dénonciation."
        )
        self.paragraph(
            "Si une dénonciation devait intervenir, la partie souhaitant dénoncer devra la porter à la connaissance "
            "des autres parties signataires au moyen d'un courrier recommandé avec accusé de réception."
        )
        termination = getattr(self.contract, "termination", None)
        if termination is None:
            return
        self.heading("Dénonciation du contrat", 2)
        self.paragraph(
            f"Le présent contrat a été dénoncé par {termination.party.organisation.name} par courrier recommandé "
            f"avec accusé de réception (référence {termination.registered_letter_reference}) notifié le "
            f"{_date(termination.notified_on)}, avec effet au {_date(termination.effective_on)}."
        )
        self.label("Motif : ", termination.reason.strip())

    def signatures(self) -> None:
        contract = self.contract
        place = contract.signature_place.strip() or "…"
        self.paragraph(f"Fait à {place}, le {_date(contract.start)}")
        self.paragraph(f"En {len(self.parties) + 1} exemplaires originaux")
        if not self.parties:
            return
        table = self.table(
            [party.organisation.name for party in self.parties],
            [
                [party.signatory_title or "Qualité du signataire : …" for party in self.parties],
                [f"Signé le {_date(party.signed_on)}" for party in self.parties],
                [""] * len(self.parties),  # room for the signatures
            ],
        )
        table.rows[-1].height = Pt(60)

    def new_section(self, orientation) -> None:
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        if section.orientation != orientation:
            section.orientation = orientation
            section.page_width, section.page_height = section.page_height, section.page_width

    def annex_follow_up(self) -> None:
        contract = self.contract
        self.new_section(WD_ORIENT.LANDSCAPE)
        self.heading("ANNEXE 1 — Tableau de suivi annuel", 1)
        self.paragraph(
            "Ce tableau est présenté pour information, ces indicateurs seront demandés au SPSTI au moment de "
            "l'enquête annuelle DGT à renseigner par tous les SPST au plus tard le 30 juin de chaque année."
        )
        self.paragraph(f"Date de signature du CPOM : {_date(contract.start)}")
        self.paragraph(f"Date de fin du CPOM : {_date(contract.end or contract.planned_end)}")

        themes = {
            action.theme.code: action.theme
            for axis in self.axes
            if axis.kind == AxisKind.PREVENTION
            for action in axis.actions.all()
            if action.theme and action.theme.scope == ThemeScope.PREVENTION
        }
        themes |= {
            row.theme.code: row.theme
            for row in self.indicators
            if row.theme is not None and row.theme.scope == ThemeScope.PREVENTION
        }
        columns = [theme.label for theme in sorted(themes.values(), key=_theme_rank)]
        volet3 = next((axis for axis in self.axes if axis.kind == AxisKind.INTERCONNAISSANCE), None)
        if volet3 is not None:
            columns.append(f"Volet 3 — {volet3.title}")
        self.paragraph(
            "Volet 2 : une colonne par thématique de prévention retenue par le contrat"
            + (" ; volet 3 : interconnaissance." if volet3 is not None else "."),
            italic=True,
        )
        catalogue = dict(Indicator.objects.filter(code__in=ANNEX_ROWS).values_list("code", "label"))
        labels = [catalogue.get(code) or ANNEX_FALLBACK_LABELS.get(code, ANNEX_COG_LABEL) for code in ANNEX_ROWS]
        self.table(
            ["Thématique(s) retenue(s)", *columns], [[_sentence_case(label)] + [""] * len(columns) for label in labels]
        )

        self.heading("Légende", 2)
        self.paragraph("Pour la thématique retenue, indiquer :")
        for text in (
            "le nombre total d'établissements formés à la thématique sur l'ensemble des actions de formation "
            "déployées ;",
            "le nombre total d'établissements ayant bénéficié d'au moins une visite, mesure ou conseil personnalisé "
            "sur la thématique ;",
            "le nombre total d'établissements destinataires d'une action de communication sur la thématique ;",
        ):
            self.paragraph(text, "List Bullet")
        self.paragraph("Case « COMMENTAIRES », champ libre pour toute information qualitative.")

    def annex_conventions(self) -> None:
        self.new_section(WD_ORIENT.PORTRAIT)
        self.heading("ANNEXE 2 — Conventions bilatérales CARSAT–SPSTI", 1)
        conventions = sorted(
            self.contract.conventions.all(), key=lambda c: (c.signed_on is None, c.signed_on or dt.date.min, c.pk)
        )
        if not conventions:
            self.paragraph("Aucune convention bilatérale n'est annexée au contrat.")
            return
        self.paragraph(
            "Les conventions bilatérales conclues entre la caisse régionale et le service sont annexées au présent "
            "contrat."
        )
        self.table(
            ["Caisse", "Objet", "Référence", "Signée le"],
            [[str(c.caisse), c.title, c.reference or "—", _date(c.signed_on)] for c in conventions],
        )


def contract_docx(contract: Contract) -> bytes:
    """The contract as a Word document (bytes of a .docx file)."""
    return _Writer(_load(contract)).render()
