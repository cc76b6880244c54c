"""Posting, the author's edit window, moderation, feeds and widgets through Django's client."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from uuid import uuid4

import feedparser
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsdesk.comments import actions
from newsdesk.comments.models import Comment, ModerationLog, Status
from newsdesk.comments.notify import unsubscribe_token
from newsdesk.stories.models import Article, ArticleStatus
from tests.comments.conftest import form_data, stamp_for
from tests.site.factories import make_article

pytestmark = pytest.mark.django_db


def post_url(article: Article) -> str:
    return reverse("comments:post", kwargs={"article_pk": article.pk})


def stamp_url(article: Article) -> str:
    return reverse("comments:stamp", kwargs={"article_pk": article.pk})


def token_in(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def stamp_in(html: str) -> str:
    found = re.search(r'name="stamp" value="([^"]+)"', html)
    assert found, "no stamp in the page"
    return found.group(1)


def add(article: Article, status: str = Status.APPROVED, **fields: Any) -> Comment:
    values: dict[str, Any] = {
        "article": article,
        "name": "Stored Reader",
        "body": "Stored comment",
        "body_html": "<p>Stored comment</p>",
        "body_hash": uuid4().hex,
        "status": status,
        "visitor_hash": "v" * 32,
    }
    values.update(fields)
    return Comment.objects.create(**values)


def test_article_page_has_the_form_but_nothing_per_reader(client: Client, article: Article) -> None:
    """The form, its honeypot and cookie note are in the page; no token, no stamp, no cookie.

    The page can then be cached for everyone (issue 9): the stamp and CSRF token are
    fetched when a reader starts writing.
    """
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert 'id="comment-form"' in html
    assert f'action="{post_url(article)}"' in html
    assert f'data-stamp-url="{stamp_url(article)}"' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="">' in html
    assert re.search(r'<input type="hidden" name="stamp" id="id_stamp">', html)
    assert 'class="comment-hp" aria-hidden="true"' in html and 'name="website"' in html
    assert "csrftoken" in html and "nd_commenter" in html  # the cookie note
    assert "csrftoken" not in response.cookies


def test_stamp_endpoint_gives_a_stamp_and_sets_the_csrf_cookie(
    client: Client, article: Article
) -> None:
    """Starting to write fetches a fresh stamp and token: never cached, cookie set only now."""
    response = client.get(stamp_url(article))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert (
        set(data) == {"stamp", "csrf"}
        and data["stamp"] != client.get(stamp_url(article)).json()["stamp"]
    )
    assert "csrftoken" in response.cookies
    assert (
        response.cookies["csrftoken"]["httponly"]
        and response.cookies["csrftoken"]["samesite"] == "Lax"
    )
    assert client.get(stamp_url(make_article(status=ArticleStatus.HIDDEN))).status_code == 404


def test_post_redirects_to_held_comment_only_its_author_sees(
    client: Client, article: Article
) -> None:
    """A held comment is shown to its author (by cookie) as awaiting moderation, to nobody else."""
    response = client.post(post_url(article), form_data(article), HTTP_USER_AGENT="UA-1")
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == comment.get_absolute_url()
    cookie = response.cookies[f"nd_comment_{comment.pk}"]
    assert cookie["httponly"] and cookie["max-age"] == 15 * 60
    mine = client.get(article.get_absolute_url()).content.decode()
    assert "awaiting moderation" in mine and "A thoughtful remark" in mine
    assert f'href="{reverse("comments:edit", args=[comment.pk])}"' in mine
    theirs = Client().get(article.get_absolute_url()).content.decode()
    assert "A thoughtful remark" not in theirs


def test_csrf_is_enforced_through_the_fetched_token(article: Article) -> None:
    """With the token the form's script fetches, the post is accepted; with none it is not."""
    browser = Client(enforce_csrf_checks=True)
    fetched = browser.get(stamp_url(article)).json()
    data = form_data(article, csrfmiddlewaretoken=fetched["csrf"], stamp=fetched["stamp"])
    backdate(article, data)
    response = browser.post(post_url(article), data)
    assert response.status_code == 303
    assert Comment.objects.count() == 1


