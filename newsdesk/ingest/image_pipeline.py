"""Fetch, check and store an article's images; rewrite its body to show the local copies.

The orchestrator of the image stage (``ingest/images.py``) and, beside
``pipeline.py``, the only ingest module that reads and writes models.
``pipeline.store_entry`` calls ``illustrate()`` before it stores an article, so
no stored body ever points at another site, and ``record_images()`` after.
``newsdesk images refresh`` calls ``refresh_article_images()`` for stored ones.

Every image goes through the gathering fetcher (robots.txt, address and host
checks, size cap, per-host pauses). One that fails for any reason is dropped
from the body, with the wrapper it leaves empty; the article is stored anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from newsdesk.core.media import NAME_DIGEST_CHARS, digest_in_url
from newsdesk.core.urls import is_http_url
from newsdesk.ingest.errors import IngestError
from newsdesk.ingest.images import (
    FoundImage,
    ImageLimits,
    ProcessedImage,
    find_images,
    process_image,
    renditions_stored,
    rewrite_images,
    store_renditions,
)
from newsdesk.ingest.types import FetchResult, PreparedArticle
from newsdesk.stories.models import Article, ArticleImage, Image, ImageRole

logger = logging.getLogger(__name__)

FetchImage = Callable[[str], FetchResult]


@dataclass(frozen=True)
class KeptImage:
    """A picture an article shows: where it came from, its alt text and its stored row."""

    source_url: str
    alt: str
    image: Image


@dataclass
class Illustration:
    """An article's images after fetching: the rewritten body, its lead and body pictures."""

    body_html: str
    lead: KeptImage | None = None
    body: list[KeptImage] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)  # source URL -> reason


def illustrate(
    prepared: PreparedArticle, fetch: FetchImage
) -> tuple[PreparedArticle, Illustration]:
    """Fetch the images of an assembled article and point its body at the stored copies."""
    illustration = illustrate_html(prepared.body_html, prepared.image_url, fetch)
    return replace(prepared, body_html=illustration.body_html), illustration


def illustrate_html(
    body_html: str,
    image_url: str,
    fetch: FetchImage,
    *,
    previous: Mapping[str, ArticleImage] | None = None,
    refetch: bool = False,
) -> Illustration:
    """Keep the body's images that pass, drop the rest, and choose the lead picture.

    ``previous`` maps the content hashes (core.media.digest_in_url) of a body's
    stored images to the rows that record them, so a refresh fetches each from
    its source again; ``refetch`` skips the reuse of
    images already fetched from the same address for another article.
    """
    if not settings.NEWSDESK_IMAGES:
        return Illustration(rewrite_images(body_html, {}))
    gatherer = _Gatherer(fetch, ImageLimits.from_settings(), refetch)
    illustration = Illustration(body_html)
    pictures = {}
    wanted = find_images(body_html)[: int(settings.NEWSDESK_IMAGES_PER_ARTICLE)]
    gatherer.look_up([found.src for found in wanted] + [image_url])
    for found in wanted:
        kept = gatherer.keep(found, (previous or {}).get(digest_in_url(found.src)))
        if kept is not None:
            illustration.body.append(kept)
            pictures[found.src] = kept.image.picture("body")
    illustration.body_html = rewrite_images(body_html, pictures)
    illustration.lead = _choose_lead(image_url, illustration.body, gatherer)
    illustration.dropped = gatherer.dropped
    return illustration


def _choose_lead(image_url: str, body: list[KeptImage], gatherer: _Gatherer) -> KeptImage | None:
    """The source's own picture when it passes, else the body's first."""
    if is_http_url(image_url):
        same = next((kept for kept in body if kept.source_url == image_url), None)
        lead = same or gatherer.keep(FoundImage(image_url, ""), None)
        if lead is not None:
            return lead
    return body[0] if body else None


class _Gatherer:
    """Fetch each source URL once per article and keep what passes the checks."""

    def __init__(self, fetch: FetchImage, limits: ImageLimits, refetch: bool) -> None:
        self.fetch = fetch
        self.limits = limits
        self.refetch = refetch
        self.dropped: dict[str, str] = {}
        self._seen: dict[str, Image | None] = {}
        self._known: dict[str, Image] | None = None  # set by look_up()

    def look_up(self, urls: list[str]) -> None:
        """Find the images already fetched from any of ``urls``, in one query for the article."""
        if not self.refetch:
            self._known = _known_images([url for url in urls if is_http_url(url)])

    def keep(self, found: FoundImage, previous: ArticleImage | None) -> KeptImage | None:
        source_url = previous.source_url if previous is not None else found.src
        alt = found.alt or (previous.alt if previous is not None else "")
        if source_url not in self._seen:
            self._seen[source_url] = self._obtain(source_url)
        image = self._seen[source_url]
        if image is None and previous is not None and _still_stored(previous.image):
            # The source no longer serves it; the copy fetched before still stands.
            image = previous.image
        return KeptImage(source_url, alt, image) if image is not None else None

    def _obtain(self, url: str) -> Image | None:
        if not is_http_url(url):
            self.dropped[url] = "not an http(s) URL"
            return None
        if not self.refetch:
            known = self._known.get(url) if self._known is not None else _known_image(url)
            if known is not None:
                return known
        try:
            processed = process_image(self.fetch(url).content, self.limits)
            return _save(processed)
        except IngestError as error:
            self.dropped[url] = f"{type(error).__name__}: {error}"
            logger.debug("image dropped", extra={"url": url, "error": str(error)})
        except Exception as error:
            # Any other failure (a decoder bug, a full disk) drops this image only.
            self.dropped[url] = f"{type(error).__name__}: {error}"
            logger.exception("image crashed", extra={"url": url})
        return None


