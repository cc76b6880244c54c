"""The log row every staff action leaves: Django admin's LogEntry.

Using the admin's own table means an object's "History" page in the admin lists
the named actions taken on it beside ordinary form edits, with who and when.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.http import HttpRequest


def log_staff_action(actor: AbstractBaseUser, obj: models.Model, message: str) -> None:
    """Record that ``actor`` changed ``obj``; ``message`` names the action and its effect."""
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


class NamedStateAdmin(admin.ModelAdmin):
    """Route state changes made in admin forms (change form, list edits) through named actions.

    Subclasses list their ``state_fields`` and apply one with ``apply_state``. The
    form saves every other field as usual; a changed state field is put back first
    and then changed by its action, which writes its own log row, so the admin's
    generic "Changed ..." row leaves the state fields out.
    """

    state_fields: tuple[str, ...] = ()

    def apply_state(self, request: HttpRequest, obj: Any, field: str, value: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        wanted = {}
        if change:
            for field in self.state_fields:
                if field in form.changed_data:
                    wanted[field] = getattr(obj, field)
                    setattr(obj, field, form.initial[field])
        super().save_model(request, obj, form, change)
        for field, value in wanted.items():
            self.apply_state(request, obj, field, value)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        message: list[dict[str, Any]] = super().construct_change_message(
            request, form, formsets, add
        )
        state_labels = {
            str(form.fields[name].label or name)
            for name in self.state_fields
            if name in form.fields
        }
        kept = []
        for entry in message:
            changed = entry.get("changed")
            if changed is not None and "name" not in changed:
                changed["fields"] = [f for f in changed["fields"] if f not in state_labels]
                if not changed["fields"]:
                    continue
            kept.append(entry)
        return kept

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # Nothing but state changed: the named actions logged it, each in its own words.
        if message == []:
            return None
        return super().log_change(request, obj, message)
