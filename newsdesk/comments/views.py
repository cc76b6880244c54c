"""Thin views: read the form, call an action, render or redirect (POST/redirect/GET)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from newsdesk.comments import actions
from newsdesk.comments.forms import CommentForm, EditForm, read_form_stamp
from newsdesk.comments.guard import Submission
from newsdesk.comments.models import Comment, ModerationLog, Status
from newsdesk.comments.notify import read_unsubscribe_token
from newsdesk.comments.tokens import holds_token, set_token_cookie
from newsdesk.comments.visitor import client_ip, visitor_hash
from newsdesk.stories.models import Article

# What the commenter reads when a guard rejects; moderators see the guard's own reason.
REJECT_MESSAGES = {
    "honeypot": "Your comment could not be accepted.",
    "timing": "That was quick! Wait a few seconds, then send your comment again.",
    "banned_words": "Your comment contains words this site does not accept.",
    "duplicate": "You have already posted that comment here.",
    "rate_limit": "You are commenting too often. Wait a minute, then try again.",
    "akismet": "Your comment looks like spam and was not accepted.",
}
TABS = {"pending": Status.PENDING, "spam": Status.SPAM, "approved": Status.APPROVED}
QUEUE_PAGE_SIZE = 50


def see_other(url: str) -> HttpResponseRedirect:
    """Redirect after a POST with 303, so a reload never posts again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _failed(
    request: HttpRequest, article: Article, form: CommentForm, message: str, status: int
) -> HttpResponse:
    context = {"article": article, "form": form, "message": message}
    return render(request, "comments/post_failed.html", context, status=status)


def _parent(article: Article, parent_id: int | None) -> Comment | None:
    if not parent_id:
        return None
    return Comment.objects.filter(article=article, pk=parent_id, status=Status.APPROVED).first()


def _submission(request: HttpRequest, article: Article, form: CommentForm) -> Submission:
    data = form.cleaned_data
    now = timezone.now()
    ip, agent = client_ip(request), request.META.get("HTTP_USER_AGENT", "")
    return Submission(
        article_id=article.pk,
        name=data["name"],
        email=data["email"],
        body=data["body"],
        now=now,
        visitor_hash=visitor_hash(ip, agent, now),
        honeypot=data["website"],
        rendered_at=read_form_stamp(data["stamp"]),
        ip=ip,
        user_agent=agent,
        referrer=request.META.get("HTTP_REFERER", ""),
        permalink=request.build_absolute_uri(article.get_absolute_url()),
    )


@require_POST
def post(request: HttpRequest, article_pk: int) -> HttpResponse:
    """Take a new comment or reply; on success send the author back to it with their token."""
    article = get_object_or_404(
        Article.objects.published().select_related("source__editor__user"), pk=article_pk
    )
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _failed(request, article, form, "Please correct the form below.", 400)
    parent = _parent(article, form.cleaned_data["parent"])
    sub = _submission(request, article, form)
    result = actions.post_comment(
        sub, article=article, parent=parent, notify=form.cleaned_data["notify"]
    )
    if result.comment is None:
        verdict = result.judgement.verdict
        guard_name = verdict.guard
        message = verdict.public or REJECT_MESSAGES.get(guard_name, REJECT_MESSAGES["honeypot"])
        return _failed(request, article, form, message, 429 if guard_name == "rate_limit" else 400)
    response = see_other(result.comment.get_absolute_url())
    set_token_cookie(response, request, result.comment)
    return response


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
            actions.edit_comment(comment, form.cleaned_data["body"])
        except actions.EditWindowClosed as exc:
            return _closed(request, comment, str(exc))
        except actions.EditRejected:
            form.add_error("body", REJECT_MESSAGES["banned_words"])
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
        "tab": tab,
        "tabs": [(name, status.label, counts.get(status, 0)) for name, status in TABS.items()],
        "page_obj": page,
        "log": ModerationLog.objects.select_related("comment")[:20],
        "bulk_actions": [("approve", "Approve"), ("spam", "Mark as spam"), ("delete", "Delete")],
    }
    return render(request, "comments/moderation.html", context)
