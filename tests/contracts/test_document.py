"""The Word file of a contract (cpom.contracts.document): structure and wording of contract 004, real content of
the contract, placeholders on a draft, and a query count that does not grow with the contract."""

import datetime as dt
import io
import re

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx.oxml.ns import qn

from cpom.accounts.models import User
from cpom.contracts import lifecycle, services
from cpom.contracts.document import contract_docx
from cpom.contracts.enums import AmendmentKind, AxisKind, PartyRole
from cpom.contracts.models import CommitmentTemplate, Contract
from cpom.indicators.models import Theme
from cpom.organisations.models import Approval, Organisation, ServiceProject, ServiceProjectPriority, Spsti
from cpom.organisations.siret import luhn_complete
from cpom.plans.models import CogProgramme, PrstAction, RegionalPlan
from cpom.reference.loader import load_reference
from tests.contracts.builders import ars_account, own_account, scan

pytestmark = pytest.mark.django_db

NEGOTIATION = dt.date(2026, 9, 1)
SENT = dt.date(2026, 9, 20)
CRPST_OPINION = dt.date(2026, 10, 5)
ARS_OPINION = dt.date(2026, 10, 12)
SIGNATURES = {
    PartyRole.SPSTI: (dt.date(2026, 10, 20), "Le Président, Monsieur Patrick MERCIER"),
    PartyRole.STATE: (dt.date(2026, 10, 22), "La directrice régionale adjointe, responsable du pôle Travail"),
    PartyRole.CAISSE: (dt.date(2026, 10, 27), "Le directeur de la Carsat Bretagne"),
}
APPROVAL_END = dt.date(2030, 12, 31)

HEADINGS = [
    "CONTEXTE",
    "OBJECTIFS GÉNÉRAUX",
    "AXES RÉGIONAUX PROPOSÉS À LA CONTRACTUALISATION",
    "ENGAGEMENTS DES PARTIES",
    "INDICATEURS DE SUIVI",
    "DURÉE",
    "CONDITIONS DE DÉNONCIATION",
    "ANNEXE 1 — Tableau de suivi annuel",
    "ANNEXE 2 — Conventions bilatérales CARSAT–SPSTI",
]
ANNEX_ROWS = [
    "Nombre d'établissements formés à la thématique (toutes actions de formation confondues)",
    "Dont établissements suivis par la caisse régionale dans le cadre de la COG",
    "Nombre d'établissements ayant bénéficié d'au moins une visite mesure ou conseil personnalisé sur la thématique",
    "Dont établissements suivis par la caisse régionale dans le cadre de la COG",
    "Nombre d'établissements destinataires d'une action de communication sur la thématique",
    "Dont établissements suivis par la caisse régionale dans le cadre de la COG",
]
VOLET3 = "Volet 3 — Maintien de l'interconnaissance entre les organismes de prévention régionaux"


# --- building contracts -----------------------------------------------------------------------------------------
@pytest.fixture
def reference(db):
    load_reference()
    Organisation.objects.filter(code="ETAT-53").update(
        name="Direction régionale de l'économie, de l'emploi, du travail et des solidarités de Bretagne",
        address="Le Newton – 3 bis avenue de Belle Fontaine – TSA 81724",
        city="35517 Cesson-Sévigné Cedex",
    )
    Organisation.objects.filter(code="CARSAT-BR").update(address="236 rue de Châteaugiron", city="35030 Rennes Cedex 9")


@pytest.fixture
def spsti(reference):
    spsti = Spsti.objects.create(
        name="Prévention Santé Travail 35",
        short_name="PST 35",
        siret=luhn_complete("7752019840001"),
        headquarters_department_id="35",
        employees_followed=180_000,
        member_companies=12_000,
        address="3, allée de la Croix des Hêtres - BP 40123",
        city="35701 Rennes",
    )
    spsti.departments.set(["35"])
    approval = Approval.objects.create(
        spsti=spsti, start=dt.date(2026, 1, 1), end=APPROVAL_END, decision_reference="DREETS-BZH-2026-12"
    )
    approval.zones.set(["35"])
    return spsti


