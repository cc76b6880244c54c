"""parse_feed over real RSS, RDF and Atom documents (tests/data/feeds, see ORIGIN.md)."""

# Cyrillic, Korean and typographic dashes are the point of the encoding cases.
# ruff: noqa: RUF001

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.core.languages import normalize_language
from newsdesk.core.text import plain_text
from newsdesk.ingest.errors import ParseError
from newsdesk.ingest.parsers import feeds, parse_feed
from newsdesk.ingest.parsers.common import text_to_html

FEEDS = Path(__file__).parent.parent / "data" / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@dataclass(frozen=True)
class Expected:
    """What a feed file holds, read from the file (and its origin's expected.json)."""

    path: str
    url: str
    format: str
    title: str
    count: int
    first_title: str
    first_link: str
    first_published: str | None
    warns: bool = False
    content_type: str = ""


FFP = "fastfeedparser/wild/"
TPM = "http://talkingpointsmemo.com/account/feed/all/LpNewCzTqYYiHqtKqyTw5DaF1aUucgyyXb2dsqKU2yMr"

# Values were read from the documents themselves; the rss-parser ones agree with
# rss-parser's expected.json (feed title, item count, first item title/link/isoDate).
CASES = [
    # RSS 2.0 news feeds as served
    Expected(
        FFP + "feeds.bbci.co.uk_news_world_rss.xml.xml",
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "rss20",
        "BBC News",
        33,
        "US civil rights leader Jesse Jackson dies aged 84",
        "https://www.bbc.com/news/articles/cp81l0e1eg5o?at_medium=RSS&at_campaign=rss",
        "2026-02-17T18:55:33+00:00",
    ),
    Expected(
        FFP + "feeds.npr.org_1004_rss.xml.xml",
        "https://feeds.npr.org/1004/rss.xml",
        "rss20",
        "NPR Topics: World",
        10,
        "U.S. releases new details on alleged secret Chinese nuclear test",
        "https://www.npr.org/2026/02/17/nx-s1-5716046/"
        "u-s-releases-new-details-on-alleged-secret-chinese-nuclear-test",
        "2026-02-17T18:56:24+00:00",  # 13:56:24 -0500
    ),
    Expected(
        FFP + "aljazeera.com_xml_rss_all.xml.xml",
        "https://aljazeera.com/xml/rss/all.xml",
        "rss20",
        "Al Jazeera – Breaking News, World News and Video from Al Jazeera",
        25,
        "Stephen Colbert says CBS barred interview with Texas Democratic candidate",
        "https://www.aljazeera.com/news/2026/2/18/"
        "stephen-colbert-says-cbs-barred-his-interview-with-texas-senate-candidate"
        "?traffic_source=rss",
        "2026-02-18T01:51:00+00:00",
    ),
    Expected(
        FFP + "www.cbsnews.com_latest_rss_world.xml",
        "https://www.cbsnews.com/latest/rss/world",
        "rss20",
        "World - CBSNews.com",
        30,
        'Iran calls talks with U.S. "more constructive" as Trump\'s threat looms',
        "https://www.cbsnews.com/news/us-iran-talks-geneva-trump-military-threat/",
        "2026-02-18T00:59:16+00:00",  # 19:59:16 -0500, the day before
    ),
    Expected(
        "rss-parser/guardian.rss",
        "https://www.theguardian.com/us/rss",
        "rss20",
        "The Guardian",
        55,
        "Trump State of the Union address promised unity but emphasized discord",
        "https://www.theguardian.com/us-news/2018/jan/31/"
        "donald-trump-state-of-the-union-address-unity-discord",
        "2018-01-31T07:26:05+00:00",
    ),
    Expected(
        "node-feedparser/rss2sample.xml",
        "http://liftoff.msfc.nasa.gov/rss.xml",
        "rss20",
        "Liftoff News",
        4,
        "Star City",
        "http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp",
        "2003-06-03T09:39:21+00:00",
    ),
    Expected(
        "rss-parser/heraldsun.rss",
        "http://www.oreilly.com/example/rss.xml",
        "rss092",
        "RSS0.92 Example",
        2,
        "The First Item",
        "http://www.oreilly.com/example/001.html",
        None,
    ),
    # Atom 1.0 / 0.3
    Expected(
        "rss-parser/heise.atom",
        "https://www.heise.de/developer/rss/news-atom.xml",
        "atom10",
        "heise developer neueste Meldungen",
        15,
        "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei",
        "http://www.heise.de/developer/meldung/"
        "Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html"
        "?wt_mc=rss.developer.beitrag.atom",
        "2016-02-01T16:22:00+00:00",  # 17:22:00+01:00
    ),
    Expected(
        "node-feedparser/tpm.atom",
        TPM,
        "atom10",
        "All TPM News",
        20,
        "Hannity Announces Fox Has Hired Sebastian Gorka As NatSec Strategist",
        # The entry link is relative ("/livewire/..."): resolved against the feed URL.
        "http://talkingpointsmemo.com/livewire/"
        "hannity-announces-fox-hired-sebastian-gorka-national-security-strategist",
        "2017-11-08T23:15:58+00:00",  # 18:15:58-05:00
    ),
    Expected(
        "miniflux/parser/small_atom.xml",
        "https://github.com/miniflux/v2/commits/main.atom",
        "atom10",
        "Recent Commits to v2:main",
        20,
        "Parse podcast categories",
        "https://github.com/miniflux/v2/commit/6d97f8b4582414b6ce69467656824690057d4793",
        "2024-03-12T05:30:27+00:00",  # only <updated>: it dates the entry
    ),
    Expected(
        "gofeed/parser/universal/atom03_feed.xml",
        "https://example.com/atom.xml",
        "atom03",
        "Feed Title",
        0,
        "",
        "",
        None,
    ),
    # RSS 0.90 / 1.0 (RDF)
    Expected(
        "miniflux/parser/rdf_UTF8.xml",
        "https://www.heise.de/newsticker/heise.rdf",
        "rss090",
        "heise online News",
        60,
        "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen",
        "https://www.heise.de/newsticker/meldung/"
        "OLED-TVs-Vorsichtsmassnahmen-gegen-Einbrennen-4205274.html?wt_mc=rss.ho.beitrag.rdf",
        None,
    ),
    Expected(
        "rss-parser/craigslist.rss",
        "https://sfbay.craigslist.org/search/apa?format=rss",
        "rss10",
        "craigslist SF bay area | apts/housing for rent search",
        25,
        # "&#x0024;4300 3bd 1930ft<sup>2</sup>" in the feed: markup stripped, entity decoded.
        "Bright, Spacious Beautiful Victorian (oakland north / temescal) $4300 3bd 1930ft2",
        "http://sfbay.craigslist.org/eby/apa/6186664607.html",
        "2017-06-21T17:33:10+00:00",
    ),
    # Encodings other than UTF-8
    Expected(
        "miniflux/parser/encoding_ISO-8859-1.xml",
        "https://rss.golem.de/rss.php?feed=RSS2.0",
        "rss20",
        "Golem.de",
        40,
        "Red Dead Redemption 2: Hinweise auf PC-Umsetzung in App von Rockstar Games",
        "https://www.golem.de/news/"
        "red-dead-redemption-2-hinweise-auf-pc-umsetzung-in-app-von-rockstar-games-1810-137358-rss.html",
        "2018-10-28T12:48:00+00:00",
    ),
    Expected(
        "miniflux/parser/encoding_WINDOWS-1251.xml",
        "http://ibash.org.ru/rss.xml",
        "rss20",
        "iBash.Org.Ru",
        50,
        "Цитата #17703",
        "http://ibash.org.ru/quote.php?id=17703",
        "2018-03-21T07:27:32+00:00",  # 10:27:32 +0300
    ),
    Expected(
        "miniflux/xml/koi8r.xml",
        "http://example.com/rss.xml",
        "rss20",
        "Пример RSS ленты",
        2,
        "Первая новость",
        "http://example.com/post1",
        "2026-02-15T10:00:00+00:00",
    ),
    Expected(
        "node-feedparser/iconv.xml",
        "http://www.oren.ru/rss/",
        "rss20",
        "Новости Оренбурга и области / Раздел Новости",
        10,
        "В Бузулуке главные стройплощадки – детсад и Ледовый дворец",
        "http://www.oren.ru/news/2743422/",
        "2014-01-22T14:31:31+00:00",
    ),
    Expected(
        "feedparser/encoding/euc-kr.xml",
        "https://example.com/rss.xml",
        "rss20",
        "년",  # feedparser's own expectation: feed['title'] == '\ub144'
        0,
        "",
        "",
        None,
    ),
    # feedparser's own cases: UTF-16 with a BOM and BOM-less UTF-32, read without bozo.
    Expected("feedparser/encoding/utf-16le-bom.xml", "https://e.com/", "rss", "", 0, "", "", None),
    Expected(
        "feedparser/encoding/utf-32be-autodetect.xml", "https://e.com/", "rss", "", 0, "", "", None
    ),
    Expected(
        # ISO-8859-1 bytes without an XML declaration: decoded by fallback, with a warning.
        "miniflux/parser/no_encoding_ISO-8859-1.xml",
        "https://le-cercle-psy.scienceshumaines.com/rss",
        "rss20",
        "Flux RSS du magazine de psychologie Le Cercle Psy",
        10,
        "Perturbateurs endocriniens : quels effets sur le cerveau ?",
        "https://le-cercle-psy.scienceshumaines.com/"
        "perturbateurs-endocriniens-quels-effets-sur-le-cerveau_sh_39995",
        "2018-10-17T10:30:00+00:00",
        warns=True,
    ),
    Expected(
        "gofeed/parser/universal/rss_feed_bom.xml",
        "https://example.com/rss.xml",
        "rss20",
        "Feed Title",
        0,
        "",
        "",
        None,
    ),
    # Relative links (no xml:base: against the feed URL; with two-digit years)
    Expected(
        "node-feedparser/rss-with-relative-urls.xml",
        "http://www.arcgames.com/en/games/neverwinter/news/rss",
        "rss20",
        "Neverwinter",
        2,
        "Neverwinter & Jingle Jam Humble Bundle!",
        "http://www.arcgames.com/en/games/neverwinter/news/detail/"
        "10743874-neverwinter-%26-jingle-jam-humble-bundle%21",
        "2017-12-07T18:00:29+00:00",  # "Thu, 07 Dec 17 10:00:29 -0800"
    ),
    Expected(
        "node-feedparser/rss-with-item-scoped-html-base.xml",
        "https://example.com/feed.xml",
        "rss20",
        "Item Scoped HTML Base",
        2,
        "First",
        "https://example.com/first/first",  # item xml:base="https://example.com/first/"
        None,
    ),
    # Ill-formed documents that still yield entries
    Expected(
        "node-feedparser/saxerror.xml",
        "http://example.com/rss.xml",
        "rss20",
        "SAXError Test Feed",
        3,
        "Good Item",
        "http://example.com/good",
        None,
        warns=True,
    ),
    Expected(
        "feedparser/illformed/rss_item_link_corrupted_ampersands.xml",
        "http://link/rss.xml",
        "rss20",
        "",
        1,
        "",
        "http://link/get?a=1&b=2",  # feedparser's own expectation
        None,
        warns=True,
    ),
    Expected(
        # Declares utf-16 but is UTF-8.
        "fastfeedparser/utf16_encoded.xml",
        "https://example.com/feed.xml",
        "rss20",
        "UTF-16 Encoded Feed",
        1,
        "UTF-16 Entry 1",
        "https://example.com/entry1",
        "2024-01-03T12:00:00+00:00",
        warns=True,
    ),
    Expected(
        # A gzip file (iconv.xml compressed) served without Content-Encoding.
        "node-feedparser/compressed.xml",
        "http://www.oren.ru/rss/",
        "rss20",
        "Новости Оренбурга и области / Раздел Новости",
        10,
        "В Бузулуке главные стройплощадки – детсад и Ледовый дворец",
        "http://www.oren.ru/news/2743422/",
        "2014-01-22T14:31:31+00:00",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.path for case in CASES])
