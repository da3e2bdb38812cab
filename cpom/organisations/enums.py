from django.db import models


class OrganisationKind(models.TextChoices):
    SPSTI = "spsti", "Service de prévention et de santé au travail interentreprises"
    DREETS = "dreets", "Service régional de l'État (DREETS)"
    CAISSE = "caisse", "Caisse régionale (CARSAT, CRAMIF, CGSS, CSS)"
    ARS = "ars", "Agence régionale de santé"
    CRPST = "crpst", "Comité régional de prévention et de santé au travail"
    CNPST = "cnpst", "Comité national de prévention et de santé au travail"
    DGT = "dgt", "Direction générale du travail"
    CNAM = "cnam", "Caisse nationale de l'Assurance maladie"


REGIONAL_KINDS = {
    OrganisationKind.SPSTI,
    OrganisationKind.DREETS,
    OrganisationKind.ARS,
    OrganisationKind.CRPST,
}
NATIONAL_KINDS = {OrganisationKind.CNPST, OrganisationKind.DGT, OrganisationKind.CNAM}


class CaisseType(models.TextChoices):
    CARSAT = "CARSAT", "CARSAT"
    CRAMIF = "CRAMIF", "CRAMIF"
    CGSS = "CGSS", "CGSS"
    CSS = "CSS", "CSS"


class SpstiCategory(models.TextChoices):
    INTERPROFESSIONAL = "interprofessionnel", "Interprofessionnel"
    SECTOR = "sectoriel", "À compétence professionnelle exclusive (sectoriel)"


class ApprovalStatus(models.TextChoices):
    VALID = "valide", "Agrément en cours"
    EXPIRING = "echeance", "Échéance dans les 6 mois"
    EXPIRED = "expire", "Agrément expiré"
    CONDITIONAL = "conditionnel", "Agrément conditionnel"
    NONE = "aucun", "Sans agrément"


class CpomMaturity(models.TextChoices):
    """How ready the service's teams are to run contract actions (report 001 §220)."""

    FIRST = "debutant", "Premier CPOM ou objectifs précédents non atteints"
    PARTIAL = "intermediaire", "Objectifs précédents partiellement atteints"
    EXPERIENCED = "confirme", "Équipes expérimentées, objectifs précédents atteints"


class CertificationLevel(models.TextChoices):
    """Certification of a service (décret 2022-1031, référentiel of the arrêté of 27 July 2023): three levels,
    valid 2, 3 or 5 years; only the highest (5 years) may be renewed at the same level."""

    LEVEL_1 = "niveau_1", "Niveau 1 (valable 2 ans)"
    LEVEL_2 = "niveau_2", "Niveau 2 (valable 3 ans)"
    LEVEL_3 = "niveau_3", "Niveau 3 (valable 5 ans)"


CERTIFICATION_YEARS = {CertificationLevel.LEVEL_1: 2, CertificationLevel.LEVEL_2: 3, CertificationLevel.LEVEL_3: 5}
RENEWABLE_LEVELS = frozenset({CertificationLevel.LEVEL_3})
