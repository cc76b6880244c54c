from django.apps import AppConfig


class VisitorsConfig(AppConfig):
    name = "newsdesk.visitors"
    label = "visitors"
    verbose_name = "Visitor ids"
