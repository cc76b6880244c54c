"""The random salt of each UTC day, the one secret behind every daily visitor id."""

from __future__ import annotations

from django.db import models


class DailySalt(models.Model):
    """The random salt of one UTC day; deleted 24 hours after that day ends."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"salt of {self.day}"
