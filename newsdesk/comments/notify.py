"""Emails about comments: replies to opted-in authors; the editors' digest uses ``send_email``.

Sending never breaks posting: a mail failure is logged and the comment stands.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from newsdesk.comments.models import Comment

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "newsdesk.comments.unsubscribe"


def absolute(path: str) -> str:
    """Join a site path to NEWSDESK_SITE_URL."""
    return str(settings.NEWSDESK_SITE_URL).rstrip("/") + path


def editor_email(comment: Comment) -> str:
    """Return the email of the editor looking after the comment's article, or ''."""
    editor = comment.article.source.editor
    user = editor.user if editor is not None else None
    return str(user.email) if user is not None and user.email else ""


def unsubscribe_token(comment: Comment) -> str:
    """Sign a comment id for the reply-notification opt-out link."""
    return signing.dumps(comment.pk, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int | None:
    """Return the comment id in an opt-out token, or None when it is forged."""
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def send_email(template: str, context: dict[str, object], recipient: str) -> bool:
    """Render ``<template>_subject.txt`` and ``_body.txt`` and send them; False on failure."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    try:
        send_mail(subject, body, None, [recipient])
    except (SMTPException, OSError) as exc:
        logger.warning("comment email failed", extra={"template": template, "error": str(exc)})
        return False
    return True


def notify_parent_author(reply: Comment) -> bool:
    """Email the author of the comment replied to, when they opted in."""
    parent = reply.parent
    if parent is None or not parent.notify or not parent.email:
        return False
    if parent.email.casefold() == reply.email.casefold():
        return False
    context = {
        "reply": reply,
        "parent": parent,
        "site_name": settings.NEWSDESK_SITE_NAME,
        "reply_url": absolute(reply.get_absolute_url()),
        "unsubscribe_url": absolute(
            reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(parent)})
        ),
    }
    return send_email("comments/email/reply", context, parent.email)