@pytest.fixture
def agent(reference):
    return User.objects.create_user(
        "agent@dreets-bretagne.test",
        "Mot-de-passe-de-test-2026",
        role="agent_dreets",
        organisation=Organisation.objects.get(code="ETAT-53"),
    )


@pytest.fixture
def links(spsti):
    plan = RegionalPlan.objects.create(
        region_id="53", number=4, title="PRST 4 Bretagne", start_year=2021, end_year=2025
    )
    project = ServiceProject.objects.create(
        spsti=spsti, title="Projet de service 2025-2029", start=dt.date(2025, 1, 1), end=dt.date(2029, 12, 31)
    )
    return {
        "prst": PrstAction.objects.create(
            plan=plan, code="4.2", title="Prévenir la désinsertion professionnelle", theme_id="PDP"
        ),
        "pps": ServiceProjectPriority.objects.create(project=project, code="P2", title="Réduire les TMS"),
        "cog": CogProgramme.objects.create(
            code="TMS-PROS", title="TMS Pros", start_year=2023, end_year=2028, theme_id="TMS"
        ),
    }


def theme(code: str) -> Theme:
    return Theme.objects.get(pk=code)


def build(agent, spsti, links, *, actions: int = 4, sign: bool = True) -> Contract:
    """A third-generation contract of PST 35 with `actions` action sheets: a PDP action and a TMS action, then an
    RPS action, an interconnaissance action and more prevention actions; commitments, a specific indicator with
    targets and a bilateral convention; signed by every party after both opinions unless `sign` is false."""
    contract = lifecycle.create_draft(by=agent, services=[spsti], generation=3, on=NEGOTIATION)
    services.update_general_terms(
        by=agent,
        contract=contract,
        terms=services.GeneralTerms(
            title=contract.title,
            context="La loi de juillet 2011 a instauré le CPOM.\n\nElle poursuit une double logique :\n"
            "- la synergie des acteurs ;\n- un partenariat opérationnel.",
            general_objectives="Mettre en œuvre régionalement les priorités du PST 4.",
            pdp_cell_composition="Un médecin du travail, un infirmier en santé au travail et un chargé de maintien "
            "en emploi.",
            planned_end=contract.planned_end,
            signature_place="Rennes",
        ),
        on=NEGOTIATION,
    )
    axes = {axis.kind: axis for axis in contract.axes.all()}
    services.update_axis(
        by=agent,
        axis=axes[AxisKind.PDP],
        title=axes[AxisKind.PDP].title,
        description="La PDP est une partie importante de l'offre socle des SPST.",
    )
    services.save_action(
        by=agent,
        axis=axes[AxisKind.PDP],
        data=services.ActionData(
            title="Mettre en place la cellule PDP",
            theme=theme("PDP"),
            objective="Faire évoluer l'équipe de maintien dans l'emploi vers le modèle régional de cellule PDP.",
            method="Réunions mensuelles de la cellule, repérage précoce avec le service social de la Carsat.",
            calendar="Premier semestre 2027",
            means_spsti="Un médecin coordonnateur et une assistante sociale.",
            means_state="Appui méthodologique du pôle Travail.",
            means_caisse="Participation du service social régional.",
            prst_actions=[links["prst"]],
        ),
    )
    tms = services.save_action(
        by=agent,
        axis=axes[AxisKind.PREVENTION],
        data=services.ActionData(
            title="Prévenir les TMS dans l'aide à domicile",
            theme=theme("TMS"),
            objective="Réduire les TMS des aides à domicile.",
            method="Visites d'entreprises et formations des encadrants.",
            calendar="2027-2029",
            means_spsti="Deux ergonomes.",
            pps_priorities=[links["pps"]],
            cog_programmes=[links["cog"]],
        ),
    )
    if actions >= 3:
        services.save_action(
            by=agent,
            axis=axes[AxisKind.PREVENTION],
            data=services.ActionData(title="Prévenir les risques psychosociaux", theme=theme("RPS")),
        )
    if actions >= 4:
        services.save_action(
            by=agent,
            axis=axes[AxisKind.INTERCONNAISSANCE],
            data=services.ActionData(title="Réunir le comité départemental de prévention", theme=theme("INTERCO")),
        )
    for number in range(actions - 4):
        services.save_action(
            by=agent,
            axis=axes[AxisKind.PREVENTION],
            data=services.ActionData(
                title=f"Action complémentaire n° {number + 1}",
                theme=theme(["TMS", "RPS", "RC"][number % 3]),
                objective="Objectif complémentaire.",
                pps_priorities=[links["pps"]],
                cog_programmes=[links["cog"]],
            ),
        )
    services.add_commitments_from_catalogue(
        by=agent, contract=contract, templates=list(CommitmentTemplate.objects.all())
    )
    row = services.add_specific_indicator(
        by=agent,
        contract=contract,
        label="Nombre d'aides à domicile formées à la manutention",
        level="resultat_intermediaire",
        theme=theme("TMS"),
        action=tms,
    )
    services.set_targets(by=agent, row=row, targets={2027: "40", 2028: "60"})
    services.add_convention(
        by=agent,
        contract=contract,
        caisse=Organisation.objects.get(code="CARSAT-BR"),
        title="Convention de partenariat TMS Pros aide à domicile",
        reference="CB-BZH-2026-07",
        signed_on=dt.date(2026, 6, 15),
    )
    if not sign:
        return Contract.objects.get(pk=contract.pk)
    lifecycle.send_for_consultation(by=agent, contract=contract, on=SENT)
    lifecycle.record_opinion(
        by=agent, contract=contract, body="crpst", given_on=CRPST_OPINION, opinion="favorable", document=scan()
    )
    lifecycle.record_opinion(
        by=ars_account(contract), contract=contract, body="ars", given_on=ARS_OPINION, opinion="reserve"
    )
    for party in contract.parties.all():
        signed_on, title = SIGNATURES[party.role]
        lifecycle.record_signature(
            by=own_account(party), contract=contract, party=party, signed_on=signed_on, signatory_title=title
        )
    return Contract.objects.get(pk=contract.pk)


