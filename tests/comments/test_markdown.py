"""The comment Markdown subset renders to safe HTML; XSS payloads come out inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from newsdesk.comments.markdown import count_links, render_markdown

# Regression data: payloads that must never become live markup.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '[x](https://ok.example "onmouseover=alert(1)")',
    "![x](https://img.example/a.png)",
    '<a href="javascript:alert(1)">x</a>',
    "<svg/onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "> <img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '[x](https://ok.example/"onmouseover="alert(1))',
]


class TagCollector(HTMLParser):
    """Collect every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def parsed(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = TagCollector()
    collector.feed(html)
    return collector.tags


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_are_inert(payload: str) -> None:
    """Only allowed elements survive, with no handlers and only http(s)/mailto links."""
    for tag, attrs in parsed(render_markdown(payload)):
        assert tag in {"p", "br", "em", "strong", "a", "blockquote", "code", "pre"}
        for name, value in attrs:
            assert name in {"href", "rel", "title"}, (tag, name)
            if name == "href":
                assert (value or "").split(":")[0] in {"http", "https", "mailto"}, value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain words", "<p>plain words</p>"),
        ("*soft* and **strong**", "<p><em>soft</em> and <strong>strong</strong></p>"),
        ("line one\nline two", "<p>line one<br>\nline two</p>"),
        ("para one\n\npara two", "<p>para one</p>\n<p>para two</p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("use `x < y`", "<p>use <code>x &lt; y</code></p>"),
        ("```\na & b\n```", "<pre><code>a &amp; b\n</code></pre>"),
        (
            "[site](https://example.org/a?b=1&c=2)",
            '<p><a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
            "site</a></p>",
        ),
        (
            "[mail](mailto:someone@example.org)",
            '<p><a href="mailto:someone@example.org" rel="nofollow ugc noopener">mail</a></p>',
        ),
        ("# not a heading", "<p># not a heading</p>"),
        ("- not a list", "<p>- not a list</p>"),
        ("<b>raw</b>", "<p>&lt;b&gt;raw&lt;/b&gt;</p>"),
    ],
)
def test_subset_renders(source: str, expected: str) -> None:
    """Paragraphs, emphasis, links, quotes and code render; headings, lists and HTML do not."""
    assert render_markdown(source) == expected


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("no links", 0),
        ("[a](https://a.example)", 1),
        ("https://a.example and http://b.example", 2),
        ("www.a.example [b](mailto:b@b.example)", 2),
    ],
)
def test_count_links(source: str, count: int) -> None:
    """Links count whether written as Markdown or bare."""
    assert count_links(source) == count
