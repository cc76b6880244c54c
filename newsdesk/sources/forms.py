"""Admin forms that run the subscribe and OPML actions, showing their errors on the form."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from newsdesk.ingest.subscribe import (
    AlreadySubscribed,
    SourceError,
    SourceOptions,
    Subscription,
    add_source,
)
from newsdesk.sources.models import Category, Editor
from newsdesk.sources.opml import MAX_OPML_BYTES, ImportLine, OpmlError, import_opml


class SubscribeForm(forms.Form):
    """The admin's "Add source": the same action as `newsdesk add-source`."""

    url = forms.CharField(
        label="Feed or site URL",
        max_length=2000,
        help_text="A feed (RSS, Atom, JSON Feed) or a page that links to one.",
    )
    name = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the feed's title."
    )
    category = forms.ModelChoiceField(Category.objects.all(), required=False)
    editor = forms.ModelChoiceField(Editor.objects.all(), required=False)
    language = forms.CharField(
        max_length=16, required=False, help_text="ISO 639-1 code; detected when empty."
    )

    def subscribe(self) -> Subscription | None:
        """Discover, check and store the source; on failure put the reason on the form."""
        data = self.cleaned_data
        options = SourceOptions(
            name=data["name"] or None,
            category=data["category"],
            editor=data["editor"],
            language=data["language"] or None,
        )
        try:
            return add_source(data["url"], options, update_existing=False)
        except AlreadySubscribed as error:
            link = reverse("admin:sources_source_change", args=[error.source.pk])
            self.add_error(
                "url",
                format_html(
                    'This feed is already the source <a href="{}">{}</a>.', link, error.source.name
                ),
            )
        except SourceError as error:
            self.add_error("url", str(error))
        return None


class OpmlImportForm(forms.Form):
    """Upload an OPML subscription list to add its feeds as sources."""

    file = forms.FileField(label="OPML file")
    category = forms.CharField(
        max_length=100, required=False, help_text="For feeds outside any folder of the file."
    )
    check = forms.BooleanField(
        required=False,
        initial=True,
        label="Fetch each new feed now",
        help_text="Discovers and validates each feed (slower); otherwise the first crawl does.",
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_OPML_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_OPML_BYTES} bytes.")
        return bytes(upload.read())

    def run(self) -> list[ImportLine] | None:
        """Import the file; on a document that is not OPML put the reason on the form."""
        data = self.cleaned_data
        try:
            return import_opml(data["file"], check=data["check"], category=data["category"])
        except OpmlError as error:
            self.add_error("file", str(error))
            return None
