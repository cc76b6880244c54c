from django.apps import AppConfig


class HitsConfig(AppConfig):
    name = "newsdesk.hits"
    label = "hits"