# --- reading the file -------------------------------------------------------------------------------------------
def open_docx(contract: Contract):
    return docx.Document(io.BytesIO(contract_docx(contract)))


def texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_starting_with(document, first_cell: str):
    found = [table for table in document.tables if table.rows[0].cells[0].text == first_cell]
    assert len(found) == 1, f"{len(found)} tableaux commencent par « {first_cell} »"
    return found[0]


def section_texts(document, heading: str) -> list[str]:
    """Non-empty paragraphs after the Heading 1 `heading`, up to the next Heading 1."""
    out, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            inside = paragraph.text == heading
            continue
        if inside and paragraph.text:
            out.append(paragraph.text)
    return out


# --- tests ------------------------------------------------------------------------------------------------------
@pytest.fixture
def signed(agent, spsti, links):
    return build(agent, spsti, links)


def test_title_parties_and_preamble(signed):
    document = open_docx(signed)
    lines = texts(document)
    assert document.paragraphs[0].style.name == "Title"
    assert lines[0] == "CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS"
    assert lines[1] == "CPOM Prévention Santé Travail 35 — génération 3"
    assert f"Référence : {signed.reference} — Région Bretagne — CPOM de 3e génération" in lines
    assert not any("non signé" in line for line in lines)

    start = lines.index("Entre les soussignés :")
    end = lines.index("Il a été arrêté et convenu ce qui suit :")
    assert lines[start + 1 : end] == [
        "Prévention Santé Travail 35, ci-après dénommé « PST 35 »,",
        "Dont le siège se situe : 3, allée de la Croix des Hêtres - BP 40123, 35701 Rennes",
        "Représenté par le Président, Monsieur Patrick MERCIER",
        "D'une part,",
        "Et",
        "Direction régionale de l'économie, de l'emploi, du travail et des solidarités de Bretagne, "
        "ci-après dénommée « DREETS Bretagne »,",
        "Dont le siège se situe : Le Newton – 3 bis avenue de Belle Fontaine – TSA 81724, 35517 Cesson-Sévigné Cedex",
        "Représentée par la directrice régionale adjointe, responsable du pôle Travail",
        "Et",
        "Carsat Bretagne,",
        "Dont le siège se situe : 236 rue de Châteaugiron, 35030 Rennes Cedex 9",
        "Représentée par le directeur de la Carsat Bretagne",
        "D'autre part,",
        "Vu la loi n° 2021-1018 du 2 août 2021 pour renforcer la prévention en santé au travail ;",
        "Vu l'instruction conjointe DGT/DRP du 12 juillet 2024 sur les contrats pluriannuels d'objectifs et de "
        "moyens (CPOM) conclus avec les services de prévention et de santé au travail interentreprises ;",
        "Vu l'avis favorable du comité régional de prévention et de santé au travail (CRPST) du 05/10/2026 ;",
        "Vu l'avis favorable avec réserves de l'agence régionale de santé (ARS) du 12/10/2026 ;",
    ]
    # The names of the parties are in bold, as in the contract 004.
    names = [p for p in document.paragraphs if p.text.startswith("Prévention Santé Travail 35, ci-après")]
    assert names[0].runs[0].bold and names[0].runs[0].text == "Prévention Santé Travail 35"


