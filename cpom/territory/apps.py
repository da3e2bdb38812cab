from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "cpom.territory"
    verbose_name = "Territoires"
