from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "cpom.organisations"
    verbose_name = "Organisations"