def test_headings_in_order_and_text_split_on_blank_lines(signed):
    document = open_docx(signed)
    assert headings(document, 1) == HEADINGS
    assert headings(document, 2)[:3] == [
        "1. Prévention de la désinsertion professionnelle et maintien dans l'emploi",
        "2. Prévention d'au moins un risque professionnel",
        "3. Maintien de l'interconnaissance entre les organismes de prévention régionaux",
    ]
    assert section_texts(document, "CONTEXTE") == [
        "La loi de juillet 2011 a instauré le CPOM.",
        "Elle poursuit une double logique :",
        "la synergie des acteurs ;",
        "un partenariat opérationnel.",
    ]
    bullets = [p for p in document.paragraphs if p.text == "la synergie des acteurs ;"]
    assert bullets[0].style.name == "List Bullet"
    assert section_texts(document, "OBJECTIFS GÉNÉRAUX") == ["Mettre en œuvre régionalement les priorités du PST 4."]
    assert document.core_properties.language == "fr-FR"
    # Every table is a "Table Grid" whose first row is a header repeated on each page.
    assert {table.style.name for table in document.tables} == {"Table Grid"}
    assert all(table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for table in document.tables)
    assert document.core_properties.identifier == signed.reference


def test_action_sheets_and_pdp_cell(signed):
    document = open_docx(signed)
    assert headings(document, 3) == [
        "Fiche action 1.1 — Mettre en place la cellule PDP",
        "Composition minimale de la cellule PDP",
        "Fiche action 2.1 — Prévenir les TMS dans l'aide à domicile",
        "Fiche action 2.2 — Prévenir les risques psychosociaux",
        "Fiche action 3.1 — Réunir le comité départemental de prévention",
    ]
    sheets = [table for table in document.tables if table.rows[0].cells[0].text == "Rubrique"]
    assert len(sheets) == 4
    assert rows(sheets[0]) == [
        ["Rubrique", "Contenu"],
        ["Thématique", "Prévention de la désinsertion professionnelle et maintien en emploi"],
        ["Objectif", "Faire évoluer l'équipe de maintien dans l'emploi vers le modèle régional de cellule PDP."],
        [
            "Modalités de mise en œuvre",
            "Réunions mensuelles de la cellule, repérage précoce avec le service social de la Carsat.",
        ],
        ["Calendrier", "Premier semestre 2027"],
        ["Moyens mobilisés par le SPSTI", "Un médecin coordonnateur et une assistante sociale."],
        ["Moyens mobilisés par DREETS Bretagne", "Appui méthodologique du pôle Travail."],
        ["Moyens mobilisés par Carsat Bretagne", "Participation du service social régional."],
        ["Actions du PRST", "• 4.2 — Prévenir la désinsertion professionnelle"],
    ]
    tms = dict(rows(sheets[1]))
    assert tms["Thématique"] == "Troubles musculo-squelettiques"
    assert "Moyens mobilisés par DREETS Bretagne" not in tms, "a signed contract holds no « À préciser »"
    assert tms["Priorités du projet de service"] == "• P2 — Réduire les TMS"
    assert tms["Programmes de la COG"] == "• TMS Pros"
    assert "Actions du PRST" not in tms
    pdp = section_texts(document, "AXES RÉGIONAUX PROPOSÉS À LA CONTRACTUALISATION")
    assert pdp[0] == (
        "Conformément à l'instruction nationale précitée et aux orientations définies régionalement, "
        "3 axes d'action ont été définis :"
    )
    assert "La PDP est une partie importante de l'offre socle des SPST." in pdp
    assert "Un médecin du travail, un infirmier en santé au travail et un chargé de maintien en emploi." in pdp


