"""Reading CSV uploads the way French users produce them: UTF-8 (with or without BOM), `;` or `,`.

Files are read as a stream: `read_csv` takes bytes or a binary file (an upload, an open file), decodes it as it
goes and yields its rows one at a time, so the memory it holds does not depend on the size of the file.
"""

import csv
import heapq
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .text import LONG_TEXT, text_problem

MAX_ERRORS = 200  # errors kept to be shown (the first ones by line); the others are only counted
NOT_UTF8 = "le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »)."
# Bytes that are not UTF-8 are decoded with errors="surrogateescape" into lone surrogates U+DC80–U+DCFF, which
# valid UTF-8 never produces: finding one in a line names the line the bad byte is on.
_NOT_UTF8_BYTE = re.compile("[\udc80-\udcff]")


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
    """The file is refused. `errors` (sorted by line) may be the first ones only: `total` counts them all."""

    def __init__(self, errors: list[LineError], total: int | None = None):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors
        self.total = len(errors) if total is None else max(total, len(errors))


class LineErrors:
    """Errors gathered in any order: keeps the `limit` first ones by line (ties in the order they came) and counts
    them all, so that a file wrong on every line costs no more memory than one wrong on a few."""

    def __init__(self, limit: int = MAX_ERRORS):
        self.limit = limit
        self.total = 0
        self._kept: list[tuple[int, int, object]] = []  # heap of (-line, -order, error): the last kept on top

    def add(self, error) -> None:
        """`error` has a `line`: a LineError, or anything the caller turns into one in `sorted()`."""
        self.total += 1
        item = (-error.line, -self.total, error)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, item)
        elif item[:2] > self._kept[0][:2]:
            heapq.heapreplace(self._kept, item)

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def sorted(self) -> list:
        return [error for _, _, error in sorted(self._kept, key=lambda item: item[:2], reverse=True)]

    def refusal(self) -> CsvFormatError:
        return CsvFormatError(self.sorted(), total=self.total)


def read_csv(
    content: bytes | BinaryIO, *, required: list[str], optional: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Decode, detect the delimiter and check the header now (raising CsvFormatError); returns a generator of
    (line number, row) pairs read from the stream as they are asked for.

    While iterating, a byte that is not UTF-8 raises CsvFormatError naming its line as soon as that line is
    read; lines with the wrong number of values are reported all together once the file has been read (rows
    stop being yielded after the first such line), as is a file without data lines. A caller that refuses the
    whole file on any error must therefore read the generator to its end before keeping anything.
    """
    if isinstance(content, bytes | bytearray | memoryview):
        stream = io.BytesIO(content)
    else:
        stream = io.BufferedReader(_Borrowed(content))
    # newline="": the csv module sees the line endings as they are (\n, \r\n or \r), and counts lines itself.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    first = text.readline()
    if _NOT_UTF8_BYTE.search(first):
        raise CsvFormatError([LineError(1, None, NOT_UTF8)])
    if not first.strip():
        raise CsvFormatError([LineError(1, None, "le fichier est vide ou n'a pas de ligne d'en-tête.")])
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(_checked_lines(first, text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(_read(reader))]
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required and name not in optional]
    errors = [LineError(1, name, "colonne obligatoire absente.") for name in missing]
    errors += [
        LineError(1, name, f"colonne inconnue (colonnes possibles : {', '.join(required + optional)}).")
        for name in unknown
    ]
    if errors:
        raise CsvFormatError(errors)
    return _rows(reader, header, delimiter)


def _checked_lines(first: str, text: io.TextIOWrapper) -> Iterator[str]:
    yield first
    for number, line in enumerate(text, start=2):
        if _NOT_UTF8_BYTE.search(line):
            raise CsvFormatError([LineError(number, None, NOT_UTF8)])
        yield line


UNREADABLE_LINE = (
    "ligne illisible : une cellule dépasse 131 072 caractères ou un guillemet n'est pas refermé (le fichier est "
    "refusé à partir d'ici)."
)


def _read(reader) -> Iterator[list[str]]:
    """The reader's rows; a line the csv module cannot parse (a huge cell, an unclosed quote) is refused with
    its line, not raised as csv.Error."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvFormatError([LineError(reader.line_num, None, UNREADABLE_LINE)]) from error


def _rows(reader, header: list[str], delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    errors = LineErrors()
    rows = 0
    for values in _read(reader):
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            message = f"{len(values)} valeurs pour {len(header)} colonnes (séparateur « {delimiter} »)."
            errors.add(LineError(line, None, message))
            continue
        rows += 1
        for name, value in zip(header, values, strict=True):
            if problem := text_problem(value, limit=LONG_TEXT):
                errors.add(LineError(line, name, problem))
        if not errors:  # the file is refused anyway: its remaining lines are only checked
            yield line, {name: value.strip() for name, value in zip(header, values, strict=True)}
    if errors:
        raise errors.refusal()
    if not rows:
        raise CsvFormatError([LineError(2, None, "le fichier ne contient aucune ligne de données.")])


class _Borrowed(io.RawIOBase):
    """The caller's binary file (an open file, a Django upload: anything with `read`), read through as is and
    never closed here — a TextIOWrapper closes the stream under it when it is itself closed or collected."""

    def __init__(self, file):
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