def test_real_feed(case: Expected) -> None:
    """Each real feed gives its title, entry count and first entry's title, link and date."""
    feed = parse_feed(read(case.path), url=case.url, content_type=case.content_type)

    assert feed.format == case.format
    assert feed.title == case.title
    assert len(feed.entries) == case.count
    assert bool(feed.warning) == case.warns, feed.warning
    if case.count:
        first = feed.entries[0]
        assert first.title == case.first_title
        assert first.url == case.first_link
        published = first.published.isoformat() if first.published else None
        assert published == case.first_published
    for entry in feed.entries:
        assert entry.guid, "every entry has a guid"
        for moment in (entry.published, entry.updated):
            assert moment is None or moment.utcoffset() is not None, "dates are aware"


BROKEN = [
    ("node-feedparser/notafeed.html", "HTML page"),
    ("gofeed/parser/universal/empty_feed.xml", "empty"),
    ("feedparser/illformed/rss_empty_document.xml", "no element found"),
    ("feedparser/illformed/aaa_illformed.xml", "ill-formed"),
    ("feedparser/illformed/undeclared_namespace.xml", "unbound prefix"),
    ("gofeed/parser/universal/unknown_feed.xml", "no RSS, RDF or Atom root element"),
    ("rss-parser/unrecognized.rss", "junk after document element"),
    ("gofeed/parser/json/invalid/invalid.json", "invalid JSON"),
]