def test_commitments_grouped_by_party_then_category(signed):
    document = open_docx(signed)
    section = section_texts(document, "ENGAGEMENTS DES PARTIES")
    assert headings(document, 2)[3:6] == ["DREETS Bretagne", "Carsat Bretagne", "SPSTI"]
    state = section[: section.index("Carsat Bretagne")]
    assert state[:2] == [
        "DREETS Bretagne",
        "Engagements généraux :",
    ]
    assert "Assurer l'animation et l'organisation de la consultation des instances régionales." in state
    caisse = section[section.index("Carsat Bretagne") : section.index("SPSTI")]
    assert caisse[1:3] == [
        "Engagements organisationnels :",
        "Désigner un correspondant unique pour la gestion du CPOM.",
    ]
    assert (
        caisse.index("Engagements informationnels :")
        < caisse.index("Engagements d'échanges d'informations sur les entreprises :")
        < caisse.index("Engagements techniques :")
    )
    spsti = section[section.index("SPSTI") :]
    assert spsti[1:3] == ["Le SPSTI s'engage à :", "Engagements généraux :"]
    bullet = next(p for p in document.paragraphs if p.text == "Faire connaître son offre de formations.")
    assert bullet.style.name == "List Bullet"


def test_indicators_table(signed):
    document = open_docx(signed)
    table = table_starting_with(document, "Indicateur")
    content = rows(table)
    assert content[0] == ["Indicateur", "Thématique", "Portée", "Niveau", "Cibles annuelles"]
    assert [
        "Nombre d'aides à domicile formées à la manutention",
        "Troubles musculo-squelettiques",
        "Propre au contrat",
        "Résultat intermédiaire",
        "2027 : 40\n2028 : 60",
    ] in content
    assert [
        "Nombre d'établissements formés à la thématique (toutes actions de formation confondues)",
        "Risques psychosociaux",
        "Socle national",
        "—",
        "—",
    ] in content
    assert [
        "Nombre annuel de réunions de la cellule PDP",
        "Prévention de la désinsertion professionnelle et maintien en emploi",
        "Régional",
        "—",
        "—",
    ] in content
    # Grouped by theme (PDP, then the prevention themes in the order of 004, then volet 3), each theme's
    # national, regional then specific indicators, its comment last; an "of which" row right after its total.
    themes = [row[1] for row in content[1:]]
    assert list(dict.fromkeys(themes)) == [
        "Prévention de la désinsertion professionnelle et maintien en emploi",
        "Risques psychosociaux",
        "Troubles musculo-squelettiques",
        "Interconnaissance entre organismes de prévention",
    ]
    tms = [(row[0], row[2]) for row in content if row[1] == "Troubles musculo-squelettiques"]
    assert tms == [
        ("Nombre d'établissements formés à la thématique (toutes actions de formation confondues)", "Socle national"),
        ("dont établissements suivis par la caisse régionale dans le cadre de la COG", "Socle national"),
        (
            "Nombre d'établissements ayant bénéficié d'au moins une visite mesure ou conseil personnalisé sur la "
            "thématique",
            "Socle national",
        ),
        ("dont établissements suivis par la caisse régionale dans le cadre de la COG", "Socle national"),
        ("Nombre d'établissements destinataires d'une action de communication sur la thématique", "Socle national"),
        ("dont établissements suivis par la caisse régionale dans le cadre de la COG", "Socle national"),
        ("Nombre d'aides à domicile formées à la manutention", "Propre au contrat"),
        ("Commentaires (information qualitative libre)", "Socle national"),
    ]


