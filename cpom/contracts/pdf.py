"""The A4 PDF of a contract's final text, to be signed (issue 12, signature evidence).

Built from the same data and in the same order as the Word file (`cpom.contracts.document`): preamble and parties,
context, general objectives, axes and action sheets, commitments, indicators, duration, termination, signature
blocks, annex 1 (annual follow-up table, landscape) and annex 2 (bilateral conventions). The HTML comes from the
Django template `contracts/pdf/contract.html` and its print style sheet; WeasyPrint lays it out (pure Python on
Pango, no office suite and no subprocess; CSS paged media gives the A4 pages, the running footer and page numbers).

Every page footer shows the contract reference, the version label and the SHA-256 of the version's content; the
same hash is written in the PDF metadata (`/Keywords` "cpom-sha256:<hash>" and a custom `/cpomcontentsha256` entry),
which `cpom.contracts.evidence` reads back from a signed file. The output carries no creation date: the same
content gives the same text, hash and, in practice, the same bytes."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from weasyprint import HTML

from cpom.indicators.enums import ThemeScope
from cpom.indicators.models import Indicator
from cpom.organisations.models import Approval

from .document import (
    ANNEX_COG_LABEL,
    ANNEX_FALLBACK_LABELS,
    ANNEX_ROWS,
    BLANK_LINES,
    BULLET,
    COMMITMENT_HEADINGS,
    CONSULTED_BODIES,
    DATE_PLACEHOLDER,
    PARTY_ORDER,
    TO_COMPLETE,
    _after_par,
    _date,
    _load,
    _names,
    _sentence_case,
    _theme_rank,
    _Writer,
)
from .enums import AxisKind, CommitmentCategory, PartyRole
from .models import Contract, ContractVersion

SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: Metadata entries that carry the content hash (read back by cpom.contracts.evidence).
KEYWORD_PREFIX = "cpom-sha256:"
CUSTOM_KEY = "cpomcontentsha256"  # <meta name="cpom-content-sha256">, as WeasyPrint names it


# --- text blocks ------------------------------------------------------------------------------------------------
@dataclass
class Block:
    """A paragraph (`lines` kept apart by line breaks) or a bulleted list (`items`)."""

    lines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[Block]:
    """The Word file's reading of free text: paragraphs split on blank lines, a line starting with a dash becomes
    a bullet, other lines of a paragraph are kept apart by a line break."""
    blocks: list[Block] = []
    for chunk in BLANK_LINES.split((text or "").strip()):
        current: Block | None = None
        for line in chunk.splitlines():
            line = line.strip()
            if not line:
                continue
            if BULLET.match(line):
                if current is None or not current.items:
                    current = Block()
                    blocks.append(current)
                current.items.append(BULLET.sub("", line))
            else:
                if current is None or current.items:
                    current = Block()
                    blocks.append(current)
                current.lines.append(line)
    return blocks


def _cell(text: str) -> Block:
    """A table cell: one line per line, a dash becoming a bullet sign (as in the Word file)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return Block(lines=["• " + BULLET.sub("", line) if BULLET.match(line) else line for line in lines])


