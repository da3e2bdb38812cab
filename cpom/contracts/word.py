"""The contract as a Word document, in the structure of the real contract 004: parties, context, general
objectives, axes and action sheets, commitments, indicators, duration, termination, signatures, and the annexes
(annual follow-up table with the contract's themes as columns, bilateral conventions — R10)."""

import io

from django.db.models import Prefetch
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from cpom.indicators.enums import ThemeScope

from .enums import AmendmentStatus, AxisKind, CommitmentCategory, PartyRole
from .models import Action, Contract, ContractIndicator

PLACEHOLDER = "JJ/MM/AAAA"
VOLET2_ROWS = [
    "ETAB_FORMES",
    "ETAB_FORMES_COG",
    "ETAB_ACCOMPAGNES",
    "ETAB_ACCOMPAGNES_COG",
    "ETAB_COMMUNICATION",
    "ETAB_COMMUNICATION_COG",
]
ROLE_ORDER = {PartyRole.SPSTI: 0, PartyRole.STATE: 1, PartyRole.CAISSE: 2}


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else PLACEHOLDER


def _load(contract: Contract) -> Contract:
    return (
        Contract.objects.select_related("region", "termination__party__organisation")
        .prefetch_related(
            "parties__organisation",
            Prefetch(
                "axes__actions",
                queryset=Action.objects.select_related("theme").prefetch_related(
                    "prst_actions", "pps_priorities", "cog_programmes"
                ),
            ),
            Prefetch(
                "indicators",
                queryset=ContractIndicator.objects.select_related("indicator", "theme").prefetch_related("targets"),
            ),
            "commitments",
            "conventions__caisse",
            "amendments",
        )
        .get(pk=contract.pk)
    )


def _paragraphs(document, text: str) -> None:
    for block in [b.strip() for b in (text or "").split("\n\n") if b.strip()]:
        document.add_paragraph(block)


