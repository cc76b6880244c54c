"""Sitemap sections: static pages, categories, editors and articles (sitemaps.org 0.9)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from newsdesk.site.links import site_domain, site_scheme
from newsdesk.sources.models import Category, Editor
from newsdesk.stories.models import Article

if TYPE_CHECKING:
    # The sites framework is not installed; importing its models at run time would fail.
    from django.contrib.sites.models import Site
    from django.contrib.sites.requests import RequestSite


class PublicSitemap(Sitemap):
    """Build locations on NEWSDESK_SITE_URL rather than on the requesting host."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return site_scheme()

    def get_domain(self, site: Site | RequestSite | None = None) -> str:
        return site_domain()


class StaticSitemap(PublicSitemap):
    changefreq = "hourly"

    def items(self) -> list[str]:
        return ["site:home", "site:latest", "site:disclaimer"]

    def location(self, item: str) -> str:
        return reverse(item)


class CategorySitemap(PublicSitemap):
    changefreq = "hourly"

    def items(self) -> QuerySet[Category]:
        return Category.objects.all()


class EditorSitemap(PublicSitemap):
    changefreq = "daily"

    def items(self) -> QuerySet[Editor]:
        return Editor.objects.all()


class ArticleSitemap(PublicSitemap):
    def items(self) -> QuerySet[Article]:
        return Article.objects.published().only("id", "slug", "published_at", "updated_at")

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at or item.published_at


SITEMAPS: dict[str, type[Sitemap]] = {
    "static": StaticSitemap,
    "categories": CategorySitemap,
    "editors": EditorSitemap,
    "articles": ArticleSitemap,
}
