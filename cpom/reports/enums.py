from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "transmis", "Transmis"
    RETURNED = "a_corriger", "Renvoyé pour correction"
    VALIDATED = "valide", "Validé"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "non_commencee", "Non commencée"
    IN_PROGRESS = "en_cours", "En cours"
    DONE = "realisee", "Réalisée"
    ABANDONED = "abandonnee", "Abandonnée"


class EventKind(models.TextChoices):
    SUBMITTED = "transmission", "Transmission"
    VALIDATED = "validation", "Validation"
    RETURNED = "renvoi", "Renvoi pour correction"
    REOPENED = "reouverture", "Réouverture"
    ACCEPTED = "acceptation", "Acceptation (validation conjointe)"


class Channel(models.TextChoices):
    FORM = "formulaire", "Formulaire"
    EXCEL = "excel", "Fichier Excel"
    CSV = "csv", "Fichier CSV"
    API = "api", "API"
