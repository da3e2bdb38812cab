"""Values and files the way French users type and save them."""

import datetime as dt
import io
from collections.abc import Iterator

import pytest

from cpom.core.csvfiles import MAX_ERRORS, NOT_UTF8, CsvFormatError, LineError, LineErrors, read_csv
from cpom.core.dates import add_months, add_years
from cpom.core.parsing import parse_count, parse_french_date, parse_yes_no


@pytest.mark.parametrize(
    "typed", ["18300000", "18 300 000", "18\u202f300\u202f000", "18\u00a0300\u00a0000", " 18 300 000 "]
)
def test_a_count_may_be_typed_with_french_thousand_separators(typed):
    assert parse_count(typed) == 18_300_000


@pytest.mark.parametrize("typed", ["-3", "1,5", "douze", "", "18.300"])
def test_a_count_that_is_not_a_whole_number_is_refused_in_french(typed):
    with pytest.raises(ValueError, match="n'est pas un nombre entier positif ou nul"):
        parse_count(typed)


def test_a_date_is_read_as_dd_mm_yyyy_or_iso():
    assert parse_french_date("31/12/2025") == parse_french_date("2025-12-31") == dt.date(2025, 12, 31)
    for typed in ("12/31/2025", "31-12-2025", "31/12/25", "demain"):
        with pytest.raises(ValueError, match="n'est pas une date au format JJ/MM/AAAA"):
            parse_french_date(typed)


def test_yes_and_no_are_read_in_french():
    assert [parse_yes_no(value) for value in ("oui", "OUI", "o", "1", "non", "", "Non")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueError, match="répondez « oui » ou « non »"):
        parse_yes_no("peut-être")


def test_months_and_years_are_added_without_inventing_days():
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)
    assert add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)


def test_a_csv_file_is_read_with_semicolons_commas_and_a_bom():
    for content in (b"a;b\n1;2\n", b"a,b\n1,2\n", "\ufeffa;b\r\n1;2\r\n".encode()):
        assert list(read_csv(content, required=["a"], optional=["b"])) == [(2, {"a": "1", "b": "2"})]


def test_blank_lines_are_skipped_and_line_numbers_kept():
    rows = list(read_csv(b"a;b\n1;2\n\n;\n3;4\n", required=["a", "b"], optional=[]))
    assert rows == [(2, {"a": "1", "b": "2"}), (5, {"a": "3", "b": "4"})]


def test_a_csv_file_with_a_wrong_header_is_refused_column_by_column():
    with pytest.raises(CsvFormatError) as error:
        read_csv(b"a;c\n1;2\n", required=["a", "b"], optional=[])
    assert [str(line) for line in error.value.errors] == [
        "ligne 1, colonne « b » : colonne obligatoire absente.",
        "ligne 1, colonne « c » : colonne inconnue (colonnes possibles : a, b).",
    ]


def test_a_line_with_the_wrong_number_of_values_is_refused():
    with pytest.raises(CsvFormatError) as error:
        list(read_csv(b"a;b\n1;2;3\n", required=["a", "b"], optional=[]))
    assert error.value.errors == [LineError(2, None, "3 valeurs pour 2 colonnes (séparateur « ; »).")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a;b\néte;1\n".encode("latin-1"), "le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »)."),
        (b"", "le fichier est vide ou n'a pas de ligne d'en-tête."),
        (b"a;b\n", "le fichier ne contient aucune ligne de données."),
    ],
)
def test_an_unreadable_or_empty_file_is_refused_in_french(content, message):
    with pytest.raises(CsvFormatError) as error:
        list(read_csv(content, required=["a"], optional=["b"]))
    assert [line.message for line in error.value.errors] == [message]


def test_a_csv_file_object_is_read_as_a_stream_and_left_open():
    file = io.BytesIO("\ufeffa;b\r\n1;2\r\n".encode() + b"3;4\r\n" * 100_000)
    rows = read_csv(file, required=["a"], optional=["b"])
    assert isinstance(rows, Iterator)
    assert next(rows) == (2, {"a": "1", "b": "2"})
    assert file.tell() < 100_000  # the rest of the file is still unread
    assert sum(1 for _ in rows) == 100_000
    assert not file.closed


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_byte_that_is_not_utf8_is_named_by_its_line_however_far_in_the_file(newline):
    lines = ["a;b"] + [f"{n};été" for n in range(2, 5001)]
    content = newline.join(lines[:3000]).encode() + newline.encode() + lines[3000].encode("latin-1")
    content += newline.encode() + newline.join(lines[3001:]).encode() + newline.encode()
    rows = read_csv(io.BytesIO(content), required=["a", "b"], optional=[])
    with pytest.raises(CsvFormatError) as error:
        list(rows)
    assert error.value.errors == [LineError(3001, None, NOT_UTF8)]
    assert str(error.value.errors[0]).startswith("ligne 3001 : le fichier n'est pas encodé en UTF-8")


def test_a_byte_that_is_not_utf8_in_the_header_is_refused_at_once():
    with pytest.raises(CsvFormatError) as error:
        read_csv(b"a;\xe9\n1;2\n", required=["a"], optional=["\u00e9"])
    assert error.value.errors == [LineError(1, None, NOT_UTF8)]


def test_lines_with_the_wrong_number_of_values_are_counted_past_the_first_two_hundred():
    with pytest.raises(CsvFormatError) as error:
        list(read_csv(b"a;b\n1;2\n" + b"1;2;3\n" * 500, required=["a", "b"], optional=[]))
    assert (len(error.value.errors), error.value.total) == (MAX_ERRORS, 500)
    assert [e.line for e in error.value.errors] == list(range(3, 3 + MAX_ERRORS))


def test_errors_gathered_out_of_order_keep_the_first_lines():
    errors = LineErrors(limit=3)
    for line in (9, 4, 7, 2, 4, 8):
        errors.add(LineError(line, None, str(line)))
    refusal = errors.refusal()
    assert [(e.line, e.message) for e in refusal.errors] == [(2, "2"), (4, "4"), (4, "4")]
    assert refusal.total == 6
