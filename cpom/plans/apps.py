from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "cpom.plans"
    verbose_name = "Plans et programmes"
