"""Per-source template learning: repeated blocks become boilerplate, articles get re-cleaned."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest import pipeline
from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.extract import extract_article
from newsdesk.ingest.pagepool import PagePool, extract_in_worker
from newsdesk.ingest.pipeline import refresh_source
from newsdesk.ingest.template import (
    MIN_PAGES,
    SourceTemplate,
    TemplateState,
    block_print,
    observe,
    strip_learned,
)
from newsdesk.ingest.types import ExtractedPage
from newsdesk.sources.models import Source, SourceBoilerplate
from newsdesk.stories.models import Article

DISCLAIMER = (
    "The views expressed in this column are the author's own and do not necessarily reflect"
    " those of the Riverside Gazette."
)
BACKGROUND = (
    "The tram network, opened in 1978, carries about 90,000 passengers on an ordinary weekday"
    " and has not been extended since the airport branch was finished."
)
STORIES = [
    [
        "The city council voted on Tuesday to extend the tram line by four kilometres, a plan"
        " debated for nearly a decade and opposed by shop owners along the route.",
        "Construction is due to start next spring and will close the main avenue for eighteen"
        " months, the transport department said after the vote.",
    ],
    [
        "Bus drivers will strike for two days next week after talks on pay broke down late on"
        " Friday, the union representing about a thousand drivers said.",
        "The transport authority said it would run a reduced timetable on the busiest routes"
        " and advised commuters to travel outside the morning peak.",
    ],
    [
        "A new cycle bridge over the river opened on Saturday, linking the eastern districts to"
        " the old town and cutting a twenty-minute detour to five minutes.",
        "The bridge cost less than planned, the engineers said, because its steel deck was"
        " assembled on the bank and floated into place in a single night.",
    ],
]


def story_page(index: int) -> bytes:
    """An article of the same site: its own paragraphs, shared background and disclaimer."""
    first, second = STORIES[index]
    body = f"<p>{first}</p><p>{BACKGROUND}</p><p>{second}</p><p>{DISCLAIMER}</p>"
    return (
        "<html lang='en'><head><title>Story</title>"
        f"<link rel='canonical' href='https://gazette.example/news/{index}'></head><body>"
        f"<article><h1>Story {index}</h1>{body}</article></body></html>"
    ).encode()


def test_a_block_on_two_pages_becomes_boilerplate() -> None:
    """A print counts once per page; on MIN_PAGES different pages it is learned."""
    state = TemplateState()
    value = block_print(DISCLAIMER)
    assert observe(state, "https://gazette.example/1", [value, value]) == frozenset()
    assert observe(state, "https://gazette.example/1", [value]) == frozenset()
    learned = observe(state, "https://gazette.example/2", [value])
    assert MIN_PAGES == 2 and learned == {value}
    assert TemplateState.from_json(state.as_json()).learned() == {value}


def test_prints_ignore_digits_case_and_spacing() -> None:
    """A dated copyright line or a ticker matches itself from day to day."""
    assert block_print("© 2023 Gazette.  All rights reserved") == block_print(
        "© 2024 gazette. All Rights Reserved"
    )
    assert block_print("Share") == ""


def test_learned_disclaimer_leaves_a_new_page_but_background_stays() -> None:
    """The edge disclaimer goes; a repeated background sentence mid-body is kept."""
    template = SourceTemplate(
        {"gazette.example": frozenset({block_print(DISCLAIMER), block_print(BACKGROUND)})}
    )
    plain = extract_article(story_page(2), url="https://gazette.example/news/2")
    cleaned = extract_article(
        story_page(2), url="https://gazette.example/news/2", template=template
    )
    assert DISCLAIMER[:40] in plain.text
    assert DISCLAIMER[:40] not in cleaned.text
    assert DISCLAIMER[:40] not in cleaned.html
    assert BACKGROUND[:40] in cleaned.text
    assert cleaned.block_prints == plain.block_prints
    assert pickle.loads(pickle.dumps(template)) == template


def test_other_hosts_keep_their_blocks() -> None:
    """What one host taught is not applied to another host's pages."""
    template = SourceTemplate({"elsewhere.example": frozenset({block_print(DISCLAIMER)})})
    page = extract_article(story_page(0), url="https://gazette.example/news/0", template=template)
    assert DISCLAIMER[:40] in page.text


def test_strip_learned_cleans_stored_html_and_text() -> None:
    """A stored body loses the learned block in HTML and text; nothing learned, nothing changes."""
    first, second = STORIES[0]
    html = f"<p>{first}</p>\n<p>{BACKGROUND}</p>\n<p>{second}</p>\n<p>{DISCLAIMER}</p>"
    text = f"{first}\n{BACKGROUND}\n{second}\n{DISCLAIMER}"
    learned = {block_print(DISCLAIMER), block_print(BACKGROUND)}
    result = strip_learned(html, text, learned)
    assert result is not None
    new_html, new_text = result
    assert DISCLAIMER not in new_html and DISCLAIMER not in new_text
    assert BACKGROUND in new_html and BACKGROUND in new_text
    assert strip_learned(html, text, {block_print("Something else entirely")}) is None
    assert strip_learned("", "", learned) is None


def gazette(corpus_server: CorpusServer) -> Source:
    """A source whose feed links the three story pages, served by ``corpus_server``."""
    root: Path = corpus_server.root
    (root / "pages").mkdir()
    items = []
    for index in range(len(STORIES)):
        (root / "pages" / f"{index}.html").write_bytes(story_page(index))
        link = corpus_server.url(f"pages/{index}.html")
        items.append(
            f"<item><title>Story {index}</title><link>{link}</link><guid>story-{index}</guid>"
            f"<description>Short teaser {index}.</description></item>"
        )
    feed = f"<rss version='2.0'><channel><title>Gazette</title>{''.join(items)}</channel></rss>"
    (root / "feed.xml").write_text(feed)
    return Source.objects.create(name="Gazette", feed_url=corpus_server.url("feed.xml"))


