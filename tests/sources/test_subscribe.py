"""`add-source` adds a new feed, and on a known one says so and changes only what is given."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.subscribe import AlreadySubscribed, SourceOptions, add_source
from newsdesk.sources.models import Category, Source
from tests.site.factories import make_category, make_editor

pytestmark = pytest.mark.django_db(transaction=True)


def add(*args: str, **options: str) -> str:
    out = StringIO()
    call_command("add_source", *args, stdout=out, **options)
    return out.getvalue()


def test_re_adding_a_feed_keeps_its_editor_and_category(publisher: CorpusServer) -> None:
    """Adding a known feed again says so and wipes nothing (it used to clear both)."""
    editor = make_editor(slug="ada")
    add(publisher.url("feeds/tpm.atom"), category="Politics", editor="ada", name="TPM")
    requests_before = len(publisher.requests)

    said = add(publisher.url("feeds/tpm.atom"))

    source = Source.objects.get()
    assert "is already a source; nothing changed" in said
    assert (source.name, source.editor, source.category.name) == ("TPM", editor, "Politics")
    assert len(publisher.requests) == requests_before  # known at once: nothing fetched


def test_re_adding_changes_only_the_options_given(publisher: CorpusServer) -> None:
    """--category on a known feed moves it to that category and leaves the rest alone."""
    editor = make_editor(slug="ada")
    add(publisher.url("feeds/tpm.atom"), category="Politics", editor="ada", name="TPM")

    said = add(publisher.url("feeds/tpm.atom"), category="World")

    source = Source.objects.get()
    assert "is already a source; changed: category" in said
    assert (source.name, source.editor, source.category.name) == ("TPM", editor, "World")


def test_a_site_url_leading_to_a_known_feed_is_that_source(publisher: CorpusServer) -> None:
    """The site's page, whose feed is already a source, adds no second source."""
    add(publisher.url("feeds/tpm.atom"), name="TPM")
    said = add(publisher.url("index.html"), language="en")
    source = Source.objects.get()
    assert "is already a source; changed: language" in said
    assert source.name == "TPM" and source.language == "en"


def test_new_source_is_named_after_the_feed(publisher: CorpusServer) -> None:
    """A new feed gets the feed's title as name, its category created when new."""
    said = add(publisher.url("index.html"), category="Politics")
    source = Source.objects.get()
    assert said.startswith("Added 'All TPM News'")
    assert source.feed_url == publisher.url("feeds/tpm.atom")
    assert Category.objects.get().name == "Politics"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/feed.xml", "not an http"),
        ("javascript:alert(1)", "not an http"),
        ("feeds/notafeed.html", "neither a feed nor a page"),
        ("feeds/missing.xml", "HTTP 404"),
    ],
)
def test_bad_urls_are_refused_with_the_reason(
    publisher: CorpusServer, url: str, message: str
) -> None:
    """Scheme, address and feed checks refuse the URL, say why, and add nothing."""
    target = url if ":" in url else publisher.url(url)
    with pytest.raises(CommandError, match=message):
        add(target)
    assert not Source.objects.exists()


def test_without_updating_a_known_feed_is_an_error(publisher: CorpusServer) -> None:
    """The admin's add form asks for no update: a known feed raises AlreadySubscribed."""
    category = make_category(name="World")
    first = add_source(publisher.url("feeds/tpm.atom")).source
    with pytest.raises(AlreadySubscribed) as caught:
        add_source(
            publisher.url("index.html"), SourceOptions(category=category), update_existing=False
        )
    assert caught.value.source == first
    assert Source.objects.get().category is None
