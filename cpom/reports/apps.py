from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cpom.reports"
    verbose_name = "Suivi annuel"

    def ready(self):
        from . import notifications  # noqa: F401 — registers the kinds of messages of the annual follow-up
