"""The comment form, its signed render stamp and honeypot, and the edit form."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing

STAMP_SALT = "newsdesk.comments.form-stamp"
NAME_MAX = 80
BODY_MAX = 5000


def form_stamp(now: float | None = None) -> str:
    """Sign the time the form was shown, so the timing guard can trust it."""
    return signing.dumps(now if now is not None else time.time(), salt=STAMP_SALT, compress=False)


def read_form_stamp(stamp: str) -> float | None:
    """Return the signed render time, or None when the stamp is missing or forged."""
    if not stamp:
        return None
    try:
        return float(signing.loads(stamp, salt=STAMP_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _no_control_chars(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise forms.ValidationError("Remove the control characters.")
    return value


class CommentForm(forms.Form):
    """A reader's comment; ``website`` is the honeypot, hidden from people by CSS."""

    name = forms.CharField(max_length=NAME_MAX, strip=True)
    email = forms.EmailField(
        required=False, help_text="Optional. Never shown; used only if you ask for reply emails."
    )
    body = forms.CharField(
        label="Comment",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text with *emphasis*, **bold**, [links](https://…), > quotes, `code`.",
    )
    notify = forms.BooleanField(required=False, label="Email me when someone replies")
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("stamp", form_stamp())

    def clean_name(self) -> str:
        return _no_control_chars(self.cleaned_data["name"])

    def clean_body(self) -> str:
        body = _no_control_chars(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError("Write something first.")
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("notify") and not data.get("email"):
            self.add_error("email", "Give an email address to be told about replies.")
        return data


class EditForm(forms.Form):
    """An author's new text for their comment."""

    body = forms.CharField(
        label="Comment", max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean_body(self) -> str:
        body = _no_control_chars(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError("Write something first.")
        return body
