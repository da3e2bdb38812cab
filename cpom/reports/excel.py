"""Excel template of a report, laid out like the annex table of contract 004, and its upload.

The workbook carries the report's identity (a hidden sheet, signed with the server's key) so that a file cannot
be uploaded to another report, and the position of every case, so that moving a row does not shift values.
Reading is bounded before openpyxl opens the file: size, uncompressed size, number of sheets, and the rows,
columns and cells of every sheet (counted by a streaming pass that stops at the first excess); XML with a
document type (entity declarations) is refused. Then read-only mode, and any parse error is a French refusal.
Writing: every text is written as text (never a formula) and without the characters XML cannot hold.
"""

import datetime as dt
import hashlib
import hmac
import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import iterparse

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cpom.core.exports import text_cell
from cpom.core.text import LONG_TEXT, text_problem

from .enums import ProgressStatus
from .layout import report_layout
from .models import Report
from .services import check_values, current_values

MAX_BYTES = 5_000_000
MAX_UNCOMPRESSED = 50_000_000
# The template of the largest contract has ~300 rows and 2 + (number of themes) columns: these bounds leave a wide
# margin and keep the worst accepted file to a fraction of a second of a worker (README, "Sécurité").
MAX_SHEETS = 10
MAX_ROWS = 5_000  # per sheet (highest row number, so an empty gap counts too)
MAX_COLUMNS = 50  # highest column number
MAX_CELLS = 50_000  # over the whole workbook
MAIN = "Rapport"
IDENTITY = "_identite"
CASES = "_cases"
HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")
BOLD = Font(bold=True)


def _signature(report: Report) -> str:
    message = f"{report.pk}:{report.year}:{report.spsti_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def build_template(report: Report) -> bytes:
    layout = report_layout(report)
    values = current_values(report)
    book = Workbook()
    sheet = book.active
    sheet.title = MAIN
    cases: list[tuple[str, str]] = []
    text_cell(sheet, 1, 1, f"Tableau de suivi annuel {report.year} — {report.spsti.name}").font = Font(
        bold=True, size=14
    )
    text_cell(
        sheet,
        2,
        1,
        f"Contrat {report.contract.reference} · SIRET {report.spsti.siret} · "
        "saisissez les nombres entiers et les dates au format JJ/MM/AAAA, puis déposez le fichier sur la plateforme.",
    )
    row = 4
    if layout.themes:
        text_cell(sheet, row, 1, "Volet 2 — thématique(s) retenue(s)").font = BOLD
        for column, theme in enumerate(layout.themes, start=2):
            cell = text_cell(sheet, row, column, theme.label)
            cell.font, cell.fill = BOLD, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True)
        for indicator, cells in layout.volet2:
            row += 1
            text_cell(sheet, row, 1, ("    " if indicator.parent_id else "") + indicator.label)
            columns = {theme.code: column for column, theme in enumerate(layout.themes, start=2)}
            for case in cells:
                column = columns[case.theme.code]
                text_cell(sheet, row, column, _initial(values.get(case.key), case.indicator.value_type))
                cases.append((case.key, f"{get_column_letter(column)}{row}"))
        row += 2
    for title, cells in layout.blocks:
        text_cell(sheet, row, 1, title).font = BOLD
        for case in cells:
            row += 1
            label = case.indicator.label + (f" ({case.theme.label})" if case.theme and case.theme.code != "PDP" else "")
            text_cell(sheet, row, 1, label)
            text_cell(sheet, row, 2, _initial(values.get(case.key), case.indicator.value_type))
            cases.append((case.key, f"B{row}"))
        row += 2
    if layout.comments:
        text_cell(sheet, row, 1, "Commentaires par thématique").font = BOLD
        for case in layout.comments:
            row += 1
            text_cell(sheet, row, 1, case.theme.label if case.theme else "Commentaire")
            text_cell(sheet, row, 2, values.get(case.key, "")).alignment = Alignment(wrap_text=True)
            cases.append((case.key, f"B{row}"))
        row += 2
    if layout.actions:
        text_cell(sheet, row, 1, "Avancement des actions").font = BOLD
        text_cell(sheet, row, 2, "Avancement").font = BOLD
        text_cell(sheet, row, 3, "Commentaire").font = BOLD
        progress = {p.action_id: p for p in report.progress.all()}
        choices = DataValidation(
            type="list", formula1='"' + ",".join(label for _, label in ProgressStatus.choices) + '"', allow_blank=True
        )
        sheet.add_data_validation(choices)
        labels = dict(ProgressStatus.choices)
        for action in layout.actions:
            row += 1
            text_cell(sheet, row, 1, f"{action.axis.number}.{action.number} {action.title}")
            current = progress.get(action.pk)
            text_cell(sheet, row, 2, labels.get(current.status, "") if current else "")
            text_cell(sheet, row, 3, current.comment if current else "")
            choices.add(f"B{row}")
            cases.append((f"action-{action.pk}", f"B{row}:C{row}"))
    sheet.column_dimensions["A"].width = 70
    for column in range(2, 2 + max(len(layout.themes), 2)):
        sheet.column_dimensions[get_column_letter(column)].width = 22
    identity = book.create_sheet(IDENTITY)
    for key, value in [
        ("rapport", report.pk),
        ("annee", report.year),
        ("siret", report.spsti.siret),
        ("contrat", report.contract.reference),
        ("version", report.version),
        ("signature", _signature(report)),
    ]:
        identity.append([key, value])
    identity.sheet_state = "hidden"
    mapping = book.create_sheet(CASES)
    for key, where in cases:
        mapping.append([key, where])  # keys and coordinates: the platform's own identifiers
    mapping.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _initial(value: str | None, value_type: str):
    if value is None or value == "":
        return None
    if value_type == "entier":
        return int(value)
    return value


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    before: str
    after: str


