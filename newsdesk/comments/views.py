"""Thin views: read the form, call an action, render or redirect (POST/redirect/GET).

The comment form in an article page carries no per-reader value, so the page
may be cached for everyone: its script fetches a stamp and a CSRF token from
``stamp`` when the reader starts writing. Without the script, the first send
is refused by the CSRF check and ``csrf_failure`` shows the form again with
the reader's text, a token and a stamp: one more click sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views import csrf as django_csrf
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from newsdesk.comments import actions
from newsdesk.comments.forms import BODY_MAX, CommentForm, EditForm, with_fresh_stamp
from newsdesk.comments.guard import Submission
from newsdesk.comments.models import Comment, ModerationLog, Status
from newsdesk.comments.notify import read_unsubscribe_token
from newsdesk.comments.stamps import check_stamp, issue_stamp
from newsdesk.comments.tokens import (
    author_key,
    commenter_id,
    holds_token,
    new_commenter_id,
    set_commenter_cookie,
    set_token_cookie,
)
from newsdesk.core.clients import client_ip
from newsdesk.stories.models import Article
from newsdesk.visitors.ids import reader_for

# What the commenter reads when a guard rejects; moderators see the guard's own reason.
REJECT_MESSAGES = {
    "honeypot": "Your comment could not be accepted.",
    "timing": "That was quick! Wait a few seconds, then send your comment again.",
    "banned_words": "Your comment contains words this site does not accept.",
    "duplicate": "That comment is already on this article.",
    "rate_limit": "You are commenting too often. Wait a minute, then try again.",
    "akismet": "Your comment looks like spam and was not accepted.",
}
CSRF_MESSAGE = (
    "Your comment is not posted yet: this page needed a security token, which is now in "
    "the form below. Check your comment, then press “Post comment” again. "
    "(If you see this again, allow cookies for this site.)"
)
CSRF_CROSS_SITE_MESSAGE = (
    "This comment was sent from a page on another site, so it was not posted. "
    "If you wrote it, check it, then press “Post comment” to send it from here."
)
TOO_LARGE_MESSAGE = (
    f"Your comment is too long to send (at most {BODY_MAX:,} characters). "
    "Go back to shorten it, then send it again."
)
TABS = {"pending": Status.PENDING, "spam": Status.SPAM, "approved": Status.APPROVED}
QUEUE_PAGE_SIZE = 50


def see_other(url: str) -> HttpResponseRedirect:
    """Redirect after a POST with 303, so a reload never posts again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _published_article(article_pk: int) -> Article:
    return get_object_or_404(
        Article.objects.published().select_related("source__editor__user"), pk=article_pk
    )