def _known_image(url: str) -> Image | None:
    """Reuse an image already fetched from ``url`` for another article, if still stored."""
    used = ArticleImage.objects.filter(source_url=url).select_related("image").first()
    if used is None or not _still_stored(used.image):
        return None
    return used.image


def _known_images(urls: list[str]) -> dict[str, Image]:
    """``_known_image`` for several URLs at once: each URL's first use, if still stored."""
    if not urls:
        return {}
    first: dict[str, int] = {}
    # Ids first, then the images they name: a select_related query costs more to
    # build than these two cost to run, and an article's images are mostly new.
    # By primary key: the model's ordering would join every row's article to sort.
    rows = ArticleImage.objects.filter(source_url__in=set(urls)).order_by("pk")
    for url, image_id in rows.values_list("source_url", "image_id"):
        first.setdefault(url, image_id)
    if not first:
        return {}
    images = Image.objects.in_bulk(set(first.values()))
    found = {url: images[pk] for url, pk in first.items() if pk in images}
    return {url: image for url, image in found.items() if _still_stored(image)}


def _still_stored(image: Image) -> bool:
    return renditions_stored(image.digest, list(image.widths), image.extension, default_storage)


def _save(processed: ProcessedImage) -> Image:
    """Store the files, then the row: identical content is one row and one set of files."""
    known = Image.objects.filter(digest=processed.digest).first()
    same_files = known is not None and (known.widths, known.extension) == (
        processed.widths,
        processed.extension,
    )
    if known is not None and same_files and _still_stored(known):
        return known
    store_renditions(processed, default_storage)
    fields = {
        "width": processed.width,
        "height": processed.height,
        "widths": processed.widths,
        "extension": processed.extension,
        "source_format": processed.source_format,
    }
    try:
        with transaction.atomic():
            image, _ = Image.objects.update_or_create(digest=processed.digest, defaults=fields)
    except IntegrityError:
        # Another worker stored the same content a moment ago.
        image = Image.objects.get(digest=processed.digest)
    return image


def lead_image_fields(illustration: Illustration) -> dict[str, object]:
    """The article's own columns that ``record_images`` sets: its lead and the check time."""
    lead = illustration.lead
    return {
        "image": lead.image if lead else None,
        "image_alt": lead.alt[:500] if lead else "",
        "images_checked_at": timezone.now(),
    }


def record_images(article: Article, illustration: Illustration, *, created: bool = False) -> None:
    """Store which pictures ``article`` shows, its lead, and that its images were checked.

    ``created``: the article was just created with ``lead_image_fields`` already
    set, so it has no image rows to replace and no columns to update.
    """
    rows = [
        ArticleImage(
            article=article,
            image=kept.image,
            role=role,
            position=position,
            source_url=kept.source_url[:2000],
            alt=kept.alt[:500],
        )
        for role, kept_images in (
            (ImageRole.LEAD, [illustration.lead] if illustration.lead else []),
            (ImageRole.BODY, illustration.body),
        )
        for position, kept in enumerate(kept_images)
    ]
    if created:
        if rows:
            ArticleImage.objects.bulk_create(rows)
        return
    for name, value in lead_image_fields(illustration).items():
        setattr(article, name, value)
    with transaction.atomic():
        ArticleImage.objects.filter(article=article).delete()
        ArticleImage.objects.bulk_create(rows)
        article.save(update_fields=["image", "image_alt", "images_checked_at"])


def refresh_article_images(article: Article, fetch: FetchImage) -> Illustration:
    """Fetch a stored article's images again from their sources and store the result."""
    previous = {
        row.image.digest[:NAME_DIGEST_CHARS]: row
        for row in article.images.filter(role=ImageRole.BODY).select_related("image")
    }
    illustration = illustrate_html(
        article.body_html, article.image_url, fetch, previous=previous, refetch=True
    )
    if illustration.body_html != article.body_html:
        article.body_html = illustration.body_html
        article.save(update_fields=["body_html"])
    record_images(article, illustration)
    return illustration


def pending_articles(source_id: int | None = None) -> QuerySet[Article]:
    """Articles whose images were never fetched (stored before, or marked again), oldest first."""
    articles = Article.objects.filter(images_checked_at__isnull=True)
    if source_id is not None:
        articles = articles.filter(source_id=source_id)
    return articles.order_by("pk")


def mark_for_refresh(source_id: int | None = None) -> int:
    """Mark articles (of one source) as pending, so a refresh fetches their images again.

    Marking first makes a long refresh resumable: an interrupted run leaves the
    articles it did not reach pending, and the next run goes on with them.
    """
    articles = Article.objects.all()
    if source_id is not None:
        articles = articles.filter(source_id=source_id)
    return articles.update(images_checked_at=None)
