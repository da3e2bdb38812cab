from django.db import models


class Role(models.TextChoices):
    SPSTI_REFERENT = "referent_spsti", "Référent de SPSTI (direction, pilote CPOM)"
    DREETS_AGENT = "agent_dreets", "Agent de DREETS"
    CAISSE_AGENT = "agent_caisse", "Agent de caisse régionale (CARSAT)"
    REGIONAL_PILOT = "pilote_regional", "Pilote de la cellule régionale"
    ARS_READER = "lecteur_ars", "Lecteur ARS"
    SOCIAL_PARTNER = "partenaire_social", "Partenaire social (CRPST, CNPST)"
    NATIONAL = "national", "Cellule nationale (DGT, CNAM)"
    ADMIN = "administrateur", "Administrateur"