@dataclass
class Upload:
    values: dict[str, str]
    progress: dict[int, tuple[str, str]]
    version: int
    changes: list[Change]
    errors: list[str]


class UnreadableWorkbook(Exception):
    pass


def _open(content: bytes):
    if len(content) > MAX_BYTES:
        raise UnreadableWorkbook(f"Le fichier dépasse {MAX_BYTES // 1_000_000} Mo.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise UnreadableWorkbook("Le fichier décompressé est anormalement volumineux : il est refusé.")
            _check_bounds(archive)
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except UnreadableWorkbook:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _unreadable() from error


def _unreadable() -> "UnreadableWorkbook":
    return UnreadableWorkbook(
        "Le fichier n'est pas un classeur Excel (.xlsx) lisible : téléchargez à nouveau le modèle."
    )


_SHEET_PART = re.compile(r"^xl/(worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml$")
_REFERENCE = re.compile(r"^\$?([A-Z]{1,3})?\$?(\d+)?$")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_bounds(archive: zipfile.ZipFile) -> None:
    """Counts sheets, rows, columns and cells from the XML itself, streaming and stopping at the first excess, so
    that a file is refused in the time it takes to read up to the bound — not the whole file."""
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise UnreadableWorkbook(
                    "Le fichier contient des déclarations XML (DOCTYPE, entités) qu'un classeur Excel n'a pas : "
                    "il est refusé."
                )
    sheets = [info for info in archive.infolist() if _SHEET_PART.match(info.filename)]
    if len(sheets) > MAX_SHEETS:
        raise UnreadableWorkbook(f"Le classeur compte {len(sheets)} feuilles : le modèle en a 3, {MAX_SHEETS} au plus.")
    cells = 0
    for info in sheets:
        rows_seen = 0
        with archive.open(info) as part:
            for _event, element in iterparse(part, events=("end",)):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "c":
                    cells += 1
                    match = _REFERENCE.match(element.get("r", ""))
                    if match and match.group(1) and _column_number(match.group(1)) > MAX_COLUMNS:
                        raise _too_large(f"une cellule est au-delà de la colonne {get_column_letter(MAX_COLUMNS)}")
                    if cells > MAX_CELLS:
                        raise _too_large(f"il compte plus de {MAX_CELLS:,} cellules remplies")
                elif tag == "row":
                    rows_seen += 1
                    number = element.get("r", "")
                    if rows_seen > MAX_ROWS or (number.isdigit() and int(number) > MAX_ROWS):
                        raise _too_large(f"une feuille dépasse {MAX_ROWS:,} lignes")
                    element.clear()


def _too_large(reason: str) -> "UnreadableWorkbook":
    return UnreadableWorkbook(
        f"Le classeur est bien plus grand qu'un modèle de rapport ({reason}) : il est refusé sans être lu. "
        "Téléchargez à nouveau le modèle et ne saisissez que les cases prévues.".replace(",", "\u202f")
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_upload(report: Report, content: bytes) -> Upload:
    """Values of the workbook for `report`, the changes they make and the errors by sheet and cell."""
    book = _open(content)
    try:
        if IDENTITY not in book.sheetnames or CASES not in book.sheetnames or MAIN not in book.sheetnames:
            raise UnreadableWorkbook("Ce classeur n'est pas un modèle de rapport de la plateforme.")
        identity = {str(k): v for k, v, *_ in book[IDENTITY].iter_rows(values_only=True) if k}
        if str(identity.get("rapport")) != str(report.pk) or identity.get("signature") != _signature(report):
            raise UnreadableWorkbook(
                f"Ce fichier est le modèle d'un autre rapport (rapport {identity.get('annee', '?')} du SIRET "
                f"{identity.get('siret', '?')}) : téléchargez le modèle de celui-ci."
            )
        mapping = [(str(k), str(w)) for k, w, *_ in book[CASES].iter_rows(values_only=True) if k]
        grid = {}
        for row in book[MAIN].iter_rows():
            for cell in row:
                if getattr(cell, "coordinate", None) is not None and cell.value is not None:
                    grid[cell.coordinate] = cell.value
    except UnreadableWorkbook:
        raise
    except Exception as error:  # read-only sheets are parsed here, lazily: a broken sheet raises ParseError & co.
        raise _unreadable() from error
    finally:
        book.close()
    values, progress, where = {}, {}, {}
    labels = {label: value for value, label in ProgressStatus.choices}
    errors = []
    for key, coordinate in mapping:
        if key.startswith("action-"):
            status_cell, comment_cell = coordinate.split(":")
            status_label = _text(grid.get(status_cell))
            if status_label and status_label not in labels:
                errors.append(f"Feuille « {MAIN} », cellule {status_cell} : avancement « {status_label} » inconnu.")
                continue
            comment = _text(grid.get(comment_cell))
            if problem := text_problem(comment, limit=LONG_TEXT):
                errors.append(f"Feuille « {MAIN} », cellule {comment_cell} : {problem}")
                continue
            progress[int(key.removeprefix("action-"))] = (labels.get(status_label, ""), comment)
        else:
            values[key] = _text(grid.get(coordinate))
            where[key] = coordinate
            if problem := text_problem(values[key], limit=LONG_TEXT):
                errors.append(f"Feuille « {MAIN} », cellule {coordinate} : {problem}")
    before = current_values(report)
    layout = report_layout(report)
    _typed, problems = check_values(report, values, layout)
    for problem in problems:
        errors.append(f"Feuille « {MAIN} », cellule {where.get(problem.key, '?')} : {problem.message}")
    layout_labels = {
        cell.key: cell.indicator.label + (f" — {cell.theme.label}" if cell.theme else "") for cell in layout.cells()
    }
    changes = [
        Change(key, layout_labels.get(key, key), before.get(key, ""), after)
        for key, after in values.items()
        if before.get(key, "") != after
    ]
    version = identity.get("version")
    return Upload(
        values=values,
        progress=progress,
        version=int(version) if str(version).isdigit() else 0,
        changes=changes,
        errors=errors,
    )
