from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "cpom.contracts"
    verbose_name = "Contrats (CPOM)"

    def ready(self):
        from . import notifications  # noqa: F401 — registers the kinds of messages of the contracts
