"""The hand-computed year of tests/steering/test_consolidation.py, shared with the dashboard tests, and a reader of
a page's table through its CSV download (the same figures as the page)."""

import pytest

from tests.steering.test_consolidation import year_of_reports  # noqa: F401


@pytest.fixture
def read_table():
    def read(client, url: str, slug: str) -> dict[str, dict[str, str]]:
        """{first cell: {column: value}} of the table `slug` of the page at `url`."""
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}tableau={slug}&format=csv")
        assert response.status_code == 200, response.status_code
        header, *lines = [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]
        return {line[0]: dict(zip(header, line, strict=True)) for line in lines}

    return read