@pytest.mark.parametrize(("path", "reason"), BROKEN, ids=[path for path, _ in BROKEN])
def test_not_a_feed(path: str, reason: str) -> None:
    """Documents that are not readable feeds raise ParseError naming the reason."""
    with pytest.raises(ParseError, match=reason):
        parse_feed(read(path), url="https://example.com/feed")


def test_html_page_served_as_rss_is_still_refused() -> None:
    """An HTML page is refused even when the server calls it application/rss+xml."""
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(
            read("node-feedparser/notafeed.html"),
            url="https://example.com/feed",
            content_type="application/rss+xml; charset=utf-8",
        )


def test_whitespace_only_body_is_empty() -> None:
    """A body of blank lines is an empty document, not a feed."""
    with pytest.raises(ParseError, match="empty"):
        parse_feed(b"\r\n  \n", url="https://example.com/feed")


# --- encodings and Content-Type charsets ------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["", "text/xml", "application/rss+xml; charset=ISO-8859-1", "text/html"],
)
def test_latin1_feed_decodes_whatever_the_header(content_type: str) -> None:
    """The ISO-8859-1 Golem feed decodes cleanly with no, bare, charset'd or wrong media types."""
    feed = parse_feed(
        read("miniflux/parser/encoding_ISO-8859-1.xml"),
        url="https://rss.golem.de/rss.php?feed=RSS2.0",
        content_type=content_type,
    )
    assert feed.warning == ""
    assert "Viele Spieler wünschen sich eine PC-Version" in feed.entries[0].summary_html
    assert feed.language == "de"


