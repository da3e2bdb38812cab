from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "cpom.workspace"
    verbose_name = "Espace de travail"
