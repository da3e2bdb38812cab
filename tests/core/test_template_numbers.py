"""Numbers are shown with a thousands separator (USE_THOUSAND_SEPARATOR); an identifier or a version written into
an attribute for the server to read back must not be ("1 234" is not 1234)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "cpom" / "templates"
MACHINE_NUMBER = re.compile(r'="[^"]*\{\{\s*[\w.]*(\.pk|\.id|_id|version)\s*\}\}')


def test_ids_and_versions_in_attributes_are_written_as_plain_digits():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if MACHINE_NUMBER.search(line)
    ]
    assert offenders == [], 'écrire ces nombres avec |stringformat:"d" :\n' + "\n".join(offenders)