def contract_docx(contract: Contract) -> bytes:
    contract = _load(contract)
    parties = sorted(contract.parties.all(), key=lambda p: (ROLE_ORDER[p.role], p.organisation.name))
    document = Document()
    document.styles["Normal"].font.name = "Marianne"
    document.styles["Normal"].font.size = Pt(10.5)

    title = document.add_heading("CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"{contract.title} — référence {contract.reference}").alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_paragraph("Entre les soussignés :")
    services = [p for p in parties if p.role == PartyRole.SPSTI]
    others = [p for p in parties if p.role != PartyRole.SPSTI]
    for party in services:
        _party(document, party)
    document.add_paragraph("D'une part,")
    for index, party in enumerate(others):
        if index:
            document.add_paragraph("Et")
        _party(document, party)
    document.add_paragraph("D'autre part,")
    document.add_paragraph("Vu la loi n° 2021-1018 du 2 août 2021 pour renforcer la prévention en santé au travail ;")
    document.add_paragraph(
        "Vu l'instruction conjointe DGT/DRP du 12 juillet 2024 sur les contrats pluriannuels d'objectifs et de "
        "moyens conclus avec les services de prévention et de santé au travail interentreprises ;"
    )
    document.add_paragraph("Il a été arrêté et convenu ce qui suit :")

    document.add_heading("CONTEXTE", level=1)
    _paragraphs(document, contract.context or "Non renseigné.")
    document.add_heading("OBJECTIFS GÉNÉRAUX", level=1)
    _paragraphs(document, contract.general_objectives or "Non renseignés.")

    document.add_heading("AXES PROPOSÉS À LA CONTRACTUALISATION", level=1)
    for axis in contract.axes.all():
        document.add_heading(f"{axis.number}. {axis.title}", level=2)
        _paragraphs(document, axis.description)
        if axis.kind == AxisKind.PDP and contract.pdp_cell_composition:
            document.add_paragraph(f"Composition minimale de la cellule PDP : {contract.pdp_cell_composition}")
        for action in axis.actions.all():
            _action(document, axis, action)
    if not any(axis.kind == AxisKind.PDP for axis in contract.axes.all()) and contract.pdp_cell_composition:
        document.add_paragraph(f"Composition minimale de la cellule PDP : {contract.pdp_cell_composition}")

    document.add_heading("ENGAGEMENTS DES PARTIES", level=1)
    names = {
        PartyRole.STATE: ", ".join(p.organisation.name for p in others if p.role == PartyRole.STATE),
        PartyRole.CAISSE: ", ".join(p.organisation.name for p in others if p.role == PartyRole.CAISSE),
        PartyRole.SPSTI: "SPSTI",
    }
    categories = dict(CommitmentCategory.choices)
    for role in (PartyRole.STATE, PartyRole.CAISSE, PartyRole.SPSTI):
        items = [c for c in contract.commitments.all() if c.party_role == role]
        if not items:
            continue
        document.add_heading(names[role] or PartyRole(role).label, level=2)
        for category in dict.fromkeys(c.category for c in items):
            if category != CommitmentCategory.GENERAL:
                document.add_paragraph(f"{categories[category]} :")
            for commitment in (c for c in items if c.category == category):
                document.add_paragraph(commitment.text, style="List Bullet")

    document.add_heading("INDICATEURS DE SUIVI", level=1)
    document.add_paragraph(
        "Les parties s'engagent à compiler chaque année les informations du tableau de suivi annuel (en annexe), "
        "demandées une seule fois aux SPSTI, au plus tard le 30 juin."
    )
    rows = list(contract.indicators.all())
    if rows:
        table = document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ["Indicateur", "Thématique", "Portée", "Niveau", "Cibles"], strict=True
        ):
            cell.text = text
        for row in rows:
            cells = table.add_row().cells
            cells[0].text = row.indicator.label
            cells[1].text = row.theme.label if row.theme else "—"
            cells[2].text = row.indicator.get_scope_display()
            cells[3].text = row.indicator.get_level_display() or "—"
            cells[4].text = "; ".join(f"{t.year} : {t.value}" for t in row.targets.all()) or "—"

    document.add_heading("DURÉE", level=1)
    end = contract.end or contract.planned_end
    document.add_paragraph(
        "Le présent contrat pluriannuel d'objectifs et de moyens entrera en vigueur à la date de signature "
        f"({_date(contract.start)}) et prendra fin le {_date(end)}, date d'échéance de l'agrément du service de "
        "santé au travail au plus tard."
    )
    document.add_paragraph(
        "Il pourra être aménagé par voie d'avenants avec l'accord de l'ensemble des parties signataires."
    )
    applied = [a for a in contract.amendments.all() if a.status == AmendmentStatus.APPLIED]
    for amendment in applied:
        document.add_paragraph(
            f"Avenant n° {amendment.number} ({amendment.get_kind_display().lower()}), signé par toutes les parties "
            f"le {_date(amendment.applied_on)} : {amendment.summary}",
            style="List Bullet",
        )

    document.add_heading("CONDITIONS DE DÉNONCIATION", level=1)
    document.add_paragraph(
        "Les parties signataires prendront toute disposition pour résoudre à l'amiable les difficultés "
        "rencontrées dans la mise en œuvre du présent CPOM avant toute procédure de dénonciation."
    )
    document.add_paragraph(
        "Si une dénonciation devait intervenir, la partie souhaitant dénoncer devra la porter à la connaissance des "
        "autres parties signataires au moyen d'un courrier recommandé avec accusé de réception."
    )
    termination = getattr(contract, "termination", None)
    if termination is not None:
        document.add_paragraph(
            f"Le contrat a été dénoncé par {termination.party.organisation.name}, par courrier recommandé "
            f"{termination.registered_letter_reference} notifié le {_date(termination.notified_on)}, avec effet le "
            f"{_date(termination.effective_on)}. Motif : {termination.reason}"
        )

    signed = [p.signed_on for p in parties if p.signed_on]
    document.add_paragraph(f"Fait à {contract.signature_place or '…'}, le {_date(max(signed) if signed else None)}")
    document.add_paragraph(f"En {len(parties) + 1} exemplaires originaux")
    table = document.add_table(rows=3, cols=len(parties))
    table.style = "Table Grid"
    for column, party in enumerate(parties):
        table.cell(0, column).text = party.organisation.name
        table.cell(1, column).text = party.signatory_title or "Qualité du signataire"
        table.cell(2, column).text = f"Signé le {_date(party.signed_on)}"

    _annex_table(document, contract, rows)
    _annex_conventions(document, contract)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _party(document, party) -> None:
    organisation = party.organisation
    text = organisation.name
    if organisation.address or organisation.city:
        text += f", dont le siège se situe : {organisation.address or organisation.city}"
    if party.signatory_title:
        text += f", représenté(e) par : {party.signatory_title}"
    document.add_paragraph(text + ",")


