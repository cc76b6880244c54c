"""OPML import and export: real files, idempotent imports, one report line per feed."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from newsdesk.demo.server import CorpusServer
from newsdesk.sources.models import Source
from newsdesk.sources.opml import OpmlError, export_opml, import_opml, parse_opml
from tests.site.factories import make_category, make_source

SPEC_EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "opml" / "subscriptionList.opml"


def loopback_list(base: str) -> bytes:
    """A hand-written subscription list for the loopback publisher, with folders."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Loopback</title></head>
  <body>
    <outline text="Politics">
      <outline text="TPM, my way" type="rss" xmlUrl="{base}/feeds/tpm.atom"/>
      <outline text="Not a feed" type="rss" xmlUrl="{base}/feeds/notafeed.html"/>
    </outline>
    <outline text="Wire" type="rss" xmlUrl="{base}/feeds/summary.rss" category="/Tech/Wires"/>
    <outline text="Gone" type="rss" xmlUrl="{base}/feeds/missing.xml"/>
    <outline text="Mail" type="rss" xmlUrl="mailto:someone@example.org"/>
  </body>
</opml>
""".encode()


def test_the_specification_example_parses() -> None:
    """The OPML 2.0 spec's subscription list (ISO-8859-1, CRLF) gives its 13 feeds in order."""
    feeds = parse_opml(SPEC_EXAMPLE.read_bytes())
    assert len(feeds) == 13
    assert (feeds[0].title, feeds[0].url) == (
        "CNET News.com",
        "http://news.com.com/2547-1_3-0-5.xml",
    )
    assert feeds[0].line == 17 and feeds[1].line == 27
    assert feeds[10].title == "NYT > Technology"
    assert feeds[3].site_url == "http://news.yahoo.com/news?tmpl=index&cid=738"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"not xml at all", "not well-formed"),
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body>&b;</body></opml>',
            "entity declarations are not allowed",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<opml><body><outline text='&x;' xmlUrl='http://a.example/f'/></body></opml>",
            "entity declarations are not allowed",
        ),
    ],
)
def test_hostile_or_wrong_documents_are_refused(document: bytes, message: str) -> None:
    """Not XML, not OPML, entity bombs and external entities are refused with a reason."""
    with pytest.raises(OpmlError, match=message):
        parse_opml(document)


@pytest.mark.django_db
def test_import_without_fetching_is_idempotent() -> None:
    """The spec example imports 13 sources; importing it again adds none and says so per feed."""
    first = import_opml(SPEC_EXAMPLE.read_bytes(), check=False, category="Imported")
    assert [line.outcome for line in first] == ["added"] * 13
    assert Source.objects.count() == 13
    assert Source.objects.get(feed_url="http://www.scripting.com/rss.xml").name == "Scripting News"

    second = import_opml(SPEC_EXAMPLE.read_bytes(), check=False)

    assert [line.outcome for line in second] == ["present"] * 13
    assert second[11].describe() == "line 37: present: already the source 'Scripting News'"
    assert Source.objects.count() == 13
    assert {s.category.name for s in Source.objects.all()} == {"Imported"}


@pytest.mark.django_db(transaction=True)
def test_checked_import_reports_each_feed(publisher: CorpusServer) -> None:
    """Fetched and validated feeds are added under their folder; bad ones say what is wrong."""
    report = import_opml(loopback_list(publisher.base_url))

    outcomes = {line.title: (line.outcome, line.message) for line in report}
    assert outcomes["TPM, my way"][0] == "added"
    assert outcomes["Wire"][0] == "added"
    assert outcomes["Not a feed"][0] == "error"
    assert outcomes["Not a feed"][1].startswith(
        f"{publisher.url('feeds/notafeed.html')} is neither a feed nor a page that links to one"
    )
    assert "HTTP 404" in outcomes["Gone"][1]
    assert outcomes["Mail"] == ("error", "'mailto:someone@example.org' is not an http(s) URL")
    tpm = Source.objects.get(feed_url=publisher.url("feeds/tpm.atom"))
    assert (tpm.name, tpm.category.name) == ("TPM, my way", "Politics")
    wire = Source.objects.get(feed_url=publisher.url("feeds/summary.rss"))
    assert wire.category.name == "Wires"
    again = import_opml(loopback_list(publisher.base_url))
    assert [line.outcome for line in again] == ["present", "error", "present", "error", "error"]


@pytest.mark.django_db
def test_export_then_import_round_trips() -> None:
    """Exported OPML lists every source under its category and imports back as all present."""
    world = make_category(name="World & Co")
    make_source(name="Alpha <Wire>", category=world)
    make_source(name="Beta", category=None)
    document = export_opml(Source.objects.select_related("category"))

    feeds = parse_opml(document)

    assert {(f.title, f.category) for f in feeds} == {("Alpha <Wire>", "World & Co"), ("Beta", "")}
    assert all(line.outcome == "present" for line in import_opml(document, check=False))


@pytest.mark.django_db
def test_commands_export_and_import(tmp_path: Path) -> None:
    """`export-opml FILE` then `import-opml FILE --no-check` prints one line per feed and totals."""
    make_source(name="Alpha")
    path = tmp_path / "sources.opml"
    call_command("export_opml", str(path), stderr=StringIO())
    out = StringIO()
    call_command("import_opml", str(path), "--no-check", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("present: already the source 'Alpha'")
    assert lines[-1] == "0 added, 1 already present, 0 errors."
    with pytest.raises(CommandError, match="not an OPML document"):
        (tmp_path / "feed.xml").write_text("<rss/>")
        call_command("import_opml", str(tmp_path / "feed.xml"))
