from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cpom.core"
    verbose_name = "Socle"
