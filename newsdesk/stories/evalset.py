"""The labelled evaluation set: real same-event articles plus synthetic reprints.

Real articles come from the Giveme5W1H news-cluster set (``evaldata/``, see its
ORIGIN.md): 383 English articles from 94 outlets, grouped by the dataset's
authors into events. Labels:

- **same story**: the same ``event_id``; a synthetic copy belongs to its original's event.
- **reprint**: a synthetic copy and its original (ground truth by construction).
  The real set carries no reprint labels, and it holds real wire copies (AP and
  Reuters stories several outlets carry): two real articles of one event whose
  headlines share 60% of their words, or whose bodies overlap by half or more,
  are left out of the reprint scores (as are copies made of them); every other
  pair is a labelled non-copy.

Synthetic copies are made from the real articles by ``make_copy`` (boilerplate
added, intro rewritten, truncated, paragraphs reordered, light edits, title
translated word by word, and intro rewritten plus truncated), published 1 to 30
hours after their original by a republisher. Hard negatives are real: the same
category but a different event (``same_topic``), and the same outlet writing
again about one event (``follow_up``: one story, but not a copy).

Events are split in two halves by a hash of their name: ``dev`` for tuning the
thresholds, ``held-back`` for the figures reported.
"""

from __future__ import annotations

import json
import random
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.core.text import normalized_words
from newsdesk.stories.types import ArticleItem

DATA = Path(__file__).resolve().parent / "evaldata" / "giveme5w1h_news_cluster.jsonl"
SPLITS = ("dev", "held-back")
COPY_KINDS = (
    "boilerplate",
    "intro_rewritten",
    "truncated",
    "reordered",
    "light_edits",
    "translated_title",
    "rewritten_and_truncated",
)
REPUBLISHERS = 6
REPUBLISHER_BASE = 100_000
# A crawler sees a timestamped article within hours; a bare date gets midday.
SEEN_DELAY = timedelta(hours=2)
BARE_DATE_SEEN = timedelta(hours=12)

BOILERPLATE_HEAD = "This story was first published by {outlet} and is republished with permission."
BOILERPLATE_TAIL = (
    "Sign up for our daily newsletter to get the latest headlines in your inbox every "
    "morning. Copyright 2018 {republisher}. All rights reserved. Follow us on social media "
    "for more news, photos and videos from around the world."
)
READ_MORE = "Read the full story at {outlet}."
# Words most English headlines use, rendered in German; names pass through unchanged.
GERMAN = {
    "the": "der", "a": "ein", "an": "ein", "of": "von", "in": "in", "on": "auf",
    "to": "nach", "for": "für", "with": "mit", "and": "und", "after": "nach",
    "is": "ist", "are": "sind", "new": "neue", "first": "erste", "says": "sagt",
    "killed": "getötet", "dead": "tot", "police": "Polizei", "year": "Jahr",
    "years": "Jahre", "world": "Welt", "crash": "Absturz", "attack": "Angriff",
    "plane": "Flugzeug", "ship": "Schiff", "bridge": "Brücke", "girl": "Mädchen",
    "woman": "Frau", "man": "Mann", "people": "Menschen", "over": "über",
    "from": "aus", "at": "bei", "by": "von", "as": "als", "record": "Rekord",
    "launch": "Start", "rocket": "Rakete", "space": "Weltraum", "moon": "Mond",
    "bill": "Rechnung", "flight": "Flug", "school": "Schule", "win": "Sieg",
}  # fmt: skip


@dataclass(frozen=True)
class CorpusArticle:
    """One article of the news-cluster set."""

    key: str
    event_id: int
    event: str
    category: str
    outlet: str
    title: str
    description: str
    text: str
    published: datetime
    bare_date: bool
    url: str


@dataclass
class EvalSet:
    """Items to place, in arrival order, and what is known about each."""

    split: str
    items: list[ArticleItem] = field(default_factory=list)
    event: dict[int, int] = field(default_factory=dict)
    category: dict[int, str] = field(default_factory=dict)
    outlet: dict[int, str] = field(default_factory=dict)
    title_key: dict[int, str] = field(default_factory=dict)
    copy_of: dict[int, int] = field(default_factory=dict)
    copy_kind: dict[int, str] = field(default_factory=dict)


def load_corpus(path: Path = DATA) -> list[CorpusArticle]:
    """Read the news-cluster set."""
    articles = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        published = datetime.fromisoformat(row["date_publish"]).replace(tzinfo=UTC)
        articles.append(
            CorpusArticle(
                key=row["id"],
                event_id=int(row["event_id"]),
                event=row["event"],
                category=row["category"],
                outlet=row["source_domain"],
                title=row["title"] or "",
                description=row["description"] or "",
                text=row["text"] or "",
                published=published,
                bare_date=published.time() == datetime.min.time(),
                url=row["url"],
            )
        )
    return articles


def split_of(article: CorpusArticle) -> str:
    """Put every article of one event in the same half."""
    return SPLITS[zlib.crc32(article.event.encode()) % 2]


