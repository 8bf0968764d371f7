from django.apps import AppConfig


class EquityConfig(AppConfig):
    name = "apps.equity"
    label = "equity"
