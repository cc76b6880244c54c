"""Making URLs absolute and canonical."""

from __future__ import annotations

import pytest

from newsdesk.core.urls import absolutize, canonicalize, is_http_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=rss&utm_medium=feed&id=7&UTM_Campaign=x",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?fbclid=abc&page=2&gclid=1", "https://example.com/a?page=2"),
        ("https://example.com/a?mc_cid=1&mc_eid=2", "https://example.com/a"),
        ("https://example.com/a?z=1&a=2&m=3", "https://example.com/a?z=1&a=2&m=3"),
        ("https://example.com/a?q=caf%C3%A9&x=a+b", "https://example.com/a?q=caf%C3%A9&x=a+b"),
        ("https://example.com/a?utm_source=x", "https://example.com/a"),
        ("https://example.com/a?&&b=1&", "https://example.com/a?b=1"),
        ("  https://example.com/a\n", "https://example.com/a"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("https://User@Example.com/", "https://User@example.com/"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("/relative/path", "/relative/path"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    """Scheme and host are lower-cased, default ports, fragments and trackers dropped."""
    assert canonicalize(url) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("../b", "https://example.com/x/y/z", "https://example.com/x/b"),
        ("/root", "https://example.com/x/y", "https://example.com/root"),
        ("//cdn.example.net/i.png", "https://example.com/", "https://cdn.example.net/i.png"),
        ("?page=2", "https://example.com/list?page=1", "https://example.com/list?page=2"),
        ("https://other.example/", "https://example.com/", "https://other.example/"),
        ("  /spaced  ", "https://example.com/a", "https://example.com/spaced"),
        ("/ta\tb", "https://example.com/", "https://example.com/tab"),
        ("", "https://example.com/", ""),
        ("http://[::1", "https://example.com/", "http://[::1"),
    ],
)
def test_absolutize(url: str, base: str, expected: str) -> None:
    """Relative URLs resolve against the base (RFC 3986 §5.2); empty stays empty."""
    assert absolutize(url, base) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/", True),
        ("HTTP://example.com", True),
        ("ftp://example.com/", False),
        ("javascript:alert(1)", False),
        ("mailto:desk@example.org", False),
        ("/relative", False),
        ("http://", False),
        ("http://[::1", False),
        ("", False),
    ],
)
def test_is_http_url(url: str, expected: bool) -> None:
    """Only absolute http(s) URLs with a host qualify."""
    assert is_http_url(url) is expected