def build_set(split: str, corpus: list[CorpusArticle] | None = None) -> EvalSet:
    """Build one half of the labelled set, real articles and their synthetic copies."""
    chosen = [a for a in (corpus or load_corpus()) if split_of(a) == split]
    chosen.sort(key=lambda a: (a.published, a.key))
    outlets = {name: number for number, name in enumerate(sorted({a.outlet for a in chosen}), 1)}
    evaluation = EvalSet(split)
    pending: list[tuple[datetime, int, ArticleItem]] = []
    rng = random.Random(f"newsdesk-eval-{split}")
    for number, article in enumerate(chosen, 1):
        item = _item(number, article, outlets[article.outlet])
        pending.append((item.first_seen_at, item.id, item))
        _label(evaluation, item.id, article)
        if len(normalized_words(article.text)) < 120:
            continue
        kind = COPY_KINDS[number % len(COPY_KINDS)]
        copy = make_copy(article, kind, rng, copy_id=10_000 + number, original=item)
        pending.append((copy.first_seen_at, copy.id, copy))
        _label(evaluation, copy.id, article)
        evaluation.title_key[copy.id] = f"copy-{copy.id}"
        evaluation.copy_of[copy.id] = item.id
        evaluation.copy_kind[copy.id] = kind
    pending.sort(key=lambda entry: (entry[0], entry[1]))
    evaluation.items = [item for _, _, item in pending]
    return evaluation


def _item(number: int, article: CorpusArticle, source_id: int) -> ArticleItem:
    delay = BARE_DATE_SEEN if article.bare_date else SEEN_DELAY
    return ArticleItem(
        id=number,
        source_id=source_id,
        title=article.title,
        text=article.text,
        language="en",
        published_at=article.published,
        first_seen_at=article.published + delay,
        canonical_url=article.url,
        summary=article.description,
    )


def _label(evaluation: EvalSet, item_id: int, article: CorpusArticle) -> None:
    evaluation.event[item_id] = article.event_id
    evaluation.category[item_id] = article.category
    evaluation.outlet[item_id] = article.outlet
    evaluation.title_key[item_id] = " ".join(normalized_words(article.title))


def make_copy(
    article: CorpusArticle,
    kind: str,
    rng: random.Random,
    *,
    copy_id: int,
    original: ArticleItem,
) -> ArticleItem:
    """Make a republisher's copy of ``article`` of the given kind."""
    paragraphs = [p.strip() for p in article.text.split("\n") if p.strip()]
    republisher = rng.randrange(REPUBLISHERS)
    names = {"outlet": article.outlet, "republisher": f"Republisher {republisher}"}
    title = article.title
    if kind == "boilerplate":
        paragraphs = [
            BOILERPLATE_HEAD.format(**names),
            *paragraphs,
            BOILERPLATE_TAIL.format(**names),
        ]
    elif kind == "intro_rewritten":
        paragraphs = _rewrite_intro(paragraphs, rng)
    elif kind == "truncated":
        paragraphs = [*_truncate(paragraphs, rng), READ_MORE.format(**names)]
    elif kind == "reordered":
        rng.shuffle(paragraphs)
    elif kind == "light_edits":
        paragraphs = [_edit(p, rng) for p in paragraphs]
    elif kind == "translated_title":
        title = translate_title(article.title)
    elif kind == "rewritten_and_truncated":
        paragraphs = _truncate(_rewrite_intro(paragraphs, rng), rng)
    published = original.reported_at + timedelta(hours=rng.uniform(1, 30))
    return ArticleItem(
        id=copy_id,
        source_id=REPUBLISHER_BASE + republisher,
        title=title,
        text="\n".join(paragraphs),
        language="en",
        published_at=published,
        first_seen_at=published + SEEN_DELAY,
        canonical_url=f"https://republisher-{republisher}.example/{copy_id}",
        summary="",
    )


def _rewrite_intro(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Write the intro again: the first paragraph (or, in a text of few paragraphs, its first
    sentence) said in other words, its sentences reversed and about a word in four dropped."""
    first = paragraphs[0]
    if len(paragraphs) >= 4:
        intro, rest = first, ""
    else:
        intro, _, rest = first.partition(". ")
    sentences = [s for s in intro.replace("? ", ". ").split(". ") if s]
    sentences.reverse()
    words = " ".join(sentences).split()
    kept = [w for w in words if rng.randrange(4)]
    rewritten = "Here is what we know so far: " + " ".join(kept)
    return [f"{rewritten} {rest}".strip(), *paragraphs[1:]]


def _truncate(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Trim the ending: keep 60 to 80 per cent of the text, in whole paragraphs."""
    total = sum(len(p) for p in paragraphs)
    share = rng.uniform(0.6, 0.8)
    kept: list[str] = []
    for paragraph in paragraphs:
        if kept and sum(len(p) for p in kept) >= total * share:
            break
        kept.append(paragraph)
    return kept


def _edit(paragraph: str, rng: random.Random) -> str:
    """Change about one word in twenty-five: a house style's words, a dropped word, a typo."""
    words = paragraph.split()
    edited = []
    for word in words:
        roll = rng.random()
        if word == "said":
            edited.append("says")
        elif roll < 0.015:
            continue
        elif roll < 0.04 and len(word) > 3:
            edited.append(word[:-2] + word[-1] + word[-2])
        else:
            edited.append(word)
    return " ".join(edited)


def translate_title(title: str) -> str:
    """Render a headline word by word in German, as a foreign republisher's headline."""
    return " ".join(GERMAN.get(word.lower(), word) for word in title.split())