def _action(document, axis, action) -> None:
    document.add_heading(f"Fiche action {axis.number}.{action.number} — {action.title}", level=3)
    for label, value in [
        ("Thématique", action.theme.label if action.theme else ""),
        ("Objectif", action.objective),
        ("Modalités de mise en œuvre", action.method),
        ("Calendrier", action.calendar),
        ("Moyens du service", action.means_spsti),
        ("Moyens de la DREETS", action.means_state),
        ("Moyens de la caisse", action.means_caisse),
        ("Actions du PRST", "; ".join(str(a) for a in action.prst_actions.all())),
        ("Priorités du projet de service", "; ".join(str(p) for p in action.pps_priorities.all())),
        ("Programmes de la COG", "; ".join(str(p) for p in action.cog_programmes.all())),
    ]:
        if value:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label} : ").bold = True
            paragraph.add_run(value)


def _annex_table(document, contract, rows) -> None:
    document.add_page_break()
    document.add_heading("ANNEXE 1 — Tableau de suivi annuel", level=1)
    document.add_paragraph(
        "Ce tableau est présenté pour information : ces indicateurs seront demandés au SPSTI au moment de "
        "l'enquête annuelle, à renseigner au plus tard le 30 juin de chaque année."
    )
    document.add_paragraph(f"Date de signature du CPOM : {_date(contract.start)}")
    document.add_paragraph(f"Date de fin du CPOM : {_date(contract.end or contract.planned_end)}")
    themes = sorted(
        {row.theme for row in rows if row.theme and row.theme.scope == ThemeScope.PREVENTION}, key=lambda t: t.code
    )
    volet3 = any(axis.kind == AxisKind.INTERCONNAISSANCE for axis in contract.axes.all())
    labels = {row.indicator_id: row.indicator.label for row in rows}
    columns = ["Thématique(s) retenue(s)"] + [t.label for t in themes] + (["Volet 3"] if volet3 else [])
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    for code in VOLET2_ROWS:
        if code not in labels:
            continue
        cells = table.add_row().cells
        cells[0].text = labels[code]
    document.add_paragraph("Légende").runs[0].bold = True
    for line in (
        "le nombre total d'établissements formés à la thématique sur l'ensemble des actions de formation déployées ;",
        "le nombre total d'établissements ayant bénéficié d'au moins une visite, mesure ou conseil personnalisé sur "
        "la thématique ;",
        "le nombre total d'établissements destinataires d'une action de communication sur la thématique.",
    ):
        document.add_paragraph(line, style="List Bullet")
    document.add_paragraph("Case « COMMENTAIRES » : champ libre pour toute information qualitative.")


def _annex_conventions(document, contract) -> None:
    document.add_heading("ANNEXE 2 — Conventions bilatérales caisse – SPSTI", level=1)
    conventions = list(contract.conventions.all())
    if not conventions:
        document.add_paragraph("Aucune convention bilatérale n'est annexée au contrat.")
        return
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Caisse", "Objet", "Référence", "Signée le"], strict=True):
        cell.text = text
    for convention in conventions:
        cells = table.add_row().cells
        cells[0].text = convention.caisse.name
        cells[1].text = convention.title
        cells[2].text = convention.reference or "—"
        cells[3].text = _date(convention.signed_on) if convention.signed_on else "—"