def test_duration_signatures_and_dates(signed):
    document = open_docx(signed)
    assert signed.start == dt.date(2026, 10, 27) and signed.end == APPROVAL_END
    assert section_texts(document, "DURÉE") == [
        "Le présent contrat pluriannuel d'objectifs et de moyens entrera en vigueur à la date de signature "
        "(27/10/2026) et prendra fin le 31/12/2030, date d'échéance de l'agrément du service de santé.",
        "Il pourra être aménagé par voie d'avenants avec l'accord de l'ensemble des parties signataires.",
    ]
    denunciation = section_texts(document, "CONDITIONS DE DÉNONCIATION")
    assert denunciation[:2] == [
        "Les parties signataires prendront toute disposition pour résoudre à l'amiable les difficultés rencontrées "
        "dans la mise en œuvre du présent CPOM avant toute procédure de dénonciation.",
        "Si une dénonciation devait intervenir, la partie souhaitant dénoncer devra la porter à la connaissance des "
        "autres parties signataires au moyen d'un courrier recommandé avec accusé de réception.",
    ]
    assert denunciation[2:4] == ["Fait à Rennes, le 27/10/2026", "En 4 exemplaires originaux"]
    table = table_starting_with(document, "Prévention Santé Travail 35")
    assert rows(table)[:3] == [
        [
            "Prévention Santé Travail 35",
            "Direction régionale de l'économie, de l'emploi, du travail et des solidarités de Bretagne",
            "Carsat Bretagne",
        ],
        [
            "Le Président, Monsieur Patrick MERCIER",
            "La directrice régionale adjointe, responsable du pôle Travail",
            "Le directeur de la Carsat Bretagne",
        ],
        ["Signé le 20/10/2026", "Signé le 22/10/2026", "Signé le 27/10/2026"],
    ]


def test_annex_follow_up_table_like_004(signed):
    document = open_docx(signed)
    table = table_starting_with(document, "Thématique(s) retenue(s)")
    content = rows(table)
    assert content[0] == [
        "Thématique(s) retenue(s)",
        "Risques psychosociaux",
        "Troubles musculo-squelettiques",
        VOLET3,
    ]
    assert [row[0] for row in content[1:]] == ANNEX_ROWS
    assert all(cell == "" for row in content[1:] for cell in row[1:])
    annex = section_texts(document, "ANNEXE 1 — Tableau de suivi annuel")
    assert "Date de signature du CPOM : 27/10/2026" in annex
    assert "Date de fin du CPOM : 31/12/2030" in annex
    legend = annex[annex.index("Légende") :]
    assert legend == [
        "Légende",
        "Pour la thématique retenue, indiquer :",
        "le nombre total d'établissements formés à la thématique sur l'ensemble des actions de formation déployées ;",
        "le nombre total d'établissements ayant bénéficié d'au moins une visite, mesure ou conseil personnalisé sur "
        "la thématique ;",
        "le nombre total d'établissements destinataires d'une action de communication sur la thématique ;",
        "Case « COMMENTAIRES », champ libre pour toute information qualitative.",
    ]
    # The annex is on its own landscape page.
    assert document.sections[1].page_width > document.sections[1].page_height
    assert document.sections[0].page_width < document.sections[0].page_height