def test_wrong_charset_header_recovers_with_warning() -> None:
    """A UTF-8 charset on a Latin-1 body still decodes the text, and says so in warning."""
    feed = parse_feed(
        read("miniflux/parser/encoding_ISO-8859-1.xml"),
        url="https://rss.golem.de/rss.php?feed=RSS2.0",
        content_type="application/rss+xml; charset=utf-8",
    )
    assert "wünschen" in feed.entries[0].summary_html
    assert "iso-8859-1" in feed.warning


def test_header_charset_is_used_for_undeclared_bytes() -> None:
    """A KOI8-R body without an XML declaration decodes by the Content-Type charset."""
    body = read("miniflux/xml/koi8r.xml").replace(b' encoding="KOI8-R"', b"")
    feed = parse_feed(
        body, url="http://example.com/rss.xml", content_type="application/rss+xml; charset=koi8-r"
    )
    assert feed.title == "Пример RSS ленты"
    assert feed.entries[1].title == "Вторая новость"


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom(codec: str) -> None:
    """A real feed re-encoded as UTF-16/32 with a byte order mark reads the same."""
    text = read("miniflux/xml/koi8r.xml").decode("koi8-r").replace("KOI8-R", codec.upper())
    feed = parse_feed(text.encode(codec), url="http://example.com/rss.xml")
    assert feed.title == "Пример RSS ленты"
    assert [entry.title for entry in feed.entries] == ["Первая новость", "Вторая новость"]


