"""Fixtures shared with other test packages."""

from tests.steering.test_consolidation import year_of_reports  # noqa: F401
