from django.apps import AppConfig


class SteeringConfig(AppConfig):
    name = "cpom.steering"
    verbose_name = "Pilotage"
