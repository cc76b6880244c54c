"""What `newsdesk demo` registers: categories, editors and sources of the offline corpus.

The corpus in ``corpus/`` holds three kinds of source (see corpus/ORIGIN.md):

- ``real-feed``: a publisher's feed saved as it was served, whose entries carry
  their full content; their links point at the public web, which the demo never
  fetches (it allows only 127.0.0.1).
- ``built-feed``: a feed written for the demo whose items carry only a short
  summary and link to real article pages kept beside it, so the crawler runs its
  full-text extraction. These feeds are templates: ``render_corpus`` writes the
  server's base URL in place of ``{{BASE_URL}}``.
- ``story-feed``: a feed written for the demo from saved articles, with their full
  text: three outlets' own reports of the same events (so the site shows stories
  with "+N sources", and wire copies credited to the first outlet), and a
  fictional republisher copying posts of other demo sources (reprint credit).
  ``build_story_feeds.py`` regenerates them.
- ``broken``: a source that fails on purpose, so the admin shows a stored error.

Titles, dates and summaries of built-feed items are the pages' own; nothing is
made fresh. The editors are fictional demo personas.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDER = "{{BASE_URL}}"
KINDS = ("real-feed", "built-feed", "story-feed", "broken")
# Only files under these folders are templates; real feeds are served byte for byte.
TEMPLATE_DIRS = ("feeds/built",)
# Documentation of the corpus, not something the server offers.
NOT_SERVED = ("ORIGIN.md",)
# Characters that would need escaping inside XML attributes or JSON strings.
_UNSAFE_IN_URL = re.compile(r"[\s<>&\"'\\{}]")


@dataclass(frozen=True)
class DemoEditor:
    """A fictional editor who looks after some of the demo sources."""

    name: str
    slug: str
    bio: str


@dataclass(frozen=True)
class DemoSource:
    """A source of the demo corpus; ``path`` is its URL path on the corpus server."""

    name: str
    path: str
    category: str  # a slug from CATEGORIES
    editor_slug: str
    kind: str  # one of KINDS
    language: str = ""  # ISO 639-1; empty lets the crawler detect it
    note: str = ""


# (name, slug, order)
CATEGORIES: tuple[tuple[str, str, int], ...] = (
    ("World", "world", 1),
    ("Politics", "politics", 2),
    ("Business", "business", 3),
    ("Technology", "technology", 4),
    ("Culture", "culture", 5),
)

EDITORS: tuple[DemoEditor, ...] = (
    DemoEditor(
        "Maria Alvarez",
        "maria-alvarez",
        "Maria Alvarez is an editor covering world news and politics.",
    ),
    DemoEditor(
        "Jonas Becker",
        "jonas-becker",
        "Jonas Becker is an editor covering European affairs and the German- "
        "and French-language press.",
    ),
    DemoEditor(
        "Priya Raman",
        "priya-raman",
        "Priya Raman is an editor covering technology and computer security.",
    ),
    DemoEditor(
        "Samuel Okafor",
        "samuel-okafor",
        "Samuel Okafor is an editor covering business, the economy and culture.",
    ),
)

SOURCES: tuple[DemoSource, ...] = (
    DemoSource(
        "World Press Sampler",
        "feeds/built/world.rss",
        "world",
        "maria-alvarez",
        "built-feed",
        "en",
        "RSS 2.0 with summaries only; items link to saved pages of five outlets.",
    ),
    DemoSource(
        "US Politics Sampler",
        "feeds/built/politics.atom",
        "politics",
        "maria-alvarez",
        "built-feed",
        "en",
        "Atom 1.0 with summaries only; items link to saved pages of five outlets.",
    ),
    DemoSource(
        "Business Press Sampler",
        "feeds/built/business.json",
        "business",
        "samuel-okafor",
        "built-feed",
        "en",
        "JSON Feed 1.1; content_text repeats the summary (the spec requires content).",
    ),
    DemoSource(
        "Deutsche Presseschau",
        "feeds/built/presse-de.rss",
        "world",
        "jonas-becker",
        "built-feed",
        "de",
        "RSS 2.0 in German; items link to saved pages of German and Austrian outlets.",
    ),
    DemoSource(
        "Revue de presse française",
        "feeds/built/presse-fr.atom",
        "politics",
        "jonas-becker",
        "built-feed",
        "fr",
        "Atom 1.0 in French; items link to saved pages of French outlets.",
    ),
    DemoSource(
        "Prensa en español",
        "feeds/built/prensa-es.rss",
        "world",
        "maria-alvarez",
        "built-feed",
        "es",
        "RSS 2.0 in Spanish; items link to saved pages of Latin American outlets.",
    ),
    DemoSource(
        "Picture Desk",
        "feeds/built/pictures.rss",
        "culture",
        "samuel-okafor",
        "built-feed",
        "en",
        "RSS 2.0; items link to pages of public-domain and CC0 photographs shipped with "
        "scikit-image, so the image pipeline runs on real pictures.",
    ),
    DemoSource(
        "TechCrunch",
        "feeds/real/techcrunch.rss",
        "technology",
        "priya-raman",
        "real-feed",
        "en",
        "Saved in November 2011; has a blank line before the XML declaration.",
    ),
    DemoSource(
        "Artificial truth",
        "feeds/real/artificial-truth.atom",
        "technology",
        "priya-raman",
        "real-feed",
        "en",
        "dustri.org security blog, Atom, full posts from 2023-2024.",
    ),
    DemoSource(
        "Loud And Quiet",
        "feeds/real/loud-and-quiet.atom",
        "culture",
        "samuel-okafor",
        "real-feed",
        "en",
        "Music magazine, Atom, full posts from 2024-2025.",
    ),
    DemoSource(
        "killjoy. with will butler",
        "feeds/real/killjoy.rss",
        "culture",
        "samuel-okafor",
        "real-feed",
        "en",
        "Video-game criticism newsletter, RSS with full posts from 2025-2026.",
    ),
    DemoSource(
        "Food in Invironment on Medium",
        "feeds/real/invironment.rss",
        "culture",
        "samuel-okafor",
        "real-feed",
        "en",
        "Medium publication, RSS with content:encoded from 2017-2018.",
    ),
    DemoSource(
        "The Washington Post",
        "feeds/stories/washington-post.rss",
        "world",
        "maria-alvarez",
        "story-feed",
        "en",
        "The outlet's saved reports of eight events of 2016-2018 that other outlets covered too.",
    ),
    DemoSource(
        "The New York Times",
        "feeds/stories/new-york-times.rss",
        "world",
        "maria-alvarez",
        "story-feed",
        "en",
        "The outlet's saved reports of the same eight events; several are AP wire copies.",
    ),
    DemoSource(
        "Daily Mail",
        "feeds/stories/daily-mail.rss",
        "world",
        "maria-alvarez",
        "story-feed",
        "en",
        "The outlet's saved reports of the same eight events.",
    ),
    DemoSource(
        "Syndicated Digest",
        "feeds/stories/syndicated-digest.rss",
        "culture",
        "samuel-okafor",
        "story-feed",
        "en",
        "A fictional republisher: copies of Loud And Quiet and killjoy posts, hours later.",
    ),
    DemoSource(
        "Not a feed (broken on purpose)",
        "broken/not-a-feed.html",
        "technology",
        "priya-raman",
        "broken",
        "en",
        "Broken on purpose: an HTML page with no feed links, so the crawler stores "
        "a 'not a feed' error on the source.",
    ),
)


def corpus_root() -> Path:
    """Return the folder holding the demo corpus as shipped (feeds still templates)."""
    return Path(__file__).resolve().parent / "corpus"


def render_corpus(base_url: str, target: Path) -> Path:
    """Write the servable corpus into target, with base_url in the feed templates."""
    base = _checked_base_url(base_url)
    root = corpus_root()
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(root.rglob("*")):
        relative = source.relative_to(root).as_posix()
        if not source.is_file() or relative in NOT_SERVED:
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if _is_template(relative):
            # Bytes, not text: the placeholder is ASCII and the files stay as encoded.
            destination.write_bytes(
                source.read_bytes().replace(PLACEHOLDER.encode(), base.encode())
            )
        else:
            shutil.copyfile(source, destination)
    return target


def source_url(base_url: str, source: DemoSource) -> str:
    """Return the feed URL of a source on a corpus server at base_url."""
    return f"{_checked_base_url(base_url)}/{source.path}"


def _is_template(relative: str) -> bool:
    return any(relative.startswith(folder + "/") for folder in TEMPLATE_DIRS)


def _checked_base_url(base_url: str) -> str:
    """Refuse base URLs that would break the XML and JSON they are written into."""
    base = base_url.rstrip("/")
    if not re.match(r"^https?://[^/]+", base) or _UNSAFE_IN_URL.search(base):
        raise ValueError(f"not a usable base URL for the demo corpus: {base_url!r}")
    return base
