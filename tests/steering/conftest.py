"""The hand-computed year of tests/steering/test_consolidation.py, shared with the dashboard tests."""

from tests.steering.test_consolidation import year_of_reports  # noqa: F401
