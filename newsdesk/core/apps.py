from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "newsdesk.core"
    label = "core"

    def ready(self) -> None:
        from newsdesk.core import checks  # noqa: F401  (registers the deployment checks)
