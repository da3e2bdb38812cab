from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cpom.demo"
    verbose_name = "Données de démonstration"