def test_non_utf8_text_is_right_in_summaries() -> None:
    """windows-1251 HTML descriptions come out as readable Cyrillic."""
    feed = parse_feed(
        read("miniflux/parser/encoding_WINDOWS-1251.xml"), url="http://ibash.org.ru/rss.xml"
    )
    assert feed.entries[0].summary_html.startswith("xxx: есть у кого жаба программер <br")
    assert feed.language == "ru"


# --- links and xml:base -----------------------------------------------------------------


def test_relative_urls_in_html_resolve_against_item_xml_base() -> None:
    """Links in entry HTML resolve against the item's xml:base, else the feed URL."""
    feed = parse_feed(
        read("node-feedparser/rss-with-item-scoped-html-base.xml"),
        url="https://example.com/feed.xml",
    )
    first, second = feed.entries
    assert first.summary_html == '<p><a href="https://example.com/first/post">First</a></p>'
    assert second.url == "https://example.com/second"
    assert second.summary_html == '<p><a href="https://example.com/post">Second</a></p>'


def test_nested_xml_base_resolves_links_images_and_fragments() -> None:
    """Channel and item xml:base combine (RFC 3986 §5.2); img src and #fragments resolve too."""
    feed = parse_feed(
        read("node-feedparser/rss-with-relative-html-urls.xml"), url="https://example.com/feed.xml"
    )
    entry = feed.entries[0]
    # <rss xml:base="https://example.com/"> then <item xml:base="posts/post-1">
    assert entry.url == "https://example.com/posts/posts/post-1"
    assert '<a href="https://example.com/posts/post-1">Read</a>' in entry.summary_html
    assert 'href="https://example.com/posts/post-1#comments"' in entry.summary_html
    assert 'src="https://example.com/images/post-1.png"' in entry.summary_html


def test_relative_channel_link_resolves_against_feed_url() -> None:
    """A relative channel <link> becomes an absolute site_url."""
    feed = parse_feed(
        read("node-feedparser/rss-with-relative-urls.xml"),
        url="http://www.arcgames.com/en/games/neverwinter/news/rss",
    )
    assert feed.site_url == "http://www.arcgames.com/en/games/neverwinter/news"
    assert feed.language == "en"  # <language>en_US</language>


def test_html_is_not_sanitized_here() -> None:
    """parse_feed keeps entry HTML as the feed gave it; nh3 cleans it later."""
    body = read("node-feedparser/rss2sample.xml").replace(
        b"&lt;a href=", b"&lt;script&gt;alert(1)&lt;/script&gt;&lt;a onclick='x()' href=", 1
    )
    feed = parse_feed(body, url="http://liftoff.msfc.nasa.gov/rss.xml")
    assert "<script>alert(1)</script>" in feed.entries[0].summary_html
    assert "onclick=" in feed.entries[0].summary_html


# --- entry fields -----------------------------------------------------------------------


