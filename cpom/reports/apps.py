from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cpom.reports"
    verbose_name = "Suivi annuel"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
