from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "cpom.indicators"
    verbose_name = "Indicateurs"