def test_entry_fields_of_a_news_feed() -> None:
    """An NPR entry carries author, summary, content:encoded and the feed language."""
    feed = parse_feed(read(FFP + "feeds.npr.org_1004_rss.xml.xml"), url="https://feeds.npr.org/")
    entry = feed.entries[0]
    assert entry.author == "Geoff Brumfiel"
    assert entry.summary_html.startswith("At a event in Washington D.C.")
    # feedparser re-serializes HTML while resolving links: quotes and attribute order change.
    assert 'src="https://npr.brightspotcdn.com/dims3/' in entry.content_html
    assert "<p>(Image credit: Kevin Frayer)</p>" in entry.content_html
    assert entry.language == "en"
    assert entry.guid == entry.url


def test_media_thumbnail_is_the_image() -> None:
    """BBC's media:thumbnail becomes image_url."""
    feed = parse_feed(read(FFP + "feeds.bbci.co.uk_news_world_rss.xml.xml"), url="https://bbc/")
    assert feed.entries[0].image_url == (
        "https://ichef.bbci.co.uk/ace/standard/240/cpsprodpb/1088/live/"
        "9ca4e140-0c34-11f1-b5e2-dd58fc65f0f6.jpg"
    )
    assert feed.entries[0].guid == "https://www.bbc.com/news/articles/cp81l0e1eg5o#0"


def test_media_content_image_is_the_image() -> None:
    """A media:content with medium="image" becomes image_url (gofeed's case)."""
    feed = parse_feed(
        read("gofeed/extensions/media/feed_item_image_-_rss_channel_item_media.xml"),
        url="https://example.com/feed.xml",
    )
    assert feed.entries[0].image_url == "https://example.com/blog-open.png"


def test_categories_become_tags() -> None:
    """RSS <category> values become tags, in order."""
    feed = parse_feed(read("rss-parser/guardian.rss"), url="https://www.theguardian.com/us/rss")
    assert feed.entries[0].tags[:3] == ["Donald Trump", "State of the Union address", "US news"]
    assert feed.entries[0].author == "David Smith in Washington"


def test_atom_entry_language_from_xml_lang() -> None:
    """Atom xml:lang="en-US" gives language "en" on the feed and its entries."""
    feed = parse_feed(read("node-feedparser/tpm.atom"), url=TPM)
    assert feed.language == "en"
    assert {entry.language for entry in feed.entries} == {"en"}
    assert feed.entries[0].author == "Esme Cribb"


def test_atom_published_and_updated_are_kept_apart() -> None:
    """heise's Atom entry keeps <published> and <updated> as separate UTC datetimes."""
    entry = parse_feed(read("rss-parser/heise.atom"), url="https://heise.de/atom").entries[0]
    assert entry.published == datetime(2016, 2, 1, 16, 22, tzinfo=UTC)
    assert entry.updated == datetime(2016, 2, 1, 16, 54, 50, tzinfo=UTC)
    assert entry.guid == "http://heise.de/-3088438"


# --- guid fallbacks ---------------------------------------------------------------------


def test_guid_is_the_feed_id() -> None:
    """A <guid> is used as is, even when it is not the link."""
    feed = parse_feed(read(FFP + "aljazeera.com_xml_rss_all.xml.xml"), url="https://aj/")
    assert feed.entries[0].guid == "https://www.aljazeera.com/?t=1771374614"


def test_guid_falls_back_to_link() -> None:
    """RDF items have no id: the link is the guid."""
    feed = parse_feed(read("miniflux/parser/rdf_UTF8.xml"), url="https://www.heise.de/rdf")
    assert all(entry.guid == entry.url for entry in feed.entries)


def test_guid_falls_back_to_hash_of_title_and_date() -> None:
    """An item with neither id nor link gets a sha256 of title and date, stable across parses."""
    body = read("gofeed/extensions/media/feed_item_image_-_rss_channel_item_media.xml")
    first = parse_feed(body, url="https://example.com/feed.xml").entries[0]
    again = parse_feed(body, url="https://example.com/feed.xml").entries[0]
    expected = hashlib.sha256(b"rss item image from media content\n").hexdigest()
    assert first.url == ""
    assert first.guid == again.guid == expected

    dated = body.replace(
        b"<title>", b"<pubDate>Tue, 03 Jun 2003 09:39:21 GMT</pubDate>\n      <title>"
    )
    assert parse_feed(dated, url="https://example.com/feed.xml").entries[0].guid != expected


