"""Template tags: the comment section, Recent Comments, and comment counts for lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from newsdesk.comments.actions import author_may_change
from newsdesk.comments.forms import CommentForm
from newsdesk.comments.models import Comment, Status
from newsdesk.comments.tokens import COOKIE_PREFIX, cookie_name, holds_token
from newsdesk.core.pages import current_generation
from newsdesk.stories.models import Article

register = template.Library()

RECENT_COUNT = 5


@dataclass
class ThreadItem:
    """One comment as shown in a thread; a placeholder keeps replies of a removed comment."""

    comment: Comment
    depth: int
    own: bool = False
    placeholder: bool = False
    can_reply: bool = False


def _owned(request: HttpRequest | None, comment: Comment) -> bool:
    if request is None or cookie_name(comment) not in request.COOKIES:
        return False
    return holds_token(request, comment) and author_may_change(comment)


def build_thread(
    comments: Iterable[Comment], request: HttpRequest | None, max_depth: int
) -> list[ThreadItem]:
    """Order comments as a depth-first thread of what this visitor may see.

    Approved comments show; the visitor's own held comments show to them; a
    hidden comment with visible replies stays as a placeholder.
    """
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        children[comment.parent_id].append(comment)

    def walk(parent_id: int | None) -> list[ThreadItem]:
        items: list[ThreadItem] = []
        for comment in children.get(parent_id, []):
            below = walk(comment.pk)
            own = comment.status == Status.PENDING and _owned(request, comment)
            if comment.status == Status.APPROVED:
                own = _owned(request, comment)
                can_reply = comment.depth + 1 < max_depth
                items.append(ThreadItem(comment, comment.depth, own=own, can_reply=can_reply))
            elif own:
                items.append(ThreadItem(comment, comment.depth, own=True))
            elif below:
                items.append(ThreadItem(comment, comment.depth, placeholder=True))
            items.extend(below)
        return items

    return walk(None)


def article_comments(article: Article, request: HttpRequest | None) -> list[Comment]:
    """Return the article's comments but spam, read once per page generation for most readers.

    Publishing, approving, editing or removing a comment bumps the generation; a
    new comment held for a moderator does not, but only its author sees it, by
    the edit-token cookie, so a reader carrying one always reads afresh.
    """
    if request is not None and _holds_edit_token(request):
        return _stored_comments(article)
    if getattr(article, "has_comments", True) is False:
        # Read with the article in this generation (``has_comments_expression``):
        # whatever would show to this reader bumps the generation when it appears.
        return []
    key = f"comments:thread:{current_generation()}:{article.pk}"
    found: list[Comment] | None = cache.get(key)
    if found is None:
        found = _stored_comments(article)
        cache.set(key, found, settings.NEWSDESK_PAGE_CACHE_SECONDS)
    return found


def has_comments_expression() -> Exists:
    """Annotate an article query with ``has_comments``: does any comment but spam exist?

    An article page reads it with the article, so the thread of an article
    nobody commented on (most) costs no query.
    """
    stored = Comment.objects.filter(article_id=OuterRef("pk")).exclude(status=Status.SPAM)
    return Exists(stored)


def _stored_comments(article: Article) -> list[Comment]:
    # Built only when read: composing the query costs more than reading the cached list.
    return list(article.comments.exclude(status=Status.SPAM))


SECTION_TEMPLATE = "comments/section.html"
FORM_FIELDS_TEMPLATE = "comments/_form_fields.html"


@register.simple_tag(takes_context=True)
def comment_section(context: template.Context, article: Article) -> str:
    """Render an article's thread and the comment form (a ?replyto= id presets the parent).

    A reader holding no edit token sees what every such reader sees: the thread
    of the page generation and the form for the reply target, rendered once per
    generation, article and target. A token holder's section is theirs alone.
    """
    request: HttpRequest | None = context.get("request")
    section = _section(request, article)
    if request is not None and _holds_edit_token(request):
        return mark_safe(_render_section(context, section))
    parent = section["reply_parent"]
    key = f"comments:section:{current_generation()}:{article.pk}:{parent.pk if parent else ''}"
    html: str | None = cache.get(key)
    if html is None:
        html = _render_section(context, section)
        cache.set(key, html, settings.NEWSDESK_PAGE_CACHE_SECONDS)
    return mark_safe(html)


def _holds_edit_token(request: HttpRequest) -> bool:
    return any(name.startswith(COOKIE_PREFIX) for name in request.COOKIES)


def _render_section(context: template.Context, section: dict[str, Any]) -> str:
    # As an inclusion tag renders: the page's engine, a context of the section's own values.
    assert context.template is not None  # a tag renders inside a template
    found = context.template.engine.get_template(SECTION_TEMPLATE)
    return str(found.render(context.new(section)))


def _section(request: HttpRequest | None, article: Article) -> dict[str, Any]:
    """Return the section template's values: the thread, counts and the form's reply target."""
    max_depth = int(settings.NEWSDESK_COMMENTS_MAX_DEPTH)
    comments = article_comments(article, request)
    thread = build_thread(comments, request, max_depth)
    reply_to = request.GET.get("replyto", "") if request is not None else ""
    parent = next(
        (i.comment for i in thread if str(i.comment.pk) == reply_to and i.can_reply), None
    )
    return {
        "request": request,
        "article": article,
        "thread": thread,
        "approved_count": sum(1 for c in comments if c.status == Status.APPROVED),
        "form_fields": blank_form_fields(parent.pk if parent else None, get_language()),
        "reply_parent": parent,
        "replies_allowed": max_depth > 1,
        "edit_minutes": int(settings.NEWSDESK_COMMENTS_EDIT_MINUTES),
    }


@lru_cache(maxsize=64)
def blank_form_fields(parent_id: int | None, language: str | None) -> SafeString:
    """Render the fields of a blank comment form replying to ``parent_id``, once per process.

    A blank form holds nothing of the reader (comments.js fetches the stamp and
    the CSRF token) nor of the article, so its markup (Django renders each
    widget through a template: about 3 ms a form) never changes while the
    process runs; ``language`` keys the labels' translation.
    """
    form = CommentForm(initial={"parent": parent_id})
    return SafeString(render_to_string(FORM_FIELDS_TEMPLATE, {"form": form}))


@register.inclusion_tag("comments/recent.html")
def recent_comments() -> dict[str, Any]:
    """Render the latest approved comments as "name on <article title>" links."""
    # The list shows the commenter's name and the article's title and link: read no
    # bodies (an article's is the biggest value of its row).
    recent = (
        Comment.objects.visible_on_site()
        .select_related("article")
        .only("id", "name", "article__id", "article__slug", "article__title")
    )
    return {"comments": list(recent.order_by("-created_at", "-id")[:RECENT_COUNT])}


def with_comment_counts(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate each article with ``comment_count``, its approved comments, in the same query."""
    return queryset.annotate(comment_count=comment_count_expression())


