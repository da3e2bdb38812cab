"""factory_boy factories for the registry. They need the reference data (fixture `reference`): departments
and institutions are looked up by their code, never created here."""

import datetime as dt
import itertools

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.core.dates import add_years
from cpom.organisations.models import Approval, Organisation, ServiceProject, Spsti
from cpom.organisations.siret import luhn_complete
from cpom.territory.models import Department

PASSWORD = "Mot-de-passe-de-test-2026"

# 13-digit prefixes far from La Poste's SIREN (356 000 000), completed with their Luhn key.
_siret_numbers = itertools.count(1)


def next_siret() -> str:
    return luhn_complete(f"{800_000_000_000 + next(_siret_numbers):013d}")


def department(code: str) -> Department:
    return Department.objects.get(code=code)


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def today() -> dt.date:
    return timezone.localdate()


class SpstiFactory(DjangoModelFactory):
    """`SpstiFactory(department="57")` puts the headquarters in Moselle; `departments=["63", "69"]` sets the
    departments covered (the headquarters department by default)."""

    class Meta:
        model = Spsti
        skip_postgeneration_save = True

    class Params:
        department = "35"

    name = factory.Sequence(lambda n: f"Service de santé au travail n° {n:03d}")
    siret = factory.LazyFunction(next_siret)
    headquarters_department = factory.LazyAttribute(lambda o: department(o.department))
    employees_followed = 50_000
    member_companies = 4_000
    city = "Rennes"

    @factory.post_generation
    def departments(self, create, codes, **kwargs):
        if not create:
            return
        if codes is None:
            self.departments.set([self.headquarters_department])
        else:
            self.departments.set([department(code) for code in codes])


class ApprovalFactory(DjangoModelFactory):
    """Valid today by default: started a year ago, ends on the eve of its 5th anniversary.
    `zones=["35", "56"]` sets the zone (the service's covered departments by default)."""

    class Meta:
        model = Approval
        skip_postgeneration_save = True

    spsti = factory.SubFactory(SpstiFactory)
    start = factory.LazyFunction(lambda: add_years(today(), -1))
    end = factory.LazyAttribute(lambda o: add_years(o.start, 5) - dt.timedelta(days=1))
    conditional = False
    conditions = factory.Maybe("conditional", yes_declaration="Recruter un médecin du travail.", no_declaration="")
    decision_reference = factory.Sequence(lambda n: f"DREETS-AGR-{n:04d}")

    @factory.post_generation
    def zones(self, create, codes, **kwargs):
        if not create:
            return
        if codes is None:
            self.zones.set(self.spsti.departments.all())
        else:
            self.zones.set([department(code) for code in codes])


class ServiceProjectFactory(DjangoModelFactory):
    class Meta:
        model = ServiceProject

    spsti = factory.SubFactory(SpstiFactory)
    title = factory.Sequence(lambda n: f"Projet de service n° {n}")
    start = factory.LazyFunction(lambda: dt.date(today().year - 1, 1, 1))
    end = factory.LazyAttribute(lambda o: dt.date(o.start.year + 4, 12, 31))
    board_validated_on = factory.LazyAttribute(lambda o: o.start - dt.timedelta(days=30))


class UserFactory(DjangoModelFactory):
    """`UserFactory(role=Role.DREETS_AGENT, organisation=organisation("ETAT-53"))`; password: PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@cpom.test")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    role = Role.ADMIN
    organisation = None
    password = factory.django.Password(PASSWORD)
