"""The Word file of a contract reads like contract 004: open it and check what it says."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from cpom.contracts import services
from cpom.contracts.enums import AxisKind
from cpom.contracts.models import CommitmentTemplate
from cpom.contracts.word import VOLET2_ROWS, contract_docx
from cpom.indicators.models import Indicator, Theme
from cpom.organisations.models import Organisation
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db


def read(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


@pytest.fixture
def contract(services, dreets_agent):
    draft = make_draft(services["A"], dreets_agent)
    prevention = draft.axes.get(kind=AxisKind.PREVENTION)
    services_ = services
    del services_
    from cpom.contracts import services as content

    content.save_action(
        by=dreets_agent,
        axis=prevention,
        data=content.ActionData(
            title="Prévenir les RPS", theme=Theme.objects.get(pk="RPS"), objective="Former les managers."
        ),
    )
    content.add_commitments_from_catalogue(
        by=dreets_agent, contract=draft, templates=list(CommitmentTemplate.objects.all())
    )
    content.add_convention(
        by=dreets_agent,
        contract=draft,
        caisse=Organisation.objects.get(code="CARSAT-BR"),
        title="Convention TMS Pros",
        reference="CB-2025-07",
        signed_on=dt.date(2025, 3, 1),
    )
    draft.signature_place = "Rennes"
    draft.save()
    return sign(draft, dreets_agent)


def test_the_word_file_holds_parties_clauses_action_sheets_and_signatures(contract, services):
    paragraphs, tables = read(contract_docx(contract))
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS"
    document = Document(io.BytesIO(contract_docx(contract)))
    headings = [p.text for p in document.paragraphs if p.style.name in ("Title", "Heading 1")]
    assert headings == [
        "CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS",
        "CONTEXTE",
        "OBJECTIFS GÉNÉRAUX",
        "AXES PROPOSÉS À LA CONTRACTUALISATION",
        "ENGAGEMENTS DES PARTIES",
        "INDICATEURS DE SUIVI",
        "DURÉE",
        "CONDITIONS DE DÉNONCIATION",
        "ANNEXE 1 — Tableau de suivi annuel",
        "ANNEXE 2 — Conventions bilatérales caisse – SPSTI",
    ]
    assert text.index(services["A"].name) < text.index("D'une part,") < text.index("DREETS Bretagne")
    assert "Fiche action 2.2 — Prévenir les RPS" in text and "Former les managers." in text
    assert "Composition minimale de la cellule PDP : Un médecin du travail" in text
    assert "Désigner un correspondant unique pour la gestion du CPOM." in text
    start, end = contract.start.strftime("%d/%m/%Y"), contract.end.strftime("%d/%m/%Y")
    assert f"entrera en vigueur à la date de signature ({start}) et prendra fin le {end}" in text
    assert "En 4 exemplaires originaux" in text and "Fait à Rennes" in text
    signatures = tables[1]
    assert [row[0] for row in zip(*signatures, strict=True)][0] == services["A"].name
    assert all(f"Signé le {start}" in cell or "Signé le" in cell for cell in signatures[2])


def test_the_annex_table_has_the_contracts_themes_as_columns_and_the_six_national_rows(contract):
    paragraphs, tables = read(contract_docx(contract))
    annex = tables[2]
    assert annex[0] == [
        "Thématique(s) retenue(s)",
        "Risques psychosociaux",
        "Troubles musculo-squelettiques",
        "Volet 3",
    ]
    labels = dict(Indicator.objects.values_list("code", "label"))
    assert [row[0] for row in annex[1:]] == [labels[code] for code in VOLET2_ROWS]
    assert annex[2][0].startswith("dont établissements suivis par la caisse régionale")
    conventions = tables[3]
    assert conventions[1] == ["Carsat Bretagne", "Convention TMS Pros", "CB-2025-07", "01/03/2025"]


def test_an_unsigned_draft_shows_placeholders_for_unknown_dates(services, dreets_agent):
    draft = make_draft(services["B"], dreets_agent)
    paragraphs, _ = read(contract_docx(draft))
    assert "Date de signature du CPOM : JJ/MM/AAAA" in paragraphs
    assert "Aucune convention bilatérale n'est annexée au contrat." in paragraphs


def test_the_word_file_costs_the_same_queries_for_2_and_10_actions(contract, dreets_agent):
    from cpom.contracts import lifecycle

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            contract_docx(contract)
        return len(context.captured_queries)

    few = queries()
    lifecycle.open_amendment(
        by=dreets_agent, contract=contract, kind="modification", summary="x", on=timezone.localdate()
    )
    axis = contract.axes.get(kind=AxisKind.PREVENTION)
    for number in range(8):
        services.save_action(
            by=dreets_agent,
            axis=axis,
            data=services.ActionData(title=f"Action {number}", theme=Theme.objects.get(pk="TMS")),
        )
    assert queries() == few


def test_the_word_file_downloads_within_scope_only(contract, dreets_agent, dreets_agent_other_region, login):
    url = reverse("contracts:contract_docx", args=[contract.pk])
    response = login(dreets_agent).get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert login(dreets_agent_other_region).get(url).status_code == 404
