"""Reading CSV uploads the way French users produce them: UTF-8 (with or without BOM), `;` or `,`."""

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class LineError:
    line: int  # 1 is the header line
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


class CsvFormatError(Exception):
    def __init__(self, errors: list[LineError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def read_csv(content: bytes, *, required: list[str], optional: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Decode, detect the delimiter and check the header. Returns (line number, row) pairs."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFormatError(
            [LineError(1, None, "le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »).")]
        ) from error
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CsvFormatError([LineError(1, None, "le fichier est vide ou n'a pas de ligne d'en-tête.")])
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required and name not in optional]
    errors = [LineError(1, name, "colonne obligatoire absente.") for name in missing]
    errors += [
        LineError(1, name, f"colonne inconnue (colonnes possibles : {', '.join(required + optional)}).")
        for name in unknown
    ]
    if errors:
        raise CsvFormatError(errors)
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            errors.append(
                LineError(
                    line,
                    None,
                    f"{len(values)} valeurs pour {len(header)} colonnes (séparateur « {delimiter} »).",
                )
            )
            continue
        rows.append((line, {name: value.strip() for name, value in zip(header, values, strict=True)}))
    if errors:
        raise CsvFormatError(errors)
    if not rows:
        raise CsvFormatError([LineError(2, None, "le fichier ne contient aucune ligne de données.")])
    return rows
