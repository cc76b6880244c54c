"""RSS and Atom feeds of the latest articles, site-wide and per category."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed
from django.utils.html import format_html

from newsdesk.core.syndication import XmlSafeAtomFeed, XmlSafeRssFeed
from newsdesk.site.links import absolute_url
from newsdesk.site.queries import listing
from newsdesk.sources.models import Category
from newsdesk.stories.models import Article

FEED_ITEMS = 30


class LatestRssFeed(Feed):
    """The newest published articles of every category."""

    # Stored text never breaks the feed: the generator drops what XML 1.0 cannot carry.
    feed_type: type[SyndicationFeed] = XmlSafeRssFeed

    @property
    def language(self) -> str:  # type: ignore[override]
        return str(settings.NEWSDESK_LANGUAGE)

    def title(self) -> str:
        return f"{settings.NEWSDESK_SITE_NAME}: Latest News"

    def description(self) -> str:
        return f"The latest articles gathered by {settings.NEWSDESK_SITE_NAME}."

    def link(self) -> str:
        return absolute_url(reverse("site:latest"))

    def feed_url(self) -> str:
        return absolute_url(reverse("site:feed-rss"))

    def items(self) -> list[Article]:
        return list(listing()[:FEED_ITEMS])

    def item_title(self, item: Article) -> str:
        # Plain text: the feed generator escapes it once, as Atom's type="text" expects.
        return item.title

    def item_description(self, item: Article) -> str:
        return format_html(
            '<p>{}</p><p>Originally published by <a href="{}">{}</a>.</p>',
            item.summary,
            item.url,
            item.source.name,
        )

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid_is_permalink(self, item: Article) -> bool:
        return True

    def item_pubdate(self, item: Article) -> datetime:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime:
        return item.updated_at or item.published_at

    def item_author_name(self, item: Article) -> str | None:
        return item.author or None

    def item_categories(self, item: Article) -> tuple[str, ...]:
        category = item.source.category
        return (category.name,) if category else ()


class LatestAtomFeed(LatestRssFeed):
    """The same articles as Atom 1.0."""

    feed_type = XmlSafeAtomFeed

    def subtitle(self) -> str:
        return self.description()

    def feed_url(self) -> str:
        return absolute_url(reverse("site:feed-atom"))


class CategoryRssFeed(Feed):
    """The newest published articles of one category."""

    feed_type = XmlSafeRssFeed
    item_title = LatestRssFeed.item_title
    item_description = LatestRssFeed.item_description
    item_link = LatestRssFeed.item_link
    item_guid_is_permalink = LatestRssFeed.item_guid_is_permalink
    item_pubdate = LatestRssFeed.item_pubdate
    item_updateddate = LatestRssFeed.item_updateddate
    item_author_name = LatestRssFeed.item_author_name
    item_categories = LatestRssFeed.item_categories

    @property
    def language(self) -> str:  # type: ignore[override]
        return str(settings.NEWSDESK_LANGUAGE)

    def get_object(self, request: HttpRequest, slug: str) -> Category:
        return get_object_or_404(Category, slug=slug)

    def title(self, obj: Category) -> str:
        return f"{settings.NEWSDESK_SITE_NAME}: {obj.name}"

    def description(self, obj: Category) -> str:
        return f"The latest {obj.name} articles gathered by {settings.NEWSDESK_SITE_NAME}."

    def link(self, obj: Category) -> str:
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj: Category) -> str:
        return absolute_url(reverse("site:feed-category", kwargs={"slug": obj.slug}))

    def items(self, obj: Category) -> list[Article]:
        return list(listing().filter(source__category=obj)[:FEED_ITEMS])
