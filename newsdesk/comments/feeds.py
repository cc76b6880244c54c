"""Atom feeds of approved comments: one article's, and the whole site's latest."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from newsdesk.comments.models import Comment
from newsdesk.core.syndication import XmlSafeAtomFeed
from newsdesk.stories.models import Article

FEED_SIZE = 50


class CommentFeed(Feed):
    """What every comment entry shows: who, on what, the sanitized text."""

    # A name or article title with a control character must not break the feed.
    feed_type = XmlSafeAtomFeed

    def item_title(self, item: Comment) -> str:
        return f"{item.name} on {item.article.title}"

    def item_description(self, item: Comment) -> str:
        # body_html is rendered from the Markdown subset and sanitized by nh3.
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Comment) -> str:
        return item.name

    def item_pubdate(self, item: Comment) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Comment) -> datetime:
        return item.edited_at or item.created_at


class RecentCommentsFeed(CommentFeed):
    """The site's latest approved comments."""

    def title(self) -> str:
        return f"{settings.NEWSDESK_SITE_NAME}: recent comments"

    def link(self) -> str:
        return reverse("site:home")

    def feed_url(self) -> str:
        return reverse("comments:feed")

    def items(self) -> QuerySet[Comment]:
        recent = Comment.objects.visible_on_site().select_related("article")
        return recent.order_by("-created_at", "-id")[:FEED_SIZE]


class ArticleCommentsFeed(CommentFeed):
    """The approved comments on one article, newest first."""

    def get_object(self, request: HttpRequest, article_pk: int) -> Article:
        return get_object_or_404(Article.objects.published(), pk=article_pk)

    def title(self, obj: Article) -> str:
        return f"Comments on {obj.title}"

    def link(self, obj: Article) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Article) -> str:
        return reverse("comments:article-feed", kwargs={"article_pk": obj.pk})

    def items(self, obj: Article) -> QuerySet[Comment]:
        approved = obj.comments.approved().select_related("article")
        return approved.order_by("-created_at", "-id")[:FEED_SIZE]
