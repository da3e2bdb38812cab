from django.db import models


class ContractStatus(models.TextChoices):
    DRAFT = "brouillon", "En négociation"
    CONSULTATION = "consultation", "En consultation (CRPST, ARS)"
    READY = "pret", "Prêt à signer"
    IN_FORCE = "en_vigueur", "En vigueur"
    EXPIRED = "echu", "Échu"
    TERMINATED = "denonce", "Dénoncé"


# Order of the step indicator (DSFR stepper) of a contract's life.
LIFECYCLE_STEPS = [
    ContractStatus.DRAFT,
    ContractStatus.CONSULTATION,
    ContractStatus.READY,
    ContractStatus.IN_FORCE,
]
SIGNED_STATUSES = {ContractStatus.IN_FORCE, ContractStatus.EXPIRED, ContractStatus.TERMINATED}


class PartyRole(models.TextChoices):
    SPSTI = "spsti", "Service de prévention et de santé au travail"
    STATE = "etat", "Service régional de l'État"
    CAISSE = "caisse", "Caisse régionale"


class AxisKind(models.TextChoices):
    PDP = "pdp", "Prévention de la désinsertion professionnelle (volet 1)"
    PREVENTION = "prevention", "Prévention d'au moins un risque professionnel (volet 2)"
    INTERCONNAISSANCE = "interconnaissance", "Interconnaissance et actions régionales (volet 3)"
    OTHER = "autre", "Autre axe"


class ConsultedBody(models.TextChoices):
    CRPST = "crpst", "Comité régional de prévention et de santé au travail (CRPST)"
    ARS = "ars", "Agence régionale de santé (ARS)"


class Opinion(models.TextChoices):
    FAVOURABLE = "favorable", "Favorable"
    RESERVED = "reserve", "Favorable avec réserves"
    UNFAVOURABLE = "defavorable", "Défavorable"


class AmendmentKind(models.TextChoices):
    CHANGE = "modification", "Modification du contenu"
    EXTENSION = "prolongation", "Prolongation (date de fin)"


class AmendmentStatus(models.TextChoices):
    OPEN = "ouvert", "En cours de signature"
    APPLIED = "applique", "Signé par toutes les parties, appliqué"


class CommitmentCategory(models.TextChoices):
    GENERAL = "general", "Engagement général"
    ORGANISATIONAL = "organisationnel", "Engagement organisationnel"
    INFORMATIONAL = "informationnel", "Engagement informationnel"
    EXCHANGE = "echanges", "Échanges d'informations sur les entreprises"
    TECHNICAL = "technique", "Engagement technique"


class EvidenceMethod(models.TextChoices):
    PLATFORM = "plateforme", "Dans la plateforme, par un compte de la partie"
    SCAN = "manuscrite", "Signature manuscrite (pièce jointe)"
    PADES = "electronique", "Signature électronique vérifiée (PDF PAdES)"
    LETTER = "courrier", "Courrier ou procès-verbal (pièce jointe)"


class VersionStatus(models.TextChoices):
    DRAFT = "projet", "Projet (texte en préparation)"
    SIGNED = "signee", "Signée par toutes les parties"
    LEGACY = "archive", "Version antérieure (texte seul)"
