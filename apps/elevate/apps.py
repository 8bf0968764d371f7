from django.apps import AppConfig


class ElevateConfig(AppConfig):
    name = "apps.elevate"
    label = "elevate"
