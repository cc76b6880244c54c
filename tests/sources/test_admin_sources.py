"""The source admin: Add source, Fetch now, Resume fetching and OPML, over a real server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from newsdesk.demo.server import CorpusServer
from newsdesk.sources.models import Source
from newsdesk.sources.opml import parse_opml
from tests.site.factories import make_category, make_source

pytestmark = pytest.mark.django_db(transaction=True)

ADD = "/admin/sources/source/add/"
LIST = "/admin/sources/source/"


@pytest.fixture
def staff(client: Client) -> Client:
    user = User.objects.create_superuser("chief", "chief@example.org", "pw-for-tests")
    client.force_login(user)
    return client


def test_add_source_discovers_and_names_the_feed(staff: Client, publisher: CorpusServer) -> None:
    """The admin's form takes a site URL, finds its feed and names the source after it."""
    category = make_category(name="Politics")
    response = staff.post(ADD, {"url": publisher.url("index.html"), "category": category.pk})
    source = Source.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/sources/source/{source.pk}/change/"
    assert (source.name, source.feed_url) == ("All TPM News", publisher.url("feeds/tpm.atom"))
    assert source.category == category
    assert LogEntry.objects.filter(object_id=str(source.pk)).exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("feeds/notafeed.html", "is neither a feed nor a page that links to one"),
        ("feeds/missing.xml", "HTTP 404 Not Found"),
        ("ftp://127.0.0.1/feed", "is not an http(s) URL"),
    ],
)
def test_add_source_errors_are_form_errors(
    staff: Client, publisher: CorpusServer, url: str, message: str
) -> None:
    """Discovery, feed and scheme errors come back on the form, and nothing is added."""
    target = url if ":" in url else publisher.url(url)
    response = staff.post(ADD, {"url": target})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist' in html and message in html
    assert not Source.objects.exists()


def test_adding_a_known_feed_links_to_it_and_changes_nothing(
    staff: Client, publisher: CorpusServer
) -> None:
    """A feed that is already a source is a form error linking to that source."""
    known = make_source(name="TPM", feed_url=publisher.url("feeds/tpm.atom"), category=None)
    response = staff.post(ADD, {"url": publisher.url("index.html"), "name": "Other name"})
    html = response.content.decode()
    assert f'already the source <a href="/admin/sources/source/{known.pk}/change/">TPM</a>' in html
    known.refresh_from_db()
    assert known.name == "TPM"


def test_fetch_now_reports_each_source(staff: Client, publisher: CorpusServer) -> None:
    """One message per source: counts for the good one, the error (in red) for the broken one."""
    good = make_source(name="TPM", feed_url=publisher.url("feeds/tpm.atom"))
    bad = make_source(name="Broken", feed_url=publisher.url("feeds/missing.xml"))
    response = staff.post(
        LIST, {"action": "fetch_now", "_selected_action": [good.pk, bad.pk]}, follow=True
    )
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert ("success", "TPM: 20 new, 0 updated, 0 unchanged") in messages
    assert ("error", "Broken: failed: HTTPStatusError: HTTP 404 Not Found") in messages
    assert not any("Fetched" in text for _, text in messages)
    html = response.content.decode()
    assert 'class="error"' in html and "HTTP 404 Not Found" in html


def test_resume_fetching_clears_a_stop(staff: Client) -> None:
    """A source the crawler stopped is fetched again after "Resume fetching"."""
    stopped = make_source(
        fetch_stopped_at=timezone.now(),
        fetch_stopped_reason="The feed answered HTTP 410 Gone",
        next_fetch_at=timezone.now() + timedelta(days=1),
    )
    html = staff.get(f"{LIST}?fetching=stopped").content.decode()
    # The status says it stopped; the last-error column says why.
    assert "Stopped by the crawler" in html and "The feed answered HTTP 410 Gone" in html
    staff.post(LIST, {"action": "resume_fetching", "_selected_action": [stopped.pk]})
    stopped.refresh_from_db()
    assert stopped.fetch_stopped_at is None and stopped.fetch_stopped_reason == ""
    assert stopped.next_fetch_at <= timezone.now()


def test_opml_import_shows_a_line_per_feed(staff: Client, publisher: CorpusServer) -> None:
    """Uploading an OPML list adds its feeds and shows added / already present / error."""
    make_source(name="TPM", feed_url=publisher.url("feeds/tpm.atom"))
    document = f"""<opml version="2.0"><body>
<outline text="TPM" xmlUrl="{publisher.url("feeds/tpm.atom")}"/>
<outline text="Wire" xmlUrl="{publisher.url("feeds/summary.rss")}"/>
<outline text="HTML" xmlUrl="{publisher.url("feeds/notafeed.html")}"/>
</body></opml>""".encode()
    upload = SimpleUploadedFile("list.opml", document, content_type="text/x-opml")
    response = staff.post("/admin/sources/source/import-opml/", {"file": upload, "check": "on"})
    html = response.content.decode()
    assert html.count('class="opml-present"') == 1
    assert html.count('class="opml-added"') == 1
    assert html.count('class="opml-error"') == 1
    assert "is neither a feed nor a page that links to one" in html
    assert Source.objects.filter(name="Wire").exists()


def test_opml_import_refuses_a_file_that_is_not_opml(staff: Client) -> None:
    """A file that is not OPML is a form error."""
    upload = SimpleUploadedFile("feed.xml", b"<rss/>")
    html = staff.post("/admin/sources/source/import-opml/", {"file": upload}).content.decode()
    assert "not an OPML document" in html


def test_opml_export_downloads_every_source(staff: Client) -> None:
    """The changelist's Export OPML link downloads all sources; the action exports a selection."""
    first, second = make_source(name="One"), make_source(name="Two")
    assert "Export OPML" in staff.get(LIST).content.decode()
    everything = staff.get("/admin/sources/source/export-opml/")
    assert everything["Content-Type"].startswith("text/x-opml")
    assert {f.title for f in parse_opml(everything.content)} == {"One", "Two"}
    chosen = staff.post(LIST, {"action": "export_opml", "_selected_action": [second.pk]})
    assert [f.url for f in parse_opml(chosen.content)] == [second.feed_url]
    assert first.feed_url not in chosen.content.decode()
