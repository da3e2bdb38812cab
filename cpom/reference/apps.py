from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "cpom.reference"
    verbose_name = "Référentiels"
