"""A real feed through the crawler to the reader's page: day-only dates, readable text."""

from __future__ import annotations

import pytest
from django.test import Client

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.pipeline import refresh_source
from newsdesk.sources.models import FetchStatus
from newsdesk.stories.models import Article
from tests.site.factories import make_category, make_source

pytestmark = pytest.mark.django_db

BODY = "<p>" + "Words of the article body. " * 40 + "</p>"
RSS = f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Town paper</title><link>http://127.0.0.1/</link>
<item><title>COUNCIL VOTES ON NEW BRIDGE FOR THE NHS HOSPITAL</title>
<link>http://127.0.0.1/a</link><guid>a</guid><pubDate>Tue, 05 Mar 2024 00:00:00 +0100</pubDate>
<description><![CDATA[{BODY}<p>The post Council votes appeared first on Town paper.</p>]]>
</description>
</item></channel></rss>"""


def test_day_only_feed_entry_is_stored_and_shown_without_a_time(
    corpus_server: CorpusServer, client: Client
) -> None:
    """Midnight in the feed's own zone is a day: stored as such and shown without a time."""
    (corpus_server.root / "day.rss").write_text(RSS)
    source = make_source(feed_url=corpus_server.url("day.rss"), category=make_category())
    result = refresh_source(source)
    assert result.status == FetchStatus.OK, result.error
    article = Article.objects.get(source=source)
    assert article.published_day_only
    assert article.published_at.isoformat() == "2024-03-05T00:00:00+00:00"
    assert article.title == "Council Votes on New Bridge for the NHS Hospital"
    assert "appeared first" not in article.summary and "appeared first" not in article.body_html
    page = client.get(article.get_absolute_url()).content.decode()
    published = page.split('<time class="published"')[1].split("</time>")[0]
    assert 'datetime="2024-03-05"' in published and "March 5, 2024" in published
    assert "Time:" not in published
    listing = client.get("/latest/").content.decode()
    assert '<time datetime="2024-03-05" title="March 5, 2024">Mar 5, 2024</time>' in listing