# --- dates pass through -----------------------------------------------------------------


def test_future_dates_pass_through() -> None:
    """A pubDate years ahead is returned as the feed says; the pipeline applies the policy."""
    body = read("node-feedparser/rss2sample.xml").replace(
        b"Tue, 03 Jun 2003 09:39:21 GMT", b"Tue, 03 Jun 2031 09:39:21 GMT"
    )
    entry = parse_feed(body, url="http://liftoff.msfc.nasa.gov/rss.xml").entries[0]
    assert entry.published == datetime(2031, 6, 3, 9, 39, 21, tzinfo=UTC)


def test_missing_dates_are_none() -> None:
    """Entries without dates have published and updated None."""
    feed = parse_feed(read("miniflux/parser/rdf_UTF8.xml"), url="https://www.heise.de/rdf")
    assert all(entry.published is None and entry.updated is None for entry in feed.entries)


def test_unparseable_date_is_none() -> None:
    """A date feedparser cannot read becomes None rather than an error."""
    body = read("node-feedparser/rss2sample.xml").replace(
        b"Tue, 03 Jun 2003 09:39:21 GMT", b"sometime last week"
    )
    feed = parse_feed(body, url="http://liftoff.msfc.nasa.gov/rss.xml")
    assert feed.entries[0].published is None
    assert feed.entries[1].published == datetime(2003, 5, 30, 11, 6, 42, tzinfo=UTC)


# --- per-entry error isolation ----------------------------------------------------------


def test_one_broken_entry_does_not_lose_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """When one entry cannot be converted it is skipped and named in warning."""
    real_image_url = feeds._image_url

    def failing_image_url(raw: dict[str, object], base: str) -> str:
        if str(raw.get("title", "")).startswith("Stephen Colbert"):
            raise ValueError("bad media element")
        return real_image_url(raw, base)

    monkeypatch.setattr(feeds, "_image_url", failing_image_url)
    feed = parse_feed(read(FFP + "feeds.bbci.co.uk_news_world_rss.xml.xml"), url="https://bbc/")

    assert len(feed.entries) == 32
    assert "Stephen Colbert" not in " ".join(entry.title for entry in feed.entries)
    assert feed.warning.startswith("skipped 1 of 33 entries: entry 2:")
    assert "bad media element" in feed.warning


# --- helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Bright Victorian &#x0024;4300 1930ft<sup>2</sup>", "Bright Victorian $4300 1930ft2"),
        ("<p>One</p><p>Two</p>", "One Two"),
        ("  Parse podcast\n\tcategories  ", "Parse podcast categories"),
        ("Trump&#039;s &quot;threat&quot;", 'Trump\'s "threat"'),
        ("&lt;b&gt;escaped markup stays text&lt;/b&gt;", "<b>escaped markup stays text</b>"),
        ("a < b and c > d", "a < b and c > d"),
        ("<!-- note -->Hello <em>world</em>", "Hello world"),
        ("Line<br/>break", "Line break"),
        ("", ""),
        (None, ""),
    ],
)
def test_plain_text(raw: str | None, text: str) -> None:
    """Titles lose tags, decode entities and collapse whitespace."""
    assert plain_text(raw) == text


@pytest.mark.parametrize(
    ("raw", "language"),
    [("en-US", "en"), ("en_US", "en"), ("DE", "de"), ("pt-br", "pt"), ("", ""), ("1234", "")],
)
def test_normalize_language(raw: str, language: str) -> None:
    """Language tags reduce to a lower-case primary subtag."""
    assert normalize_language(raw) == language


def test_text_to_html_escapes_and_splits_paragraphs() -> None:
    """Plain text becomes escaped <p> paragraphs with <br> for single newlines."""
    assert text_to_html("Fish & <chips>\nnow\n\nLater") == (
        "<p>Fish &amp; &lt;chips&gt;<br>now</p>\n<p>Later</p>"
    )
