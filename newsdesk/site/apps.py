from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "newsdesk.site"
    label = "newsdesk_site"

    def ready(self) -> None:
        from newsdesk.site.invalidation import connect_signals

        connect_signals()
