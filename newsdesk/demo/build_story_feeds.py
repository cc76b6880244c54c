"""Regenerate the demo's story feeds: `python -m newsdesk.demo.build_story_feeds`.

Writes ``corpus/feeds/stories/``: one RSS 2.0 feed per outlet with that outlet's
own saved articles about events that other outlets also covered (from the
Giveme5W1H news-cluster set in ``newsdesk/stories/evaldata``), and the feed of a
fictional republisher that copies a few articles of other demo sources with its
own boilerplate. Items carry their full text, so the crawler fetches no page;
links point at the public web (or example.org), which the demo never fetches.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser

from newsdesk.demo.catalog import corpus_root
from newsdesk.stories.evalset import CorpusArticle, load_corpus

OUTLETS = {
    "www.washingtonpost.com": ("washington-post.rss", "The Washington Post"),
    "www.nytimes.com": ("new-york-times.rss", "The New York Times"),
    "www.dailymail.co.uk": ("daily-mail.rss", "Daily Mail"),
}
# Events at least two of the outlets reported within a day or two of each other.
EVENTS = (4, 5, 13, 21, 24, 35, 54, 66)
PER_EVENT = 2
REPUBLISHER = "Syndicated Digest"
# (feed under feeds/real, entry title starts with, hours after the original)
REPUBLISHED = (
    ("loud-and-quiet.atom", "20 Years of Loud And Quiet", 6),
    ("loud-and-quiet.atom", "Charli XCX at The O2", 20),
    ("killjoy.rss", "JOHN WICK THE MOVIE", 5),
)
HEAD = "<p><em>This article first appeared in {outlet} and is republished with permission.</em></p>"
TAIL = (
    "<p>Syndicated Digest republishes the best writing from independent outlets. "
    "Sign up for our weekly newsletter.</p>"
)


def rss(title: str, link: str, items: list[str]) -> str:
    """Wrap items in an RSS 2.0 channel with the content module."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f"<channel>\n<title>{html.escape(title)}</title>\n<link>{html.escape(link)}</link>\n"
        "<description>Demo feed built for Newsdesk from saved articles "
        "(see ORIGIN.md).</description>\n<language>en</language>\n"
        + "".join(items)
        + "</channel>\n</rss>\n"
    )


def item(title: str, link: str, guid: str, published: datetime, summary: str, content: str) -> str:
    return (
        "<item>\n"
        f"  <title>{html.escape(title)}</title>\n"
        f"  <link>{html.escape(link)}</link>\n"
        f'  <guid isPermaLink="false">{html.escape(guid)}</guid>\n'
        f"  <pubDate>{format_datetime(published)}</pubDate>\n"
        f"  <description>{html.escape(summary)}</description>\n"
        f"  <content:encoded>{html.escape(content)}</content:encoded>\n"
        "</item>\n"
    )


def paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n") if p.strip())


def outlet_feeds(corpus: list[CorpusArticle], target: Path) -> None:
    for domain, (filename, name) in OUTLETS.items():
        chosen = []
        for event_id in EVENTS:
            own = [a for a in corpus if a.event_id == event_id and a.outlet == domain]
            chosen += sorted(own, key=lambda a: a.published)[:PER_EVENT]
        chosen.sort(key=lambda a: a.published, reverse=True)
        items = [
            item(a.title, a.url, a.key, a.published, a.description, paragraphs(a.text))
            for a in chosen
        ]
        (target / filename).write_text(rss(name, f"https://{domain}/", items), encoding="utf-8")


def republisher_feed(target: Path) -> None:
    items = []
    for number, (feed, title_start, hours) in enumerate(REPUBLISHED, 1):
        parsed = feedparser.parse((corpus_root() / "feeds" / "real" / feed).read_bytes())
        entry = next(e for e in parsed.entries if e.title.startswith(title_start))
        content = (entry.get("content") or [{}])[0].get("value") or entry.get("summary", "")
        published = datetime(*entry.published_parsed[:6]).replace(tzinfo=UTC)
        published += timedelta(hours=hours)
        outlet = parsed.feed.get("title", feed)
        items.append(
            item(
                entry.title,
                f"https://syndicated-digest.example.org/{number}",
                f"urn:newsdesk:demo:syndicated-digest:{number}",
                published,
                f"Republished from {outlet}.",
                HEAD.format(outlet=html.escape(outlet)) + content + TAIL,
            )
        )
    (target / "syndicated-digest.rss").write_text(
        rss(REPUBLISHER, "https://syndicated-digest.example.org/", items), encoding="utf-8"
    )


def main() -> None:
    target = corpus_root() / "feeds" / "stories"
    target.mkdir(parents=True, exist_ok=True)
    outlet_feeds(load_corpus(), target)
    republisher_feed(target)


if __name__ == "__main__":
    main()