def test_csrf_failure_gives_the_form_back_with_the_text(article: Article) -> None:
    """Without JavaScript the first send lacks a token: the form comes back, text and token in.

    The second press of "Post comment" then posts, as a reader without script would.
    """
    browser = Client(enforce_csrf_checks=True)
    typed = "A remark typed without JavaScript."
    refused = browser.post(post_url(article), form_data(article, body=typed, stamp=""))
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "Your comment is not posted yet" in html and typed in html
    assert "csrftoken" in refused.cookies
    assert Comment.objects.count() == 0
    again = {**form_data(article, body=typed), "csrfmiddlewaretoken": token_in(html)}
    again["stamp"] = stamp_in(html)
    backdate(article, again)
    assert browser.post(post_url(article), again).status_code == 303
    assert Comment.objects.get().body == typed


def test_csrf_failure_from_another_site_says_so(article: Article) -> None:
    """A post from another origin is not taken; the form says where it came from."""
    browser = Client(enforce_csrf_checks=True)
    fetched = browser.get(stamp_url(article)).json()
    data = form_data(article, csrfmiddlewaretoken=fetched["csrf"])
    response = browser.post(post_url(article), data, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "sent from a page on another site" in response.content.decode()
    assert Comment.objects.count() == 0


def test_csrf_failure_elsewhere_is_djangos_page(article: Article, staff: User) -> None:
    """Forms other than the comment form keep Django's own CSRF failure page."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    response = browser.post("/moderation/", {"do": "approve:1"})
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()


def backdate(article: Article, data: dict[str, Any]) -> None:
    """Replace a just-fetched stamp by one issued a minute ago (a reader who took their time)."""
    data["stamp"] = stamp_for(article)


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"website": "http://spam.example"}, 400, "could not be accepted"),
        ({"stamp": "forged"}, 400, "could not be checked"),
        ({"body": "x" * 5001}, 400, "at most 5000 characters"),
        ({"name": ""}, 400, "correct the form"),
        ({"notify": "on", "email": ""}, 400, "Give an email address"),
    ],
)
def test_rejections_explain_and_keep_the_text(
    client: Client, article: Article, overrides: dict[str, str], status: int, message: str
) -> None:
    """A rejected or invalid comment gets an error page that keeps what was typed."""
    response = client.post(post_url(article), form_data(article, **overrides))
    assert response.status_code == status
    html = response.content.decode()
    assert message in html
    assert (overrides.get("body") or "A thoughtful remark about the bridge.") in html
    assert stamp_in(html) != overrides.get("stamp")  # a fresh stamp to send again
    assert Comment.objects.count() == 0


def test_too_fast_asks_to_wait(client: Client, article: Article) -> None:
    """A form sent right after its stamp was fetched is rejected with a request to wait."""
    stamp = client.get(stamp_url(article)).json()["stamp"]
    response = client.post(post_url(article), form_data(article, stamp=stamp))
    assert response.status_code == 400
    assert "Wait a few seconds" in response.content.decode()


def test_rate_limit_answers_429(client: Client, article: Article) -> None:
    """The third comment in a minute from one reader gets 429, with the form and text back."""
    codes = [
        client.post(post_url(article), form_data(article, body=f"Remark {i}")).status_code
        for i in range(3)
    ]
    assert codes == [303, 303, 429]


def test_a_new_user_agent_does_not_lift_the_rate_limit(client: Client, article: Article) -> None:
    """Rotating the User-Agent (or clearing cookies) is still the same reader: 429."""
    codes = [
        Client()
        .post(
            post_url(article),
            form_data(article, body=f"Remark {i}"),
            headers={"User-Agent": f"Rotating/{i}.0"},
        )
        .status_code
        for i in range(3)
    ]
    assert codes == [303, 303, 429]
    other = Client(REMOTE_ADDR="198.51.100.77")
    data = form_data(article, address="198.51.100.77", body="Another reader")
    assert other.post(post_url(article), data).status_code == 303


def test_ipv6_readers_are_limited_per_slash_64(client: Client, article: Article) -> None:
    """New addresses inside one IPv6 /64 are one reader; the next /64 is another."""
    codes = []
    for i, address in enumerate(["2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:a::3"]):
        data = form_data(article, address=address, body=f"v6 remark {i}")
        codes.append(Client(REMOTE_ADDR=address).post(post_url(article), data).status_code)
    assert codes == [303, 303, 429]
    neighbour = "2001:db8:5:7::1"
    data = form_data(article, address=neighbour, body="next door")
    assert Client(REMOTE_ADDR=neighbour).post(post_url(article), data).status_code == 303


def test_a_stamp_is_bound_to_the_reader_who_fetched_it(client: Client, article: Article) -> None:
    """A stamp fetched from one address is refused from another; the form comes back fresh."""
    data = form_data(article, address="203.0.113.50")
    response = client.post(post_url(article), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your connection changed" in html
    assert Comment.objects.count() == 0
    resent = {**data, "stamp": stamp_for(article)}
    assert client.post(post_url(article), resent).status_code == 303


def test_a_stamp_posts_one_comment(client: Client, article: Article) -> None:
    """Replaying a stamp that already posted is refused, whatever the new text."""
    data = form_data(article)
    assert client.post(post_url(article), data).status_code == 303
    replay = {**data, "body": "Different text, same stamp."}
    response = client.post(post_url(article), replay)
    assert response.status_code == 400
    assert "already used to post a comment" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_stamp_for_another_article_is_refused(client: Client, article: Article) -> None:
    """A stamp fetched on one article cannot post on another."""
    other = make_article(source=article.source)
    response = client.post(post_url(article), form_data(article, stamp=stamp_for(other)))
    assert response.status_code == 400
    assert "another article" in response.content.decode()


def test_an_expired_stamp_is_refused(client: Client, article: Article) -> None:
    """A stamp older than a day is refused with a fresh one in the form."""
    old = stamp_for(article, seconds_ago=86400 + 60)
    response = client.post(post_url(article), form_data(article, stamp=old))
    assert response.status_code == 400
    assert "This form had expired" in response.content.decode()


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_a_body_over_the_cap_gets_the_form_and_a_message(
    settings: Any, article: Article, enforce_csrf: bool
) -> None:
    """A post too large to read gets the comment form and a message (413), not a bare 400."""
    browser = Client(enforce_csrf_checks=enforce_csrf)
    huge = form_data(article, body="word " * 60_000)  # ~300 KB, over the comment cap
    response = browser.post(post_url(article), huge)
    assert response.status_code == 413
    html = response.content.decode()
    assert "too long to send" in html and 'id="comment-form"' in html
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000  # Django's own cap, met while reading
    response = browser.post(post_url(article), form_data(article, body="w" * 3_000))
    assert response.status_code == 413
    assert "too long to send" in response.content.decode()
    assert Comment.objects.count() == 0


def test_returning_commenter_is_known_by_cookie_not_by_email(
    client: Client, article: Article, staff: User
) -> None:
    """After approval, the same browser's comments appear at once; a typed email earns nothing."""
    assert client.post(post_url(article), form_data(article)).status_code == 303
    first = Comment.objects.get()
    assert first.status == Status.PENDING and len(first.author_key) == 64
    cookie = client.cookies["nd_commenter"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    actions.approve_comment(first, staff)
    again = form_data(article, body="A second remark.", email="")
    assert client.post(post_url(article), again).status_code == 303
    assert Comment.objects.get(body="A second remark.").status == Status.APPROVED
    impostor = Client(REMOTE_ADDR="198.51.100.9")
    data = form_data(article, address="198.51.100.9", body="I am Reader One, honest.")
    assert impostor.post(post_url(article), data).status_code == 303
    assert Comment.objects.get(body="I am Reader One, honest.").status == Status.PENDING


def test_xss_in_name_and_body_is_inert_on_the_page(
    settings: Any, client: Client, article: Article
) -> None:
    """Script in the name and body, and javascript: links, come out as text."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    data = form_data(
        article,
        name="<script>alert('n')</script>",
        body="<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(2)</script>",
    )
    assert client.post(post_url(article), data).status_code == 303
    for url in (article.get_absolute_url(), reverse("site:home")):
        html = Client().get(url).content.decode()
        assert "&lt;script&gt;alert(&#x27;n&#x27;)&lt;/script&gt;" in html
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert 'href="javascript' not in html


def test_author_edits_within_window(client: Client, article: Article) -> None:
    """The browser that posted can edit its comment within the window."""
    client.post(post_url(article), form_data(article))
    comment = Comment.objects.get()
    edit_url = reverse("comments:edit", args=[comment.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(edit_url, {"body": "Edited **text**"})
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.body_html == "<p>Edited <strong>text</strong></p>"


def test_edit_after_window_fails(client: Client, article: Article) -> None:
    """Once the window has passed (the clock shifted by 16 minutes) the edit is refused."""
    client.post(post_url(article), form_data(article))
    comment = Comment.objects.get()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "late"})
    assert response.status_code == 403
    assert "time to change this comment has passed" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body != "late"
    html = client.get(article.get_absolute_url()).content.decode()
    assert reverse("comments:edit", args=[comment.pk]) not in html


def test_someone_else_cannot_edit_or_delete(client: Client, article: Article) -> None:
    """Without the author's token, edit and delete are refused."""
    client.post(post_url(article), form_data(article))
    comment = Comment.objects.get()
    stranger = Client()
    assert (
        stranger.post(reverse("comments:edit", args=[comment.pk]), {"body": "x"}).status_code == 403
    )
    assert stranger.post(reverse("comments:delete", args=[comment.pk])).status_code == 403
    forged = Client()
    forged.cookies[f"nd_comment_{comment.pk}"] = "forged"
    assert forged.post(reverse("comments:delete", args=[comment.pk])).status_code == 403


def test_author_deletes_within_window(client: Client, article: Article) -> None:
    """The author can delete; the deletion is logged as the author's."""
    client.post(post_url(article), form_data(article))
    comment = Comment.objects.get()
    response = client.post(reverse("comments:delete", args=[comment.pk]))
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == Status.DELETED
    assert ModerationLog.objects.filter(comment=comment, action="delete", actor=None).exists()


def test_moderation_queue_needs_staff(client: Client, article: Article) -> None:
    """Anonymous visitors and non-staff users are sent to log in."""
    assert client.get("/moderation/").status_code == 302
    User.objects.create_user("plain", password="plain-pass-123")
    client.force_login(User.objects.get(username="plain"))
    assert client.get("/moderation/").status_code == 302


def test_moderation_queue_shows_reasons_and_acts(
    client: Client, article: Article, staff: User
) -> None:
    """The queue lists held comments with their reasons; approve, spam and bulk act and log."""
    held = [
        add(
            article,
            Status.PENDING,
            body=f"held {i}",
            body_html=f"<p>held {i}</p>",
            held_reason=f"links: {i + 2} links",
        )
        for i in range(3)
    ]
    client.force_login(staff)
    html = client.get("/moderation/?tab=pending").content.decode()
    assert "links: 2 links" in html and "links: 4 links" in html
    response = client.post("/moderation/?tab=pending", {"do": f"approve:{held[0].pk}"})
    assert response.status_code == 303
    assert response["Location"] == "/moderation/?tab=pending"
    assert "Approve: 1 comment." in client.get(response["Location"]).content.decode()
    response = client.post(
        "/moderation/?tab=pending",
        {"do": "bulk", "bulk_action": "spam", "ids": [held[1].pk, held[2].pk]},
    )
    assert response.status_code == 303
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {held[0].pk: "approved", held[1].pk: "spam", held[2].pk: "spam"}
    rows = ModerationLog.objects.filter(actor=staff)
    assert sorted(rows.values_list("action", flat=True)) == ["approve", "spam", "spam"]
    spam_tab = client.get("/moderation/?tab=spam").content.decode()
    assert "held 1" in spam_tab and "held 0" not in spam_tab
    assert "moderator" in spam_tab  # the log table names who acted


def test_moderation_post_needs_csrf(article: Article, staff: User) -> None:
    """Moderation actions are refused without the CSRF token."""
    comment = add(article, Status.PENDING)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert browser.post("/moderation/", {"do": f"approve:{comment.pk}"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_feeds_are_valid_atom_with_approved_comments_only(client: Client, article: Article) -> None:
    """Both Atom feeds parse cleanly and list approved comments only, linking to their anchors."""
    ok = add(article, name="Visible", body_html="<p>seen</p>")
    add(article, Status.PENDING, name="Hidden")
    for url in (
        reverse("comments:feed"),
        reverse("comments:article-feed", kwargs={"article_pk": article.pk}),
    ):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert [e.title for e in feed.entries] == ["Visible on Council approves new bridge"]
        assert feed.entries[0].link.endswith(f"#comment-{ok.pk}")
        assert feed.entries[0].author == "Visible"


def test_recent_comments_widget_shows_latest_five_approved(
    client: Client, article: Article
) -> None:
    """Recent Comments lists the five newest approved comments as "name on title" links."""
    now = timezone.now()
    for i in range(7):
        add(article, name=f"Reader{i}", created_at=now - timedelta(minutes=10 - i))
    add(article, Status.PENDING, name="PendingPerson", created_at=now)
    add(article, Status.SPAM, name="SpamPerson", created_at=now)
    html = client.get(reverse("site:home")).content.decode()
    widget = html.split('class="widget widget-recent-comments"')[1].split("</section>")[0]
    names = re.findall(r'<span class="comment-author">([^<]+)</span> on', widget)
    assert names == ["Reader6", "Reader5", "Reader4", "Reader3", "Reader2"]
    assert "Council approves new bridge" in widget
    newest = Comment.objects.get(name="Reader6")
    assert f'href="{newest.get_absolute_url()}"' in widget


def test_no_recent_comments_widget_without_comments(client: Client, article: Article) -> None:
    """With no approved comment, the widget is not shown at all."""
    add(article, Status.PENDING)
    assert "widget-recent-comments" not in client.get(reverse("site:home")).content.decode()


def test_comment_counts_on_article_lists(client: Client, article: Article) -> None:
    """Lists show each article's approved comment count."""
    add(article)
    add(article, body_hash="other")
    add(article, Status.PENDING)
    make_article(source=article.source)
    html = client.get(reverse("site:latest")).content.decode()
    assert "2 comments</a>" in html
    assert html.count('class="story-comments"') == 1


def test_threaded_reply_through_replyto(settings: Any, client: Client, article: Article) -> None:
    """Without JavaScript, ?replyto= presets the parent and the reply is threaded under it."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    parent = add(article, name="First Person")
    html = client.get(f"{article.get_absolute_url()}?replyto={parent.pk}").content.decode()
    assert "Reply to First Person" in html
    assert f'name="parent" value="{parent.pk}"' in html
    client.post(post_url(article), form_data(article, parent=str(parent.pk), body="my reply"))
    reply = Comment.objects.get(body="my reply")
    assert (reply.parent_id, reply.depth) == (parent.pk, 1)
    html = Client().get(article.get_absolute_url()).content.decode()
    assert 'class="comment depth-1" id="comment-' in html


def test_unsubscribe_stops_reply_emails(client: Client, article: Article) -> None:
    """The signed opt-out link turns off reply emails after one POST."""
    comment = add(article, email="a@example.org", notify=True)
    url = reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(comment)})
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    comment.refresh_from_db()
    assert comment.notify is False
    assert client.get(reverse("comments:unsubscribe", kwargs={"token": "bad"})).status_code == 404