# --- the data of the document -----------------------------------------------------------------------------------
def _context(contract: Contract, *, content_sha256: str, version_label: str) -> dict:
    parties = sorted(contract.parties.all(), key=lambda p: (PARTY_ORDER.get(p.role, 9), p.organisation.name, p.pk))
    spsti = [p for p in parties if p.role == PartyRole.SPSTI]
    state = [p for p in parties if p.role == PartyRole.STATE]
    caisses = [p for p in parties if p.role == PartyRole.CAISSE]
    state_name = _names([str(p.organisation) for p in state]) or "le service régional de l'État"
    caisse_name = _names([str(p.organisation) for p in caisses]) or "la caisse régionale"
    axes = list(contract.axes.all())
    indicators = list(contract.indicators.all())

    def party(p) -> dict:
        organisation = p.organisation
        feminine = "e" if p.role != PartyRole.SPSTI else ""
        named = ""
        if organisation.short_name and organisation.short_name != organisation.name:
            named = f", ci-après dénommé{feminine} « {organisation.short_name} »"
        seat = ", ".join(part for part in (organisation.address.strip(), organisation.city.strip()) if part)
        return {
            "name": organisation.name,
            "named": named,
            "seat": seat,
            "represented": f"Représenté{feminine} par {_after_par(p.signatory_title)}" if p.signatory_title else "",
            "signatory": p.signatory_title or "",
            "signed_on": _date(p.signed_on) if p.signed_on else "",
            "role": p.get_role_display(),
        }

    ordinal = "re" if contract.generation == 1 else "e"
    opinions = {consultation.body: consultation for consultation in contract.consultations.all()}
    visas = []
    if contract.generation >= 3:
        visas += [
            "Vu la loi n° 2021-1018 du 2 août 2021 pour renforcer la prévention en santé au travail ;",
            "Vu l'instruction conjointe DGT/DRP du 12 juillet 2024 sur les contrats pluriannuels d'objectifs et de "
            "moyens (CPOM) conclus avec les services de prévention et de santé au travail interentreprises ;",
        ]
    else:
        visas.append("Vu la loi n° 2011-867 du 20 juillet 2011 relative à l'organisation de la médecine du travail ;")
    for body, designation in CONSULTED_BODIES.items():
        consultation = opinions.get(body)
        if consultation is None:
            visas.append(f"Vu l'avis {designation} du {DATE_PLACEHOLDER} ;")
        else:
            opinion = consultation.get_opinion_display().lower()
            visas.append(f"Vu l'avis {opinion} {designation} du {_date(consultation.given_on)} ;")

    # axes and action sheets
    spsti_means = f"Moyens mobilisés par {'les SPSTI' if len(spsti) > 1 else 'le SPSTI'}"
    axes_data, pdp_written = [], False
    for axis in axes:
        actions = []
        for action in axis.actions.all():
            rows = [["Thématique", action.theme.label]] if action.theme else []
            rows += [
                ["Objectif", action.objective],
                ["Modalités de mise en œuvre", action.method],
                ["Calendrier", action.calendar],
                [spsti_means, action.means_spsti],
                [f"Moyens mobilisés par {state_name}", action.means_state],
                [f"Moyens mobilisés par {caisse_name}", action.means_caisse],
            ]
            rows = [[label, (value or "").strip() or "À préciser"] for label, value in rows]
            for label, related in (
                ("Actions du PRST", action.prst_actions.all()),
                ("Priorités du projet de service", action.pps_priorities.all()),
                ("Programmes de la COG", action.cog_programmes.all()),
            ):
                items = [str(item) for item in related]
                if items:
                    rows.append([label, "\n".join(f"- {item}" for item in items)])
            actions.append(
                {
                    "heading": f"Fiche action {axis.number}.{action.number} — {action.title}",
                    "rows": [(label, _cell(value)) for label, value in rows],
                }
            )
        pdp_here = axis.kind == AxisKind.PDP and not pdp_written
        pdp_written = pdp_written or pdp_here
        axes_data.append(
            {
                "heading": f"{axis.number}. {axis.title}",
                "description": _blocks(axis.description),
                "actions": actions,
                "pdp": pdp_here,
            }
        )
    count = len(axes)
    verb = "axes d'action ont été définis" if count > 1 else "axe d'action a été défini"

    # commitments
    by_role: dict[str, dict[str, list[str]]] = {}
    for commitment in contract.commitments.all():
        by_role.setdefault(commitment.party_role, {}).setdefault(commitment.category, []).append(commitment.text)
    headings = {PartyRole.STATE: state_name, PartyRole.CAISSE: caisse_name, PartyRole.SPSTI: "SPSTI"}
    commitments = []
    for role in (PartyRole.STATE, PartyRole.CAISSE, PartyRole.SPSTI):
        categories = by_role.get(role)
        if not categories:
            continue
        intro = ""
        if role == PartyRole.SPSTI:
            intro = "Les SPSTI s'engagent à :" if len(spsti) > 1 else "Le SPSTI s'engage à :"
        groups = [
            {"heading": f"{COMMITMENT_HEADINGS[category]} :", "items": [t.strip() for t in categories[category]]}
            for category in CommitmentCategory.values
            if categories.get(category)
        ]
        commitments.append({"heading": headings[role], "intro": intro, "groups": groups})

    # indicators
    indicator_rows = []
    for row in sorted(indicators, key=_Writer._indicator_rank):
        indicator = row.indicator
        targets = row.targets.all()
        indicator_rows.append(
            [
                _cell(indicator.label),
                _cell(row.theme.label if row.theme else "—"),
                _cell(indicator.get_scope_display()),
                _cell(indicator.get_level_display() if indicator.level else "—"),
                _cell("\n".join(f"{target.year} : {target.value}" for target in targets) or "—"),
            ]
        )

    # duration
    end = contract.end or contract.planned_end
    approval_ends = set(
        Approval.objects.filter(spsti_id__in=[p.organisation_id for p in spsti]).values_list("end", flat=True)
    )
    start = f" ({_date(contract.start)})" if contract.start else ""
    duration = (
        "Le présent contrat pluriannuel d'objectifs et de moyens entrera en vigueur à la date de signature"
        f"{start} et prendra fin le {_date(end)}"
    )
    if end is None or end in approval_ends:
        duration += ", date d'échéance de l'agrément du service de santé."
    else:
        duration += ", au plus tard à la date d'échéance de l'agrément du service de santé."
    amendments = [
        f"Avenant n° {a.number} — {a.get_kind_display()} : {a.summary.strip()} (appliqué le {_date(a.applied_on)})"
        for a in getattr(contract, "applied_amendments", [])
    ]

    termination = getattr(contract, "termination", None)
    termination_data = None
    if termination is not None:
        termination_data = {
            "text": (
                f"Le présent contrat a été dénoncé par {termination.party.organisation.name} par courrier recommandé "
                f"avec accusé de réception (référence {termination.registered_letter_reference}) notifié le "
                f"{_date(termination.notified_on)}, avec effet au {_date(termination.effective_on)}."
            ),
            "reason": termination.reason.strip(),
        }

    # annex 1
    themes = {
        action.theme.code: action.theme
        for axis in axes
        if axis.kind == AxisKind.PREVENTION
        for action in axis.actions.all()
        if action.theme and action.theme.scope == ThemeScope.PREVENTION
    }
    themes |= {
        row.theme.code: row.theme
        for row in indicators
        if row.theme is not None and row.theme.scope == ThemeScope.PREVENTION
    }
    columns = [theme.label for theme in sorted(themes.values(), key=_theme_rank)]
    volet3 = next((axis for axis in axes if axis.kind == AxisKind.INTERCONNAISSANCE), None)
    if volet3 is not None:
        columns.append(f"Volet 3 — {volet3.title}")
    catalogue = dict(Indicator.objects.filter(code__in=ANNEX_ROWS).values_list("code", "label"))
    annex_labels = [
        _sentence_case(catalogue.get(code) or ANNEX_FALLBACK_LABELS.get(code, ANNEX_COG_LABEL)) for code in ANNEX_ROWS
    ]

    conventions = sorted(
        contract.conventions.all(), key=lambda c: (c.signed_on is None, c.signed_on or dt.date.min, c.pk)
    )
    all_parties = [party(p) for p in parties]
    return {
        "contract": {
            "reference": contract.reference,
            "title": contract.title,
            "region": contract.region.name,
            "generation": f"{contract.generation}{ordinal}",
            "draft_notice": ""
            if contract.is_signed
            else f"Projet de contrat (version de travail n° {contract.version}) — document non signé.",
            "author": state_name if state else "Plateforme CPOM",
        },
        "version_label": version_label,
        "content_sha256": content_sha256,
        "keywords": f"CPOM, {contract.reference}, {KEYWORD_PREFIX}{content_sha256}",
        "first_parties": [party(p) for p in spsti],
        "other_parties": [party(p) for p in state + caisses],
        "visas": visas,
        "context": _blocks(contract.context),
        "general_objectives": _blocks(contract.general_objectives),
        "axes_intro": (
            "Conformément à l'instruction nationale précitée et aux orientations définies régionalement, "
            f"{count} {verb} :"
        ),
        "axes": axes_data,
        "pdp_cell": _blocks(contract.pdp_cell_composition),
        "pdp_after_axes": not pdp_written,
        "commitments": commitments,
        "indicators": indicator_rows,
        "duration": duration,
        "amendments": amendments,
        "amendments_intro": "Le présent contrat a été modifié par avenant :"
        if len(amendments) == 1
        else "Le présent contrat a été modifié par les avenants suivants :",
        "termination": termination_data,
        "signature_place": contract.signature_place.strip() or "…",
        "signature_date": _date(contract.start),
        "copies": len(parties) + 1,
        "signatories": all_parties,
        "annex_start": _date(contract.start),
        "annex_end": _date(contract.end or contract.planned_end),
        "annex_columns": columns,
        "annex_volet3": volet3 is not None,
        "annex_rows": annex_labels,
        "conventions": [[str(c.caisse), c.title, c.reference or "—", _date(c.signed_on)] for c in conventions],
        "to_complete": TO_COMPLETE,
    }


def contract_pdf(
    contract: Contract, *, content_sha256: str, version_label: str, version: ContractVersion | None = None
) -> bytes:
    """The contract's final text as an A4 PDF for signing (bytes). `content_sha256` is the SHA-256 (64 lowercase
    hexadecimal characters) of the version's content, printed in every page footer and stored in the metadata;
    `version_label` names the version (e.g. "Version 2 — avenant n° 1")."""
    content_sha256 = content_sha256.strip().lower()
    if not SHA256.match(content_sha256):
        raise ValueError("content_sha256 must be 64 hexadecimal characters")
    loaded = _load(contract, version)
    html = render_to_string(
        "contracts/pdf/contract.html",
        _context(loaded, content_sha256=content_sha256, version_label=version_label),
    )
    return HTML(string=html, base_url=None).write_pdf(custom_metadata=True)