def _failed(
    request: HttpRequest,
    article: Article,
    message: str,
    status: int,
    data: QueryDict | None = None,
) -> HttpResponse:
    """Show the form again with the reader's text, a fresh stamp and a CSRF token."""
    stamp = issue_stamp(request, article.pk)
    if data is None:
        form = CommentForm(initial={"stamp": stamp})
    else:
        form = CommentForm(with_fresh_stamp(data, stamp))
    context = {
        "article": article,
        "form": form,
        "message": message,
        "fresh_form": True,
        "edit_minutes": int(settings.NEWSDESK_COMMENTS_EDIT_MINUTES),
    }
    response = render(request, "comments/post_failed.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _parent(article: Article, parent_id: int | None) -> Comment | None:
    if not parent_id:
        return None
    return Comment.objects.filter(article=article, pk=parent_id, status=Status.APPROVED).first()


def _submission(
    request: HttpRequest, article: Article, form: CommentForm, commenter: str
) -> Submission:
    data = form.cleaned_data
    now = timezone.now()
    stamp = check_stamp(data["stamp"], request, article.pk, now)
    return Submission(
        article_id=article.pk,
        name=data["name"],
        email=data["email"],
        body=data["body"],
        now=now,
        visitor_hash=reader_for(request, now),
        honeypot=data["website"],
        rendered_at=stamp.issued_at,
        stamp_nonce=stamp.nonce,
        stamp_problem=stamp.problem,
        author_key=author_key(commenter),
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        referrer=request.headers.get("Referer", ""),
        permalink=request.build_absolute_uri(article.get_absolute_url()),
    )


@require_POST
def post(request: HttpRequest, article_pk: int) -> HttpResponse:
    """Take a new comment or reply; on success send the author back to it with their cookies."""
    article = _published_article(article_pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _failed(request, article, "Please correct the form below.", 400, request.POST)
    parent = _parent(article, form.cleaned_data["parent"])
    commenter = commenter_id(request) or new_commenter_id()
    sub = _submission(request, article, form, commenter)
    result = actions.post_comment(
        sub, article=article, parent=parent, notify=form.cleaned_data["notify"]
    )
    if result.comment is None:
        verdict = result.judgement.verdict
        message = verdict.public or REJECT_MESSAGES.get(verdict.guard, REJECT_MESSAGES["honeypot"])
        status = 429 if verdict.guard == "rate_limit" else 400
        return _failed(request, article, message, status, request.POST)
    response = see_other(result.comment.get_absolute_url())
    set_token_cookie(response, request, result.comment)
    set_commenter_cookie(response, request, commenter)
    return response


@never_cache
@require_GET
def stamp(request: HttpRequest, article_pk: int) -> JsonResponse:
    """Give the reader who starts writing a stamp and a CSRF token (sets the CSRF cookie)."""
    article = get_object_or_404(Article.objects.published().only("pk"), pk=article_pk)
    return JsonResponse({"stamp": issue_stamp(request, article.pk), "csrf": get_token(request)})


def comment_post_target(request: HttpRequest) -> int | None:
    """Return the article id when ``request`` posts a new comment, else None."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name != "comments:post":
        return None
    return int(match.kwargs["article_pk"])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a refused comment gets its form back; anything else, Django's page."""
    article_pk = comment_post_target(request)
    if article_pk is None:
        return django_csrf.csrf_failure(request, reason)
    article = _published_article(article_pk)
    cross_site = reason.startswith(("Origin checking failed", "Referer checking failed"))
    message = CSRF_CROSS_SITE_MESSAGE if cross_site else CSRF_MESSAGE
    return _failed(request, article, message, 403, request.POST)


def comment_too_large(request: HttpRequest, article_pk: int) -> HttpResponse:
    """Answer a comment post too large to read with the form and a message (413)."""
    return _failed(request, _published_article(article_pk), TOO_LARGE_MESSAGE, 413)


def _author_comment(request: HttpRequest, pk: int) -> tuple[Comment, HttpResponse | None]:
    """Return the comment and, when the author may not change it, the page saying why."""
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    if not holds_token(request, comment):
        reason = "Only the author can change this comment, from the browser it was written in."
        return comment, _closed(request, comment, reason)
    if not actions.author_may_change(comment):
        return comment, _closed(request, comment, "The time to change this comment has passed.")
    return comment, None


def _closed(request: HttpRequest, comment: Comment, reason: str) -> HttpResponse:
    context = {"comment": comment, "reason": reason}
    return render(request, "comments/closed.html", context, status=403)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Let the author rewrite their comment within the edit window."""
    comment, refusal = _author_comment(request, pk)
    if refusal is not None:
        return refusal
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_comment(
                comment,
                form.cleaned_data["body"],
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except actions.EditWindowClosed as exc:
            return _closed(request, comment, str(exc))
        except actions.EditRejected as exc:
            duplicate = str(exc) == actions.DUPLICATE_TEXT
            form.add_error("body", REJECT_MESSAGES["duplicate" if duplicate else "banned_words"])
        else:
            return see_other(comment.get_absolute_url())
    context = {"comment": comment, "form": form, "deadline": actions.edit_deadline(comment)}
    return render(request, "comments/edit.html", context)


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Let the author delete their comment within the edit window (GET asks to confirm)."""
    comment, refusal = _author_comment(request, pk)
    if refusal is not None:
        return refusal
    if request.method == "POST":
        try:
            actions.delete_comment(comment, None, "deleted by its author")
        except actions.EditWindowClosed as exc:
            return _closed(request, comment, str(exc))
        return see_other(f"{comment.article.get_absolute_url()}#comments")
    context = {"comment": comment, "deadline": actions.edit_deadline(comment)}
    return render(request, "comments/delete.html", context)


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off reply emails for one comment (GET shows a button; POST does it)."""
    comment = get_object_or_404(Comment, pk=read_unsubscribe_token(token) or 0)
    done = False
    if request.method == "POST":
        Comment.objects.filter(pk=comment.pk).update(notify=False)
        done = True
    return render(request, "comments/unsubscribe.html", {"comment": comment, "done": done})


def _apply_moderation(request: HttpRequest) -> str:
    """Run the single or bulk action in a moderation POST; return a message."""
    choice = str(request.POST.get("do", ""))
    if choice == "bulk":
        action = str(request.POST.get("bulk_action", ""))
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    else:
        action, _, raw_id = choice.partition(":")
        ids = [int(raw_id)] if raw_id.isdigit() else []
    if action not in actions.MODERATION_ACTIONS or not ids:
        return "Choose an action and at least one comment."
    comments = Comment.objects.filter(pk__in=ids).order_by("pk")
    count = actions.moderate_many(comments, action, request.user)
    return f"{action.capitalize()}: {count} comment{'s' if count != 1 else ''}."


@staff_member_required
@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest) -> HttpResponse:
    """The moderators' queue: pending, spam and approved tabs, with single and bulk actions."""
    tab = request.GET.get("tab", "pending")
    if tab not in TABS:
        tab = "pending"
    if request.method == "POST":
        messages.info(request, _apply_moderation(request))
        return see_other(f"{reverse('comments:moderation')}?tab={tab}")
    queue = (
        Comment.objects.filter(status=TABS[tab])
        .select_related("article", "parent")
        .order_by("-created_at", "-id")
    )
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(Comment.objects.values_list("status").annotate(n=Count("id")).order_by())
    context = {
        # The admin's chrome (header, staff links, logout): one staff area.
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,  # a wide page: no model list beside it
        "title": "Comment moderation",
        "tab": tab,
        "tabs": [(name, status.label, counts.get(status, 0)) for name, status in TABS.items()],
        "page_obj": page,
        "log": ModerationLog.objects.select_related("comment")[:20],
        "bulk_actions": [("approve", "Approve"), ("spam", "Mark as spam"), ("delete", "Delete")],
    }
    return render(request, "comments/moderation.html", context)