@pytest.mark.django_db(transaction=True)
def test_a_refresh_reads_the_learned_template_again_only_after_learning(
    corpus_server: CorpusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of one refresh share one read of the source's boilerplate until a page teaches more.

    Page 1 reads it (nothing learned yet), page 2 reuses it and its blocks make the
    disclaimer boilerplate, so page 3 reads again and is extracted without it.
    """
    source = gazette(corpus_server)
    reads: list[int] = []
    real = pipeline.source_template

    def counted(read_for: Source) -> SourceTemplate:
        template = real(read_for)
        reads.append(len(template.prints_for("gazette.example")))
        return template

    monkeypatch.setattr(pipeline, "source_template", counted)

    assert refresh_source(source).new == 3

    assert reads == [0, 2]  # after page 2: the disclaimer and the shared background
    last = Article.objects.get(source=source, url__endswith="pages/2.html")
    assert DISCLAIMER[:40] not in last.body_text


@pytest.mark.django_db(transaction=True)
def test_crawl_learns_the_template_and_recleans_stored_articles(
    corpus_server: CorpusServer,
) -> None:
    """After a crawl of three pages of one site, no stored article keeps the disclaimer."""
    source = gazette(corpus_server)

    results = crawl([source])

    assert results[0].new == 3
    row = SourceBoilerplate.objects.get(source=source, host="gazette.example")
    assert block_print(DISCLAIMER) in row.learned
    for article in Article.objects.filter(source=source):
        assert DISCLAIMER[:40] not in article.body_text
        assert DISCLAIMER[:40] not in article.body_html
        assert BACKGROUND[:40] in article.body_text


@pytest.mark.django_db
def test_recleaning_keeps_the_sites_own_pictures() -> None:
    """Re-cleaning a stored body keeps its local images' srcset and site paths."""
    from newsdesk.core.media import rendition_name, rendition_url
    from newsdesk.ingest.pipeline import reclean_articles
    from tests.site.factories import make_article, make_image

    image = make_image()
    src = rendition_url(rendition_name(image.digest, 640, image.extension))
    srcset = f"{src} 640w"
    picture = f'<figure><img src="{src}" srcset="{srcset}" alt="A tram"></figure>'
    article = make_article(
        url="https://gazette.example/tram",
        body_html=f"<p>{BACKGROUND}</p>\n{picture}\n<p>{DISCLAIMER}</p>",
        body_text=f"{BACKGROUND}\n{DISCLAIMER}",
    )
    assert reclean_articles(article.source, frozenset({block_print(DISCLAIMER)})) == 1
    article.refresh_from_db()
    assert DISCLAIMER not in article.body_html
    assert f'src="{src}"' in article.body_html and f'srcset="{srcset}"' in article.body_html


@pytest.mark.django_db
@pytest.mark.parametrize("extracted_with_it", [False, True])
def test_a_page_stored_after_its_boilerplate_was_learned_is_cleaned_too(
    extracted_with_it: bool,
) -> None:
    """A page extracted before another page taught the disclaimer loses it when counted.

    Crawl threads extract a source's pages at once: the re-clean started by the page
    that taught the block can run before this article is stored, so counting this
    page cleans it. A page extracted with the block already learned is left alone.
    """
    from newsdesk.ingest.pipeline import learn_template
    from tests.site.factories import make_article

    article = make_article(
        url="https://gazette.example/news/2",
        body_html=f"<p>{STORIES[2][0]}</p>\n<p>{DISCLAIMER}</p>",
        body_text=f"{STORIES[2][0]}\n{DISCLAIMER}",
    )
    state = TemplateState()
    for index in (0, 1):
        page = extract_article(story_page(index), url=f"https://gazette.example/news/{index}")
        observe(state, f"https://gazette.example/news/{index}", page.block_prints)
    disclaimer = block_print(DISCLAIMER)
    assert disclaimer in state.learned()
    SourceBoilerplate.objects.create(
        source=article.source,
        host="gazette.example",
        state=state.as_json(),
        learned=sorted(state.learned()),
    )
    page = extract_article(story_page(2), url="https://gazette.example/news/2")
    used = state.learned() if extracted_with_it else frozenset()

    new = learn_template(
        article.source, page, "https://gazette.example/news/2", article=article, used=used
    )

    assert new == frozenset()  # nothing learned just now: no re-clean of the source
    article.refresh_from_db()
    assert (DISCLAIMER in article.body_text) is extracted_with_it
    assert STORIES[2][0] in article.body_text


class InProcessPool(PagePool):
    """A pool that extracts in this process and records whether it was asked to assemble."""

    def __init__(self, processes: int) -> None:
        super().__init__(processes=processes)
        self.assembled: list[bool] = []

    def extract(self, html: bytes, *, url: str, **options: Any) -> ExtractedPage:
        self.assembled.append(options.get("entry") is not None)
        return extract_in_worker(html, url, options)


@pytest.mark.parametrize(("processes", "in_worker"), [(1, False), (2, True)])
@pytest.mark.django_db(transaction=True)
def test_workers_assemble_only_when_there_are_several(
    corpus_server: CorpusServer, processes: int, in_worker: bool
) -> None:
    """A lone worker's core is the bottleneck: the crawler assembles; a pool's workers do.

    Either way the articles are stored with their pages' text.
    """
    pool = InProcessPool(processes)
    assert refresh_source(gazette(corpus_server), pages=pool).new == 3
    assert pool.assembled == [in_worker] * 3
    assert all(article.body_text for article in Article.objects.all())
