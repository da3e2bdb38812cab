"""The contracts' e-mails, queued in the transaction of the change (cpom.notifications): a contract sent for
consultation → the ARS and the CRPST of its region; a contract ready to sign → each party that has not signed.

The lifecycle functions (lifecycle.py) call these in the transaction of the step: a refused step queues nothing."""

from django.urls import reverse

from cpom.accounts.enums import Role
from cpom.accounts.models import User
from cpom.notifications.services import queue, register
from cpom.organisations.enums import OrganisationKind

from .models import ContractParty

CONSULTATION = register(
    "contract_consultation", "Un contrat de ma région est soumis à consultation", {Role.ARS_READER, Role.SOCIAL_PARTNER}
)
SIGNATURE_OWED = register(
    "contract_signature_owed",
    "Un contrat attend la signature de mon organisation",
    {Role.SPSTI_REFERENT, Role.DREETS_AGENT, Role.CAISSE_AGENT},
)
SIGNING_ROLES = (Role.SPSTI_REFERENT, Role.DREETS_AGENT, Role.CAISSE_AGENT)


def _url(contract) -> str:
    return reverse("contracts:contract_detail", args=[contract.pk]) + "?onglet=signatures"


def sent_for_consultation(contract) -> None:
    users = User.objects.filter(
        is_active=True,
        organisation__region_id=contract.region_id,
        organisation__kind__in=[OrganisationKind.ARS, OrganisationKind.CRPST],
        role__in=[Role.ARS_READER, Role.SOCIAL_PARTNER],
    )
    queue(
        list(users),
        kind=CONSULTATION.code,
        subject=f"Contrat soumis à consultation — {contract.reference}",
        text=(
            f"Le contrat {contract.reference} (« {contract.title} ») est soumis à la consultation du CRPST et de "
            "l'ARS (règle R4). Son avis est attendu."
        ),
        url=_url(contract),
        object_kind="contract",
        object_id=contract.pk,
    )


def signatures_owed(contract) -> None:
    owing = ContractParty.objects.filter(contract=contract, signed_on__isnull=True).values("organisation_id")
    users = User.objects.filter(is_active=True, role__in=SIGNING_ROLES, organisation_id__in=owing)
    queue(
        list(users),
        kind=SIGNATURE_OWED.code,
        subject=f"Contrat prêt à signer — {contract.reference}",
        text=f"Le contrat {contract.reference} (« {contract.title} ») est prêt : il attend la signature de votre "
        "organisation.",
        url=_url(contract),
        object_kind="contract",
        object_id=contract.pk,
    )
