"""The hand-computed year of the steering tests, as a world for the security tests."""

from tests.steering.test_consolidation import year_of_reports  # noqa: F401