def test_annex_conventions(signed):
    document = open_docx(signed)
    table = table_starting_with(document, "Caisse")
    assert rows(table) == [
        ["Caisse", "Objet", "Référence", "Signée le"],
        ["Carsat Bretagne", "Convention de partenariat TMS Pros aide à domicile", "CB-BZH-2026-07", "15/06/2026"],
    ]


def test_amendments_and_termination_are_stated(signed, agent):
    amendment = lifecycle.open_amendment(
        by=agent,
        contract=signed,
        kind=AmendmentKind.CHANGE,
        summary="Ajout d'une action sur le risque chimique.",
        on=dt.date(2026, 11, 2),
    )
    for party in signed.parties.all():
        lifecycle.sign_amendment(
            by=own_account(party),
            amendment=amendment,
            party=party,
            signed_on=dt.date(2026, 11, 10),
            signatory_title="Directeur",
        )
    spsti_party = signed.parties.get(role=PartyRole.SPSTI)
    lifecycle.terminate(
        by=agent,
        contract=signed,
        party=spsti_party,
        notified_on=dt.date(2027, 3, 1),
        effective_on=dt.date(2027, 6, 1),
        reason="Fusion du service avec un service voisin.",
        registered_letter_reference="RAR 1A 234 567 8901 2",
    )
    document = open_docx(signed)
    duration = section_texts(document, "DURÉE")
    assert duration[0].endswith(
        "et prendra fin le 01/06/2027, au plus tard à la date d'échéance de l'agrément du service de santé."
    )
    assert duration[2:] == [
        "Le présent contrat a été modifié par avenant :",
        "Avenant n° 1 — Modification du contenu : Ajout d'une action sur le risque chimique. (appliqué le 10/11/2026)",
    ]
    denunciation = section_texts(document, "CONDITIONS DE DÉNONCIATION")
    assert denunciation[2:5] == [
        "Dénonciation du contrat",
        "Le présent contrat a été dénoncé par Prévention Santé Travail 35 par courrier recommandé avec accusé de "
        "réception (référence RAR 1A 234 567 8901 2) notifié le 01/03/2027, avec effet au 01/06/2027.",
        "Motif : Fusion du service avec un service voisin.",
    ]


def test_draft_has_placeholders_for_unknown_dates(agent, spsti):
    contract = lifecycle.create_draft(by=agent, services=[spsti], generation=3, on=NEGOTIATION)
    document = open_docx(contract)
    lines = texts(document)
    assert headings(document, 1) == HEADINGS
    assert f"Projet de contrat (version de travail n° {contract.version}) — document non signé." in lines
    assert "Vu l'avis du comité régional de prévention et de santé au travail (CRPST) du JJ/MM/AAAA ;" in lines
    assert "Vu l'avis de l'agence régionale de santé (ARS) du JJ/MM/AAAA ;" in lines
    # No signatory known yet: no "Représenté(e) par" line.
    assert not any(line.startswith("Représenté") for line in lines)
    assert "Fait à …, le JJ/MM/AAAA" in lines
    assert "En 4 exemplaires originaux" in lines
    assert "Date de signature du CPOM : JJ/MM/AAAA" in lines
    assert "Date de fin du CPOM : 31/12/2030" in lines
    assert section_texts(document, "DURÉE")[0] == (
        "Le présent contrat pluriannuel d'objectifs et de moyens entrera en vigueur à la date de signature et "
        "prendra fin le 31/12/2030, date d'échéance de l'agrément du service de santé."
    )
    signatures = rows(table_starting_with(document, "Prévention Santé Travail 35"))
    assert signatures[2] == ["Signé le JJ/MM/AAAA"] * 3
    assert section_texts(document, "CONTEXTE") == ["À compléter."]
    assert "Aucune fiche action n'est rédigée pour cet axe." in lines
    assert "Les engagements des parties restent à préciser." in lines
    annex = rows(table_starting_with(document, "Thématique(s) retenue(s)"))
    assert annex[0] == ["Thématique(s) retenue(s)", VOLET3]
    assert [row[0] for row in annex[1:]] == ANNEX_ROWS
    assert section_texts(document, "ANNEXE 2 — Conventions bilatérales CARSAT–SPSTI") == [
        "Aucune convention bilatérale n'est annexée au contrat."
    ]