def comment_count_expression() -> Coalesce:
    """``comment_count`` as ``load_comment_counts`` sets it, as an article query's annotation."""
    approved = (
        Comment.objects.approved()
        .filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(approved), 0)


def _articles_in(groups: Iterable[Any]) -> list[Article]:
    """Flatten lists of articles, and groups holding an ``articles`` list (home blocks)."""
    found: list[Article] = []
    for group in groups:
        for item in group or []:
            if isinstance(item, Article):
                found.append(item)
            elif isinstance(getattr(item, "articles", None), Iterable):
                found.extend(a for a in item.articles if isinstance(a, Article))
    return found


@register.simple_tag
def load_comment_counts(*groups: Any) -> str:
    """Set ``comment_count`` on every article of the given lists with one query; renders nothing.

    List templates call this once, then show ``item.comment_count``; an item
    template reading only the attribute can never cause a query per article.
    """
    missing = [a for a in _articles_in(groups) if not hasattr(a, "comment_count")]
    if missing:
        rows = (
            Comment.objects.approved()
            .filter(article__in=[a.pk for a in missing])
            .values_list("article")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts = dict(rows)
        for article in missing:
            article.comment_count = counts.get(article.pk, 0)  # type: ignore[attr-defined]
    return ""


@register.simple_tag
def comment_count(article: Article) -> int:
    """Return an article's approved comment count (preloaded when available)."""
    preloaded = getattr(article, "comment_count", None)
    if preloaded is not None:
        return int(preloaded)
    count = Comment.objects.approved().filter(article=article).count()
    article.comment_count = count  # type: ignore[attr-defined]
    return count
