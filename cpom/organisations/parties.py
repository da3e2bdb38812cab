"""Rule R1: who signs a service's CPOM."""

from dataclasses import dataclass

from cpom.core.errors import DomainError

from .enums import OrganisationKind
from .models import Organisation, Spsti


@dataclass(frozen=True)
class CpomParties:
    spsti: Spsti
    state_office: Organisation  # DREETS (DRIEETS in Île-de-France, DEETS overseas) of the service's region
    caisses: tuple[Organisation, ...]  # every caisse covering a department of the approval zone
    ars: Organisation | None  # consulted before signature (R4), not a signatory

    @property
    def signatories(self) -> tuple[Organisation, ...]:
        return (self.spsti, self.state_office, *self.caisses)


def zone_department_codes(spsti: Spsti) -> list[str]:
    """Departments of the current approval's zone, else those the service covers, else its headquarters."""
    approval = spsti.approvals.order_by("-start").first()
    if approval is not None:
        codes = list(approval.zones.values_list("code", flat=True))
        if codes:
            return codes
    codes = list(spsti.departments.values_list("code", flat=True))
    return codes or [spsti.headquarters_department_id]


def cpom_parties(spsti: Spsti) -> CpomParties:
    """The parties of a service's CPOM (R1): the service, the State office of the region of its
    headquarters, and the caisse(s) whose area meets its approval zone — a caisse is not a region."""
    regional = {
        org.kind: org
        for org in Organisation.objects.filter(
            region_id=spsti.region_id, kind__in=[OrganisationKind.DREETS, OrganisationKind.ARS]
        )
    }
    state_office = regional.get(OrganisationKind.DREETS)
    if state_office is None:
        raise DomainError(
            f"Aucun service régional de l'État n'est enregistré pour la région {spsti.region} : "
            "chargez les référentiels (manage.py load_reference).",
            rule="R1",
        )
    caisses = tuple(
        Organisation.objects.filter(kind=OrganisationKind.CAISSE, departments__code__in=zone_department_codes(spsti))
        .distinct()
        .order_by("name")
    )
    if not caisses:
        raise DomainError(f"Aucune caisse régionale ne couvre la zone d'agrément de {spsti} (règle R1).", rule="R1")
    return CpomParties(spsti=spsti, state_office=state_office, caisses=caisses, ars=regional.get(OrganisationKind.ARS))
