"""Two real concurrent transactions on PostgreSQL writing the same contract draft, or the same report: the
second writer waits for the first, then is refused with the other's changes — never a silent overwrite."""

import threading
import time

import pytest
from django.db import connection, transaction

from cpom.contracts import lifecycle
from cpom.contracts import services as content
from cpom.contracts.models import Contract
from cpom.core.errors import DomainError
from cpom.reports.expected import ensure_reports
from cpom.reports.models import Report, Value
from cpom.reports.services import StaleReport, save_values
from tests.contracts.test_journal import TODAY, terms
from tests.contracts.test_pages import make_draft, sign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Transactions concurrentes réelles : seulement sur PostgreSQL (CI : DATABASE_URL=postgresql://…).")


def race(first, second) -> dict:
    """Runs `first` in a thread that takes the row lock and holds it 0.5 s, and `second` in another thread that
    starts once the lock is held; returns what each returned or raised."""
    locked, results = threading.Event(), {}

    def run(name, function, *, hold: bool):
        try:
            with transaction.atomic():
                results[name] = function(locked if hold else None)
                if hold:
                    time.sleep(0.5)  # keep the lock: the other writer must wait, not slip in
        except Exception as error:  # noqa: BLE001 — the outcome is what the test compares
            results[name] = error
        finally:
            locked.set()
            connection.close()

    one = threading.Thread(target=run, args=("first", first), kwargs={"hold": True})
    one.start()
    assert locked.wait(10)
    two = threading.Thread(target=run, args=("second", second), kwargs={"hold": False})
    started = time.monotonic()
    two.start()
    one.join(20), two.join(20)
    results["second_waited"] = time.monotonic() - started
    return results


def test_two_agents_saving_the_same_contract_draft(services, dreets_agent):
    contract = make_draft(services["A"], dreets_agent)
    seen = Contract.objects.get(pk=contract.pk).version

    def first(locked):
        lifecycle.check_version(contract, seen)
        content.update_general_terms(by=dreets_agent, contract=contract, terms=terms(contract, context="A"), on=TODAY)
        locked.set()

    def second(_):
        lifecycle.check_version(contract, seen)
        content.update_general_terms(by=dreets_agent, contract=contract, terms=terms(contract, context="B"), on=TODAY)

    results = race(first, second)
    assert results["first"] is None
    assert isinstance(results["second"], DomainError), results["second"]
    assert "modifié depuis que vous avez ouvert cette page" in results["second"].message
    assert "« A »" in results["second"].message, "the refusal names the other writer's change"
    assert results["second_waited"] >= 0.3, "the second writer waited for the first one's transaction"
    assert Contract.objects.get(pk=contract.pk).context == "A"


def test_two_writers_saving_the_same_report(services, dreets_agent):
    sign(make_draft(services["A"], dreets_agent), dreets_agent)
    ensure_reports(TODAY.year)
    report = Report.objects.get(spsti=services["A"], year=TODAY.year)

    def first(locked):
        save_values(by=None, report=report, values={"ETAB_FORMES|TMS": "12"}, version=1)
        locked.set()

    def second(_):
        save_values(by=None, report=report, values={"ETAB_FORMES|TMS": "99"}, version=1)

    results = race(first, second)
    assert not isinstance(results["first"], Exception), results["first"]
    assert isinstance(results["second"], StaleReport), results["second"]
    assert [change.after for change in results["second"].changes] == ["12"]
    assert Value.objects.get(report=report, indicator_id="ETAB_FORMES", theme_id="TMS").integer == 12
    assert Report.objects.get(pk=report.pk).version == 2
