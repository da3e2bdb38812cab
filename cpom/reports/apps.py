from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cpom.reports"
    verbose_name = "Suivi annuel"

    def ready(self) -> None:
        from . import (  # noqa: F401 — the kinds of messages of the annual follow-up; the contract signals' receivers
            notifications,
            signals,
        )
