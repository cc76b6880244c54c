"""Celery application for scale-out: `celery -A config worker` and `celery -A config beat`.

Workers run the same functions as the in-process scheduler (newsdesk.jobs.tasks).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("newsdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["newsdesk.jobs"])