def test_query_count_does_not_grow_with_the_contract(agent, spsti, links):
    small = build(agent, spsti, links, actions=2)
    large = build(agent, spsti, links, actions=10)
    for contract, count in ((small, 2), (large, 10)):
        assert sum(len(axis.actions.all()) for axis in contract.axes.prefetch_related("actions")) == count
    with CaptureQueriesContext(connection) as small_queries:
        contract_docx(small)
    with CaptureQueriesContext(connection) as large_queries:
        document = docx.Document(io.BytesIO(contract_docx(large)))
    assert len(large_queries) == len(small_queries) <= 15
    assert len([p for p in document.paragraphs if p.text.startswith("Fiche action")]) == 10
    annex = rows(table_starting_with(document, "Thématique(s) retenue(s)"))
    assert annex[0] == [
        "Thématique(s) retenue(s)",
        "Risques psychosociaux",
        "Troubles musculo-squelettiques",
        "Risques chimiques (dont agents CMR)",
        VOLET3,
    ]
    small_annex = rows(table_starting_with(docx.Document(io.BytesIO(contract_docx(small))), "Thématique(s) retenue(s)"))
    assert small_annex[0] == ["Thématique(s) retenue(s)", "Troubles musculo-squelettiques", VOLET3]


def _all_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*texts(document), *cells])


def test_a_signed_contract_reads_as_an_official_a4_document_without_placeholders_or_repeated_words(signed):
    from cpom.contracts.models import Action, ContractParty

    Spsti.objects.filter(pk=signed.parties.get(role=PartyRole.SPSTI).organisation.spsti.pk).update(
        address="3, allée de la Croix des Hêtres, 35700 Rennes", city="Rennes"
    )
    ContractParty.objects.filter(contract=signed, role=PartyRole.SPSTI).update(signatory_title="Président de PST 35")
    ContractParty.objects.filter(contract=signed, role=PartyRole.STATE).update(
        signatory_title="Pour la directrice régionale, la responsable du pôle Travail"
    )
    Action.objects.filter(axis__version__contract=signed).update(
        method="Voir la fiche action en annexe.", means_state=""
    )
    signed = Contract.objects.get(pk=signed.pk)
    document = open_docx(signed)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7), "A4"
    assert document.paragraphs[0].style.name == "Title" and document.core_properties.title == signed.title
    text = _all_text(document)
    assert f"Date de signature du CPOM : {signed.start:%d/%m/%Y}" in text
    for placeholder in ("À préciser", "À compléter", "JJ/MM/AAAA", "Fait à …", "Voir la fiche action"):
        assert placeholder not in text, placeholder
    assert "Dont le siège se situe : 3, allée de la Croix des Hêtres, 35700 Rennes\n" in text + "\n"
    assert "Représenté par le président de PST 35" in text
    assert "Représentée, pour la directrice régionale, par la responsable du pôle Travail" in text
    assert "Dont le siège se situe : 236 rue de Châteaugiron, 35030 Rennes Cedex 9" in text, "the caisse's seat"
    repeated = re.findall(r"\b(\w{3,}), \1\b", text)
    assert repeated == [], f"repeated words: {repeated}"
