from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cpom.reports"
    verbose_name = "Suivi annuel"
