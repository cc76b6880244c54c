"""Project configuration; loading the Celery app here lets shared tasks find it."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
