"""The hand-computed year of the steering tests, which the scale tests multiply."""

from tests.steering.test_consolidation import year_of_reports  # noqa: F401
