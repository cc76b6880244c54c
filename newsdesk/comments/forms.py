"""The comment form with its stamp and honeypot, and the edit form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

NAME_MAX = 80
BODY_MAX = 5000


def _no_control_chars(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise forms.ValidationError("Remove the control characters.")
    return value


class CommentForm(forms.Form):
    """A reader's comment; ``website`` is the honeypot, hidden from people by CSS.

    ``stamp`` stays empty in the page (which may be cached for everyone); the
    form's script fills it in, or the server when it shows the form again.
    """

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


def with_fresh_stamp(data: QueryDict, stamp: str) -> QueryDict:
    """Return a copy of posted form data carrying a new stamp, to show the form again."""
    fresh = data.copy()
    fresh["stamp"] = stamp
    fresh.pop("csrfmiddlewaretoken", None)
    return fresh
