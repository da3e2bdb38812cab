"""Shared fixtures: the reference data, the people of DESIGN §2 and the services they look at.

The reference data (regions, departments, institutions, themes, indicators) is loaded by `load_reference()`
once per session; its rows are then kept in memory and replayed with one bulk insert per table in every test
that asks for them. Replaying inside the test's own transaction keeps the usual isolation (rolled back after a
`db` test, flushed after a `transactional_db` one) on SQLite and PostgreSQL alike, and the tests of the demo
generator, which need an empty database, are not affected.
"""

import re

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client

from cpom.accounts.enums import Role
from cpom.reference.loader import load_reference

from .factories import ApprovalFactory, SpstiFactory, UserFactory, organisation

_snapshot: list[tuple[type, list[dict]]] | None = None


def _tables() -> list[type]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.parents
    ]


def _counts() -> dict[type, int]:
    return {model: model._base_manager.count() for model in _tables()}


def _load_and_snapshot() -> None:
    global _snapshot
    before = _counts()
    load_reference()
    after = _counts()
    filled = [model for model in _tables() if after[model] != before[model]]
    if any(before[model] for model in filled):
        return  # the loader changed a table that was not empty: replaying it would not be faithful
    _snapshot = [
        (model, list(model._base_manager.values(*[field.attname for field in model._meta.concrete_fields])))
        for model in filled
    ]


def _replay() -> None:
    # Foreign keys are DEFERRABLE INITIALLY DEFERRED on both backends: inside one transaction (needed by
    # transactional tests, a savepoint otherwise) the order of the tables does not matter.
    with transaction.atomic():
        for model, rows in _snapshot:
            model._base_manager.bulk_create([model(**row) for row in rows])
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [model for model, _ in _snapshot]):
                cursor.execute(sql)


@pytest.fixture
def reference(db):
    """Regions, departments, DREETS (ETAT-xx), ARS, CRPST, caisses, DGT/CNAM/CNPST, themes, indicators."""
    if _snapshot is None:
        _load_and_snapshot()
    else:
        _replay()


# Variables read by django-dsfr's own templates with a `|default` filter or an optional nonce: they render
# their default outside the tests (string_if_invalid is "" there), so they are not errors of this project.
DSFR_OPTIONAL_VARIABLES = {"self.root_dir", "field.field.widget.group_class", "request.csp_nonce"}


def assert_no_invalid_variable(response) -> None:
    """The test settings print unknown template variables: none of the project's may appear in a page."""
    found = set(re.findall(r"INVALID_TEMPLATE_VARIABLE ([\w.]+)", response.content.decode()))
    assert found <= DSFR_OPTIONAL_VARIABLES, f"variables inconnues : {sorted(found - DSFR_OPTIONAL_VARIABLES)}"


def log_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():
    """`login(user)` returns a Client signed in as `user`."""
    return log_in


# --- Services ----------------------------------------------------------------------------------------------


@pytest.fixture
def service_a(reference):
    """Service A: Bretagne, headquarters in Ille-et-Vilaine (35), approved."""
    spsti = SpstiFactory(
        name="Prévention Santé Travail Ille-et-Vilaine",
        department="35",
        departments=["35"],
        city="Rennes",
        employees_followed=18_300_000,
        member_companies=12_345,
    )
    ApprovalFactory(spsti=spsti)
    return spsti


@pytest.fixture
def service_b(reference):
    """Service B: Bretagne, Finistère (29), approved."""
    spsti = SpstiFactory(name="Santé au travail du Finistère", department="29", departments=["29"], city="Brest")
    ApprovalFactory(spsti=spsti)
    return spsti


@pytest.fixture
def idf_service(reference):
    """A Paris service (Île-de-France, 75), approved."""
    spsti = SpstiFactory(name="Service interentreprises de Paris", department="75", departments=["75"], city="Paris")
    ApprovalFactory(spsti=spsti)
    return spsti


@pytest.fixture
def services(service_a, service_b, idf_service):
    return {"A": service_a, "B": service_b, "IDF": idf_service}


# --- People (DESIGN §2) ------------------------------------------------------------------------------------


@pytest.fixture
def spsti_referent(service_a):
    return UserFactory(email="referent-a@cpom.test", role=Role.SPSTI_REFERENT, organisation=service_a)


@pytest.fixture
def other_spsti_referent(service_b):
    return UserFactory(email="referent-b@cpom.test", role=Role.SPSTI_REFERENT, organisation=service_b)


@pytest.fixture
def dreets_agent(reference):
    return UserFactory(email="agent@dreets-bretagne.test", role=Role.DREETS_AGENT, organisation=organisation("ETAT-53"))


@pytest.fixture
def dreets_agent_other_region(reference):
    return UserFactory(email="agent@drieets-idf.test", role=Role.DREETS_AGENT, organisation=organisation("ETAT-11"))


@pytest.fixture
def caisse_agent(reference):
    return UserFactory(
        email="agent@carsat-bretagne.test", role=Role.CAISSE_AGENT, organisation=organisation("CARSAT-BR")
    )


@pytest.fixture
def regional_pilot(reference):
    return UserFactory(
        email="pilote@dreets-bretagne.test", role=Role.REGIONAL_PILOT, organisation=organisation("ETAT-53")
    )


@pytest.fixture
def ars_reader(reference):
    return UserFactory(email="lecteur@ars-bretagne.test", role=Role.ARS_READER, organisation=organisation("ARS-53"))


@pytest.fixture
def social_partner(reference):
    return UserFactory(
        email="membre@crpst-bretagne.test", role=Role.SOCIAL_PARTNER, organisation=organisation("CRPST-53")
    )


@pytest.fixture
def national(reference):
    return UserFactory(email="cellule@dgt.test", role=Role.NATIONAL, organisation=organisation("DGT"))


@pytest.fixture
def admin(reference):
    return UserFactory(email="admin@cpom.test", role=Role.ADMIN, organisation=None)


PERSONAS = [
    "spsti_referent",
    "other_spsti_referent",
    "dreets_agent",
    "dreets_agent_other_region",
    "caisse_agent",
    "regional_pilot",
    "ars_reader",
    "social_partner",
    "national",
    "admin",
]


@pytest.fixture
def as_persona(request, login):
    """`as_persona("dreets_agent")` returns a Client signed in as that persona; `None` an anonymous Client."""

    def client_for(name: str | None) -> Client:
        if name is None:
            return Client()
        return login(request.getfixturevalue(name))

    return client_for


@pytest.fixture(scope="session", autouse=True)
def _close_stray_database_sessions(django_db_setup, django_db_blocker):
    """A browser request still in flight when a live server stops can leave its PostgreSQL session open, and
    PostgreSQL then refuses to drop the test database. End such sessions before the test database is dropped."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
