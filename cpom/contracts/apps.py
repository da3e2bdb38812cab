from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "cpom.contracts"
    verbose_name = "Contrats (CPOM)"
